"""Retention: SQLite is purged at start and then periodically; storage that expires by itself
(MongoDB's TTL index) is left to do so."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest_asyncio

from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.log import LogEntry, LogFilter, LogListOptions, LogType
from envdeck.repositories.base import LogRepository
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity.retention import LogRetention

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "envdeck.db")
    await store.open()
    yield store
    await store.close()


def entry(days_ago: float) -> LogEntry:
    return LogEntry(
        timestamp=NOW - timedelta(days=days_ago),
        type=LogType.SYSTEM,
        action="start",
        message=f"{days_ago} days ago",
    )


async def messages(storage: SqliteStorage) -> list[str]:
    entries, _ = await storage.logs.list(LogListOptions(limit=50))
    return [e.message for e in entries]


async def test_run_once_purges_entries_older_than_the_retention(storage: SqliteStorage) -> None:
    await storage.logs.create_many([entry(91), entry(90.01), entry(89.99), entry(1)])
    retention = LogRetention(storage.logs, timedelta(days=90), lambda: NOW)

    assert await retention.run_once() == 2
    assert await messages(storage) == ["1 days ago", "89.99 days ago"]
    assert await retention.run_once() == 0


async def test_start_purges_at_once_and_close_stops(storage: SqliteStorage) -> None:
    await storage.logs.create_many([entry(100), entry(2)])
    retention = LogRetention(storage.logs, timedelta(days=7), lambda: NOW, interval=3600)

    retention.start()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if await storage.logs.count(LogFilter()) == 1:
            break
    await retention.close()

    assert await messages(storage) == ["2 days ago"]


class SelfExpiring:
    """A log repository whose storage expires entries itself, counting purges asked of it."""

    def __init__(self) -> None:
        self.retention: timedelta | None = None
        self.purges = 0
        self.unavailable = 0

    async def expire_after(self, retention: timedelta) -> bool:
        if self.unavailable:
            self.unavailable -= 1
            raise StorageUnavailable()
        self.retention = retention
        return True

    async def delete_before(self, cutoff: datetime) -> int:
        self.purges += 1
        return 0


async def test_storage_that_expires_entries_itself_is_not_purged() -> None:
    repository = SelfExpiring()
    repository.unavailable = 2  # down at start: retried
    retention = LogRetention(
        cast(LogRepository, repository), timedelta(days=30), lambda: NOW, retry_interval=0.01
    )

    retention.start()
    for _ in range(200):
        await asyncio.sleep(0.01)
        if repository.retention is not None:
            break
    await retention.close()

    assert repository.retention == timedelta(days=30)
    assert repository.purges == 0
