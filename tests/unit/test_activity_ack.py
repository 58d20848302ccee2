"""Acknowledged entries: waiting for a write wakes the writer, and concurrent waiters share it."""

import asyncio
from typing import cast

from envdeck.adapters.events import EventBus
from envdeck.domain.log import LogEntry, LogFilter, LogType
from envdeck.repositories.base import LogRepository
from envdeck.services.activity.writer import ActivityLog
from tests.fakes.storage import FakeStorage
from tests.fakes.storage_faults import FlakyLogRepository
from tests.fakes.tally import Tally

HOUR = 3600.0  # a flush interval nobody waits out: a write that happens was asked for


class GatedLogRepository:
    """A log repository whose batch writes start at once but end only when the gate opens:
    a slow storage, slow for exactly as long as the test wants."""

    def __init__(self, inner: LogRepository) -> None:
        self.inner = inner
        self.writes = Tally()  # writes started
        self.gate = asyncio.Event()

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        self.writes.add()
        await self.gate.wait()
        return await self.inner.create_many(entries)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def record(activity: ActivityLog, n: int) -> LogEntry:
    return activity.record(type=LogType.SYSTEM, action="ack", message=f"entry {n}")


async def test_waiting_for_an_entry_stores_it_at_once(storage: FakeStorage) -> None:
    activity = ActivityLog(storage.logs, EventBus(), flush_interval=HOUR)
    activity.start()
    record(activity, 1)

    assert await activity.wait_until_stored(timeout=5)

    assert await storage.logs.count(LogFilter(action="ack")) == 1
    await activity.close()


async def test_concurrent_waiters_share_batch_writes(storage: FakeStorage) -> None:
    gated = GatedLogRepository(storage.logs)
    activity = ActivityLog(cast(LogRepository, gated), EventBus(), flush_interval=HOUR)
    activity.start()

    async def request(n: int) -> bool:
        with activity.receipt() as receipt:
            record(activity, n)
        return await activity.wait_until_stored(receipt, timeout=5)

    first = [asyncio.create_task(request(n)) for n in range(20)]
    await gated.writes.reaches(1)  # their write is under way: the others arrive meanwhile
    later = [asyncio.create_task(request(n)) for n in range(20, 100)]
    await asyncio.sleep(0)
    gated.gate.set()
    results = await asyncio.gather(*first, *later)

    assert all(results)
    assert await storage.logs.count(LogFilter(action="ack")) == 100
    # Group commit: the write under way, then one for everyone who came while it ran.
    assert gated.writes.value <= 3
    await activity.close()


async def test_a_receipt_holds_only_what_its_context_recorded(storage: FakeStorage) -> None:
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


async def test_during_an_outage_waiters_are_told_at_once(storage: FakeStorage) -> None:
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(cast(LogRepository, flaky), EventBus(), flush_interval=0.01)
    activity.start()
    with activity.receipt() as receipt:
        record(activity, 1)

    assert not await activity.wait_until_stored(receipt, timeout=10)  # told at once
    assert activity.pending == 1  # still held, and retried

    flaky.down = False
    await storage.logs.stored.reaches(1)
    assert await activity.wait_until_stored(receipt, timeout=10)
    await activity.close()


async def test_a_slow_write_is_waited_for_only_so_long(storage: FakeStorage) -> None:
    slow = GatedLogRepository(storage.logs)
    activity = ActivityLog(cast(LogRepository, slow), EventBus(), flush_interval=HOUR)
    activity.start()
    with activity.receipt() as receipt:
        record(activity, 1)
    assert not await activity.wait_until_stored(receipt, timeout=0)  # wakes the writer
    await slow.writes.reaches(1)

    assert not await activity.wait_until_stored(receipt, timeout=0)  # the write hangs

    slow.gate.set()
    assert await activity.wait_until_stored(receipt, timeout=10)
    await activity.close()


async def test_entries_given_up_on_at_exit_are_not_acknowledged(storage: FakeStorage) -> None:
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(
        cast(LogRepository, flaky), EventBus(), flush_interval=0.01, close_timeout=0
    )
    activity.start()
    with activity.receipt() as receipt:
        record(activity, 1)
    waiting = asyncio.create_task(activity.wait_until_stored(receipt, timeout=30))
    await asyncio.sleep(0)

    await activity.close()  # storage never comes back: the entry goes to the process log

    assert await waiting is False
    assert not await activity.wait_until_stored(receipt, timeout=1)
    assert await storage.logs.count(LogFilter()) == 0
