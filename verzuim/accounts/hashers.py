from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idHasher(Argon2PasswordHasher):
    """argon2id with the OWASP Password Storage Cheat Sheet minimum: m=19 MiB, t=2, p=1.

    Hashes made with other parameters (or other algorithms) are upgraded on the next login,
    because Django asks ``must_update`` after every successful check.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
