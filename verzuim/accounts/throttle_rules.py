"""Pure rules for slowing down password guessing. No database, no clock: values in, values out.

A number of failures is free (people mistype); after that every further failure doubles the
wait before the next attempt, up to a ceiling. Nothing here ever blocks an account: waits
end by themselves, so an attacker cannot lock a colleague out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    base_seconds: int
    max_seconds: int
    forget_after_seconds: int


ACCOUNT_POLICY = ThrottlePolicy(
    free_failures=5, base_seconds=15, max_seconds=15 * 60, forget_after_seconds=24 * 3600
)
# Many colleagues may share one office address, so the address allows more.
ADDRESS_POLICY = ThrottlePolicy(
    free_failures=20, base_seconds=15, max_seconds=15 * 60, forget_after_seconds=24 * 3600
)


def wait_after(failures: int, policy: ThrottlePolicy) -> int:
    """Seconds to wait after ``failures`` consecutive failures before the next attempt."""
    if failures < policy.free_failures:
        return 0
    exponent = failures - policy.free_failures
    if exponent >= 32:  # avoid huge integers; the ceiling is long reached
        return policy.max_seconds
    return min(policy.base_seconds * (2**exponent), policy.max_seconds)


def effective_failures(failures: int, seconds_since_last: float, policy: ThrottlePolicy) -> int:
    """Failures still counting: a quiet period makes the counter start afresh."""
    if seconds_since_last >= policy.forget_after_seconds:
        return 0
    return failures


def max_guesses_per_day(policy: ThrottlePolicy) -> int:
    """Upper bound on attempts one key allows in 24 hours (documented for the security review)."""
    elapsed = 0
    guesses = 0
    while elapsed < 24 * 3600:
        guesses += 1
        elapsed += wait_after(guesses, policy)
    return guesses
