from verzuim.accounts.throttle_rules import (
    ACCOUNT_POLICY,
    ADDRESS_POLICY,
    ThrottlePolicy,
    effective_failures,
    max_guesses_per_day,
    wait_after,
)

POLICY = ThrottlePolicy(free_failures=3, base_seconds=10, max_seconds=100, forget_after_seconds=60)


def test_first_failures_are_free():
    assert [wait_after(n, POLICY) for n in range(3)] == [0, 0, 0]


def test_waits_double_then_stop_at_the_ceiling():
    assert [wait_after(n, POLICY) for n in range(3, 9)] == [10, 20, 40, 80, 100, 100]


def test_huge_failure_counts_do_not_overflow():
    assert wait_after(10**6, POLICY) == 100


def test_quiet_period_forgets_failures():
    assert effective_failures(7, 59, POLICY) == 7
    assert effective_failures(7, 60, POLICY) == 0


def test_account_policy_allows_five_typos_before_any_wait():
    assert wait_after(4, ACCOUNT_POLICY) == 0
    assert wait_after(5, ACCOUNT_POLICY) == 15


def test_address_policy_is_more_lenient_than_account_policy():
    assert ADDRESS_POLICY.free_failures > ACCOUNT_POLICY.free_failures


def test_guesses_per_day_are_bounded():
    # Documented in the security notes: an attacker gets about a hundred guesses per account
    # per day, never thousands.
    assert 90 <= max_guesses_per_day(ACCOUNT_POLICY) <= 110
    assert max_guesses_per_day(ADDRESS_POLICY) <= 130
