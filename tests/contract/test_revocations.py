"""The RevocationRepository contract, on every backend.

Expiry times lie in the real future: MongoDB's TTL monitor may delete an expired revocation at
any moment, which would make what purge_expired counts a race.
"""

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from envdeck.domain.clock import utc_now
from envdeck.repositories.base import Storage

HOUR = timedelta(hours=1)


@pytest.fixture
def now() -> datetime:
    return utc_now()


def new_jti() -> str:
    return str(uuid.uuid4())


async def test_a_token_never_revoked_is_not_revoked(storage: Storage) -> None:
    assert await storage.revocations.is_revoked(new_jti()) is False
    assert await storage.revocations.is_revoked("") is False


async def test_revoke_marks_only_that_token_revoked(storage: Storage, now: datetime) -> None:
    jti = new_jti()

    await storage.revocations.revoke(jti, now + HOUR)

    assert await storage.revocations.is_revoked(jti) is True
    assert await storage.revocations.is_revoked(jti.upper()) is False
    assert await storage.revocations.is_revoked(new_jti()) is False


async def test_revoking_twice_is_harmless(storage: Storage, now: datetime) -> None:
    jti = new_jti()

    await storage.revocations.revoke(jti, now + HOUR)
    await storage.revocations.revoke(jti, now + HOUR)

    assert await storage.revocations.is_revoked(jti) is True
    assert await storage.revocations.purge_expired(now + 2 * HOUR) == 1
    assert await storage.revocations.is_revoked(jti) is False


async def test_concurrent_revocations_of_one_token_all_succeed(
    storage: Storage, now: datetime
) -> None:
    jti = new_jti()

    await asyncio.gather(*(storage.revocations.revoke(jti, now + HOUR) for _ in range(10)))

    assert await storage.revocations.is_revoked(jti) is True
    assert await storage.revocations.purge_expired(now + 2 * HOUR) == 1


async def test_revoking_again_keeps_the_later_expiry(storage: Storage, now: datetime) -> None:
    extended, shortened = new_jti(), new_jti()
    await storage.revocations.revoke(extended, now + HOUR)
    await storage.revocations.revoke(extended, now + 3 * HOUR)
    await storage.revocations.revoke(shortened, now + 3 * HOUR)
    await storage.revocations.revoke(shortened, now + HOUR)

    assert await storage.revocations.purge_expired(now + 2 * HOUR) == 0
    assert await storage.revocations.is_revoked(extended) is True
    assert await storage.revocations.is_revoked(shortened) is True


async def test_purge_expired_forgets_expired_revocations_and_counts_them(
    storage: Storage, now: datetime
) -> None:
    expired = [new_jti() for _ in range(3)]
    for i, jti in enumerate(expired):
        await storage.revocations.revoke(jti, now + HOUR + i * timedelta(minutes=1))
    live = new_jti()
    await storage.revocations.revoke(live, now + 3 * HOUR)

    assert await storage.revocations.purge_expired(now + 2 * HOUR) == 3
    assert await storage.revocations.purge_expired(now + 2 * HOUR) == 0
    assert [await storage.revocations.is_revoked(jti) for jti in expired] == [False] * 3
    assert await storage.revocations.is_revoked(live) is True


async def test_purge_expired_keeps_a_revocation_expiring_exactly_now(
    storage: Storage, now: datetime
) -> None:
    jti = new_jti()
    await storage.revocations.revoke(jti, now + HOUR)

    assert await storage.revocations.purge_expired(now + HOUR) == 0
    assert await storage.revocations.is_revoked(jti) is True
    assert await storage.revocations.purge_expired(now + HOUR + timedelta(milliseconds=1)) == 1


async def test_expiry_compares_by_instant_whatever_the_time_zone(
    storage: Storage, now: datetime
) -> None:
    jti = new_jti()
    await storage.revocations.revoke(jti, (now + HOUR).astimezone(timezone(timedelta(hours=5))))

    assert await storage.revocations.purge_expired(now + HOUR / 2) == 0
    assert await storage.revocations.purge_expired(now + 2 * HOUR) == 1


async def test_purge_expired_with_nothing_revoked_purges_nothing(
    storage: Storage, now: datetime
) -> None:
    assert await storage.revocations.purge_expired(now) == 0


async def test_revocations_outlive_reopening(storage: Storage, now: datetime) -> None:
    jti = new_jti()
    await storage.revocations.revoke(jti, now + HOUR)

    await storage.open()

    assert await storage.revocations.is_revoked(jti) is True
