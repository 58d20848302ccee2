"""The login limiter's rules, on the in-memory repository and a clock the tests move.

No time passes for real: "the delay grows" is the Retry-After each refusal names.
"""

from datetime import timedelta

import pytest

from envdeck.domain.errors import RateLimited
from envdeck.services.identity.login_limiter import (
    AttemptRule,
    LoginLimiter,
    LoginRules,
    Reservation,
)
from tests.fakes.clock import FakeClock
from tests.fakes.login_attempts import FakeLoginAttemptRepository

WINDOW = timedelta(minutes=15)
ACCOUNT = "user:0123456789abcdef01234567"


def limiter(
    clock: FakeClock, *, pair: int = 1000, delay_after: int = 1000, ceiling: int = 1000
) -> LoginLimiter:
    rules = LoginRules(
        pair=AttemptRule(pair, WINDOW),
        account=AttemptRule(
            ceiling, WINDOW, delay_after=delay_after, max_delay=timedelta(seconds=30)
        ),
        client=AttemptRule(1000, WINDOW),
    )
    return LoginLimiter(FakeLoginAttemptRepository(), rules, clock)


async def refusal(limiter: LoginLimiter, client: str) -> int:
    with pytest.raises(RateLimited) as refused:
        await limiter.reserve(ACCOUNT, client)
    return refused.value.retry_after


async def test_past_the_threshold_each_failure_doubles_the_wait_up_to_the_cap() -> None:
    clock = FakeClock()
    subject = limiter(clock, delay_after=3)
    for n in range(3):  # free: no wait between them
        await subject.reserve(ACCOUNT, f"10.0.0.{n}")

    waits = []
    for n in range(7):
        # Every refusal comes from a clean address: the wait belongs to the account.
        waits.append(await refusal(subject, f"10.1.0.{n}"))
        clock.advance(seconds=waits[-1])
        await subject.reserve(ACCOUNT, f"10.2.0.{n}")  # the wait is over: it goes through

    assert waits == [1, 2, 4, 8, 16, 30, 30]


async def test_the_ceiling_refuses_until_the_oldest_failure_leaves_the_window() -> None:
    clock = FakeClock()
    subject = limiter(clock, ceiling=3)
    for n in range(3):
        await subject.reserve(ACCOUNT, f"10.0.0.{n}")
        clock.advance(minutes=1)

    assert await refusal(subject, "10.9.9.9") == 12 * 60  # the first of three, 3 minutes ago
    clock.advance(minutes=12)
    await subject.reserve(ACCOUNT, "10.9.9.9")


async def test_a_refused_attempt_is_not_counted() -> None:
    clock = FakeClock()
    subject = limiter(clock, pair=2, delay_after=3)
    for _ in range(2):
        await subject.reserve(ACCOUNT, "10.0.0.1")
    for _ in range(5):
        await refusal(subject, "10.0.0.1")  # refused by the (account, client) window

    # Two failures in the account's window, not seven: below its delay threshold of three.
    await subject.reserve(ACCOUNT, "10.0.0.2")


async def test_an_attempt_given_back_no_longer_counts() -> None:
    clock = FakeClock()
    subject = limiter(clock, pair=2)
    first: Reservation = await subject.reserve(ACCOUNT, "10.0.0.1")
    await subject.give_back(first)

    await subject.reserve(ACCOUNT, "10.0.0.1")
    await subject.reserve(ACCOUNT, "10.0.0.1")
    await refusal(subject, "10.0.0.1")


async def test_unlocking_forgets_every_failure_of_the_account() -> None:
    clock = FakeClock()
    subject = limiter(clock, pair=1, ceiling=2)
    await subject.reserve(ACCOUNT, "10.0.0.1")
    await subject.reserve(ACCOUNT, "10.0.0.2")
    await refusal(subject, "10.0.0.1")
    await refusal(subject, "10.0.0.3")

    assert await subject.unlock(ACCOUNT) > 0

    await subject.reserve(ACCOUNT, "10.0.0.1")


def test_an_attempt_stamped_later_by_a_concurrent_request_does_not_refuse_an_earlier_one() -> None:
    # Parallel sign-ins read the clock before they store: one stamped a millisecond later may
    # be stored first. Below the limit and without a delay, the earlier one still goes.
    rule = AttemptRule(5, WINDOW)
    now = FakeClock()()
    assert rule.wait([now + timedelta(milliseconds=1)], now) is None
