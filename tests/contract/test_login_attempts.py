"""The LoginAttemptRepository contract, on every backend: windows by key, compare-and-set.

Expiry times lie in the real future unless a test says otherwise: MongoDB's TTL monitor may
delete an expired window at any moment.
"""

import asyncio
from datetime import datetime, timedelta

import pytest

from envdeck.domain.clock import utc_now
from envdeck.domain.login_attempt import ANY, AttemptWindow
from envdeck.repositories.base import Storage

HOUR = timedelta(hours=1)


@pytest.fixture
def now() -> datetime:
    return utc_now()


def window(
    key: str, version: int, now: datetime, *, account: str = "user:1", client: str = "10.0.0.1"
) -> AttemptWindow:
    attempts = [now - timedelta(seconds=n) for n in range(version)]
    return AttemptWindow(
        key=key,
        account=account,
        client=client,
        attempts=attempts,
        version=version,
        expires_at=now + HOUR,
    )


async def test_a_key_never_written_has_no_window(storage: Storage) -> None:
    assert await storage.login_attempts.get('["user:1","10.0.0.1"]') is None


async def test_the_first_version_is_stored_and_read_back_alike(
    storage: Storage, now: datetime
) -> None:
    first = window('["user:1","10.0.0.1"]', 1, now)
    first.attempts = [now, now - timedelta(milliseconds=1500)]

    assert await storage.login_attempts.save(first) is True

    assert await storage.login_attempts.get(first.key) == first


async def test_a_write_lands_only_over_its_previous_version(
    storage: Storage, now: datetime
) -> None:
    repository = storage.login_attempts
    key = '["user:1","10.0.0.1"]'
    assert await repository.save(window(key, 1, now)) is True
    assert await repository.save(window(key, 1, now)) is False  # already stored
    assert await repository.save(window(key, 3, now)) is False  # skips a version
    assert await repository.save(window(key, 2, now)) is True
    assert await repository.save(window(key, 2, now)) is False

    stored = await repository.get(key)
    assert stored is not None
    assert stored.version == 2
    assert len(stored.attempts) == 2


async def test_of_concurrent_writes_of_one_version_exactly_one_lands(
    storage: Storage, now: datetime
) -> None:
    repository = storage.login_attempts
    key = '["user:1","10.0.0.1"]'
    assert await repository.save(window(key, 1, now)) is True

    landed = await asyncio.gather(*(repository.save(window(key, 2, now)) for _ in range(12)))

    assert sorted(landed) == [False] * 11 + [True]


async def test_of_concurrent_first_writes_exactly_one_lands(
    storage: Storage, now: datetime
) -> None:
    key = '["user:2","10.0.0.2"]'

    landed = await asyncio.gather(
        *(storage.login_attempts.save(window(key, 1, now)) for _ in range(12))
    )

    assert sorted(landed) == [False] * 11 + [True]


async def test_deleting_an_account_deletes_its_windows_only(
    storage: Storage, now: datetime
) -> None:
    repository = storage.login_attempts
    mine = [
        window('["user:1","10.0.0.1"]', 1, now),
        window('["user:1","10.0.0.2"]', 1, now, client="10.0.0.2"),
        window('["user:1","*"]', 1, now, client=ANY),
    ]
    others = [
        window('["user:2","10.0.0.1"]', 1, now, account="user:2"),
        window('["*","10.0.0.1"]', 1, now, account=ANY),
    ]
    for each in mine + others:
        assert await repository.save(each) is True

    assert await repository.delete_for_account("user:1") == 3

    for each in mine:
        assert await repository.get(each.key) is None
    for each in others:
        assert await repository.get(each.key) is not None
    assert await repository.delete_for_account("user:1") == 0


async def test_purging_deletes_the_expired_windows_only(storage: Storage, now: datetime) -> None:
    repository = storage.login_attempts
    expired = window('["user:1","10.0.0.1"]', 1, now)
    expired.expires_at = now - HOUR
    kept = window('["user:2","10.0.0.1"]', 1, now, account="user:2")
    await repository.save(expired)
    await repository.save(kept)

    # The TTL monitor of MongoDB may have deleted the expired window already.
    assert await repository.purge_expired(now) in (0, 1)

    assert await repository.get(expired.key) is None
    assert await repository.get(kept.key) is not None
