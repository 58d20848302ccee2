"""Acknowledged entries: waiting for a write wakes the writer, and concurrent waiters share it."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest_asyncio

from envdeck.adapters.events import EventBus
from envdeck.domain.log import LogEntry, LogFilter, LogType
from envdeck.repositories.base import LogRepository
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity.writer import ActivityLog
from tests.fakes.storage_faults import FlakyLogRepository

HOUR = 3600.0  # a flush interval nobody waits out: a write that happens was asked for


class CountingLogRepository:
    """The real repository, counting its batch writes (each taking `delay` seconds)."""

    def __init__(self, inner: LogRepository) -> None:
        self.inner = inner
        self.writes = 0
        self.delay = 0.01  # a write takes a while: waiters arrive meanwhile

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        self.writes += 1
        await asyncio.sleep(self.delay)
        return await self.inner.create_many(entries)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


@pytest_asyncio.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "envdeck.db")
    await store.open()
    yield store
    await store.close()


def record(activity: ActivityLog, n: int) -> LogEntry:
    return activity.record(type=LogType.SYSTEM, action="ack", message=f"entry {n}")


async def test_waiting_for_an_entry_stores_it_at_once(storage: SqliteStorage) -> None:
    activity = ActivityLog(storage.logs, EventBus(), flush_interval=HOUR)
    activity.start()
    record(activity, 1)

    assert await activity.wait_until_stored(timeout=5)

    assert await storage.logs.count(LogFilter(action="ack")) == 1
    await activity.close()


async def test_concurrent_waiters_share_batch_writes(storage: SqliteStorage) -> None:
    counting = CountingLogRepository(storage.logs)
    activity = ActivityLog(cast(LogRepository, counting), EventBus(), flush_interval=HOUR)
    activity.start()

    async def request(n: int) -> bool:
        with activity.receipt() as receipt:
            record(activity, n)
        await asyncio.sleep(0.001 * (n % 5))
        return await activity.wait_until_stored(receipt, timeout=5)

    results = await asyncio.gather(*(request(n) for n in range(100)))

    assert all(results)
    assert await storage.logs.count(LogFilter(action="ack")) == 100
    assert counting.writes < 20  # group commit: far fewer writes than waiters
    await activity.close()


async def test_a_receipt_holds_only_what_its_context_recorded(storage: SqliteStorage) -> None:
    activity = ActivityLog(storage.logs, EventBus(), flush_interval=HOUR)
    record(activity, 0)
    with activity.receipt() as receipt:
        record(activity, 1)
        mine = receipt.last
        # A task started inside the block runs in a copy of its context: once the receipt is
        # closed, what the task records is no longer the request's.
        receipt.open = False
        record(activity, 2)
    record(activity, 3)

    assert mine == 2
    assert receipt.last == 2
    await activity.close()


async def test_during_an_outage_waiters_are_told_at_once(
    storage: SqliteStorage,
) -> None:
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(cast(LogRepository, flaky), EventBus(), flush_interval=0.01)
    activity.start()
    with activity.receipt() as receipt:
        record(activity, 1)

    assert not await activity.wait_until_stored(receipt, timeout=10)  # told at once
    assert activity.pending == 1  # still held, and retried

    flaky.down = False
    for _ in range(500):
        if activity.pending == 0:
            break
        await asyncio.sleep(0.01)
    assert await activity.wait_until_stored(receipt, timeout=10)
    await activity.close()


async def test_a_slow_write_is_waited_for_only_so_long(storage: SqliteStorage) -> None:
    slow = CountingLogRepository(storage.logs)
    slow.delay = 1.0
    activity = ActivityLog(cast(LogRepository, slow), EventBus(), flush_interval=HOUR)
    activity.start()
    with activity.receipt() as receipt:
        record(activity, 1)

    assert not await activity.wait_until_stored(receipt, timeout=0.2)
    assert await activity.wait_until_stored(receipt, timeout=10)
    await activity.close()


async def test_entries_given_up_on_at_exit_are_not_acknowledged(storage: SqliteStorage) -> None:
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(
        cast(LogRepository, flaky), EventBus(), flush_interval=0.01, close_timeout=0.1
    )
    activity.start()
    with activity.receipt() as receipt:
        record(activity, 1)
    waiting = asyncio.create_task(activity.wait_until_stored(receipt, timeout=30))
    await asyncio.sleep(0.05)

    await activity.close()  # storage never comes back: the entry goes to the process log

    assert await waiting is False
    assert not await activity.wait_until_stored(receipt, timeout=1)
