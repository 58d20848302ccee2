"""Retention: storage without expiry of its own (SQLite) is purged at start and then
periodically; storage that expires by itself (MongoDB's TTL index) is left to do so."""

import asyncio
from datetime import UTC, datetime, timedelta

from envdeck.domain.log import LogEntry, LogListOptions, LogType
from envdeck.services.activity.retention import LogRetention
from tests.fakes.logs import FakeLogRepository
from tests.fakes.storage import FakeStorage

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class ObservedLogs(FakeLogRepository):
    """The in-memory log, telling when retention asked it to expire or to purge."""

    def __init__(self, *, expires_by_itself: bool = False, unavailable: int = 0) -> None:
        super().__init__(expires_by_itself=expires_by_itself)
        self.unavailable = unavailable  # refuse this many expire_after calls (storage down)
        self.expired = asyncio.Event()
        self.purged = asyncio.Event()
        self.purges = 0

    async def expire_after(self, retention: timedelta) -> bool:
        self.outage.down = self.unavailable > 0
        self.unavailable = max(0, self.unavailable - 1)
        try:
            return await super().expire_after(retention)
        finally:
            self.outage.down = False
            self.expired.set()

    async def delete_before(self, cutoff: datetime) -> int:
        self.purges += 1
        deleted = await super().delete_before(cutoff)
        self.purged.set()
        return deleted


def entry(days_ago: float) -> LogEntry:
    return LogEntry(
        timestamp=NOW - timedelta(days=days_ago),
        type=LogType.SYSTEM,
        action="start",
        message=f"{days_ago} days ago",
    )


async def messages(logs: FakeLogRepository) -> list[str]:
    entries, _ = await logs.list(LogListOptions(limit=50))
    return [e.message for e in entries]


async def test_run_once_purges_entries_older_than_the_retention(storage: FakeStorage) -> None:
    await storage.logs.create_many([entry(91), entry(90.01), entry(89.99), entry(1)])
    retention = LogRetention(storage.logs, timedelta(days=90), lambda: NOW)

    assert await retention.run_once() == 2
    assert await messages(storage.logs) == ["1 days ago", "89.99 days ago"]
    assert await retention.run_once() == 0


async def test_start_purges_at_once_and_close_stops() -> None:
    logs = ObservedLogs()
    await logs.create_many([entry(100), entry(2)])
    retention = LogRetention(logs, timedelta(days=7), lambda: NOW, interval=3600)

    retention.start()
    await asyncio.wait_for(logs.purged.wait(), timeout=10)
    await retention.close()

    assert await messages(logs) == ["2 days ago"]
    assert logs.purges == 1  # the next purge is an hour away, and close() stopped it


async def test_storage_that_expires_entries_itself_is_not_purged() -> None:
    logs = ObservedLogs(expires_by_itself=True, unavailable=2)  # down at start: retried
    retention = LogRetention(logs, timedelta(days=30), lambda: NOW, retry_interval=0)

    retention.start()
    while logs.retention is None:
        logs.expired.clear()
        await asyncio.wait_for(logs.expired.wait(), timeout=10)
    await retention.close()

    assert logs.retention == timedelta(days=30)
    assert logs.purges == 0
