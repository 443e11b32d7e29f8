"""Password check per tenant, doing the same hashing work whether or not the name exists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from verzuim.accounts.models import User

_dummy_hash: str | None = None


def dummy_hash() -> str:
    """A real hash from the preferred hasher, verified when there is no user to check."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = make_password("not-a-password-of-anyone")
    return _dummy_hash


class TenantLoginBackend(BaseBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        tenant: Any = None,
        **kwargs: Any,
    ) -> User | None:
        if tenant is None or username is None or password is None:
            return None
        user = User.objects.filter(tenant=tenant, username__iexact=username.strip()).first()
        if user is None or not user.is_active or not user.has_usable_password():
            # Exactly one hasher verification, like for a real account.
            check_password(password, dummy_hash())
            return None
        if user.check_password(password):  # upgrades outdated hashes on success
            user.tenant = tenant  # the row just filtered on: no second query for it
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).select_related("tenant").first()
        if user is None or not user.is_active or user.is_blocked:
            return None
        return user
