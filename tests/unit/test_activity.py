"""The activity log's write path: batched off the caller, nothing lost on a clean stop."""

import asyncio
from typing import cast

import pytest
import structlog

from envdeck.adapters.events import Event, EventBus, LogRecorded
from envdeck.domain.log import ActivityLogUnavailable, LogFilter, LogLevel, LogListOptions, LogType
from envdeck.repositories.base import LogRepository
from envdeck.services.activity.writer import ActivityLog
from tests.fakes.storage import FakeStorage
from tests.fakes.storage_faults import FlakyLogRepository


def record_login(activity: ActivityLog, n: int) -> None:
    activity.record(
        type=LogType.AUTH,
        action="login",
        message=f"alice logged in ({n})",
        level=LogLevel.SUCCESS,
        username="alice",
    )


async def test_record_returns_at_once_and_stores_later(storage: FakeStorage) -> None:
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=0.01)
    activity.start()
    record_login(activity, 1)
    assert await storage.logs.count(LogFilter()) == 0
    assert activity.pending == 1

    await storage.logs.stored.reaches(1)  # the writer, on its own

    assert await storage.logs.count(LogFilter()) == 1
    await activity.close()
    await bus.close()


async def test_close_stores_everything_still_pending(storage: FakeStorage) -> None:
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=60, batch_size=100)
    activity.start()
    for n in range(250):
        record_login(activity, n)
    await activity.close()
    entries, total = await storage.logs.list(LogListOptions(limit=200))
    assert total == 250
    assert entries[0].message == "alice logged in (249)"
    await bus.close()


async def test_publishes_each_stored_entry(storage: FakeStorage) -> None:
    bus = EventBus()
    seen: list[str] = []

    async def on_log(event: Event) -> None:
        assert isinstance(event, LogRecorded)
        seen.append(event.entry.id)

    bus.subscribe("test", on_log, topics={LogRecorded.topic})
    activity = ActivityLog(storage.logs, bus)
    record_login(activity, 1)
    await activity.flush()
    await bus.drain()
    assert len(seen) == 1
    assert len(seen[0]) == 24
    await bus.close()


async def test_keeps_entries_in_order_through_a_storage_outage(storage: FakeStorage) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    activity = ActivityLog(cast(LogRepository, flaky), bus, flush_interval=0.01, batch_size=10)
    activity.start()
    flaky.down = True
    for n in range(25):
        record_login(activity, n)
    await flaky.refusals.reaches(2)  # the writer tried, and tried again
    assert activity.pending == 25
    flaky.down = False
    await activity.close()
    entries, total = await storage.logs.list(LogListOptions(limit=50))
    assert total == 25
    assert [e.message for e in reversed(entries)] == [f"alice logged in ({n})" for n in range(25)]
    await bus.close()


async def test_flush_reports_an_outage_instead_of_dropping(storage: FakeStorage) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(cast(LogRepository, flaky), bus)
    record_login(activity, 1)
    with pytest.raises(Exception, match="unreachable"):
        await activity.flush()
    assert activity.pending == 1
    await bus.close()


async def test_record_refuses_past_the_bound_and_keeps_what_it_holds(
    storage: FakeStorage,
) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(cast(LogRepository, flaky), bus, max_pending=5)
    for n in range(5):
        record_login(activity, n)

    with pytest.raises(ActivityLogUnavailable) as refused:
        record_login(activity, 5)

    assert (refused.value.status, refused.value.code) == (503, "UNAVAILABLE")
    assert int(refused.value.headers["Retry-After"]) >= 1
    assert activity.pending == 5
    assert not activity.has_room
    flaky.down = False
    await activity.flush()
    assert activity.has_room
    record_login(activity, 6)
    await activity.flush()
    entries, _ = await storage.logs.list(LogListOptions(limit=50))
    assert [e.message for e in reversed(entries)] == [
        f"alice logged in ({n})" for n in [0, 1, 2, 3, 4, 6]
    ]
    await bus.close()


async def test_wait_for_room_returns_once_the_writer_has_caught_up(
    storage: FakeStorage,
) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(
        cast(LogRepository, flaky), bus, flush_interval=0.01, batch_size=4, max_pending=8
    )
    activity.start()
    for n in range(8):
        record_login(activity, n)
    waiter = asyncio.create_task(activity.wait_for_room())
    await flaky.refusals.reaches(2)  # the writer has tried while the producer waited
    assert not waiter.done()

    flaky.down = False
    await asyncio.wait_for(waiter, timeout=10)

    assert activity.has_room
    record_login(activity, 8)
    await activity.close()
    assert await storage.logs.count(LogFilter()) == 9
    await bus.close()


async def test_a_producer_that_waits_for_room_loses_nothing_through_outages(
    storage: FakeStorage,
) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    activity = ActivityLog(
        cast(LogRepository, flaky),
        bus,
        flush_interval=0.005,
        batch_size=10,
        max_pending=25,
        max_retry_delay=0.02,
    )
    activity.start()
    for n in range(300):
        if n in (50, 150, 250):
            flaky.refuse_next = 3  # storage goes away for three writes
        await activity.wait_for_room()
        record_login(activity, n)
        assert activity.pending <= 25
    await activity.close()

    entries, total = await storage.logs.list(LogListOptions(limit=200, page=1))
    rest, _ = await storage.logs.list(LogListOptions(limit=200, page=2))
    assert total == 300
    assert flaky.refused > 0
    assert [e.message for e in reversed(entries + rest)] == [
        f"alice logged in ({n})" for n in range(300)
    ]
    await bus.close()


def test_retries_back_off_exponentially_up_to_a_cap() -> None:
    activity = ActivityLog(
        cast(LogRepository, None), EventBus(), flush_interval=0.2, max_retry_delay=5.0
    )

    delays = [activity.retry_delay(failures) for failures in range(1, 8)]

    assert delays == [0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]


async def test_the_writer_survives_an_unexpected_error(storage: FakeStorage) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    flaky.broken = True
    activity = ActivityLog(
        cast(LogRepository, flaky), bus, flush_interval=0.01, max_retry_delay=0.02
    )
    activity.start()
    record_login(activity, 1)
    await storage.logs.stored.reaches(1)  # written on the retry after the error
    record_login(activity, 2)
    await activity.close()
    assert await storage.logs.count(LogFilter()) == 2
    await bus.close()


async def test_close_waits_for_storage_to_come_back(storage: FakeStorage) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(
        cast(LogRepository, flaky), bus, flush_interval=0.01, max_retry_delay=0.02, close_timeout=30
    )
    activity.start()
    record_login(activity, 1)
    closing = asyncio.create_task(activity.close())
    await flaky.refusals.reaches(2)  # close() is retrying
    assert not closing.done()

    flaky.down = False
    await asyncio.wait_for(closing, timeout=10)

    assert await storage.logs.count(LogFilter()) == 1
    await bus.close()


async def test_close_writes_what_storage_never_took_to_the_process_log(
    storage: FakeStorage,
) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    # close_timeout 0: close() gives up after its first refused write.
    activity = ActivityLog(cast(LogRepository, flaky), bus, close_timeout=0)
    entry = activity.record(type=LogType.SYSTEM, action="stop", message="stopping")

    with structlog.testing.capture_logs() as logs:
        await activity.close()

    spilled = [line for line in logs if line["event"] == "activity_log_entry_unstored"]
    assert [line["entry"]["id"] for line in spilled] == [entry.id]
    assert spilled[0]["entry"]["message"] == "stopping"
    assert activity.pending == 0
    await bus.close()


async def test_a_closed_log_refuses_entries_and_wakes_waiting_producers(
    storage: FakeStorage,
) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    activity = ActivityLog(cast(LogRepository, flaky), bus, max_pending=1)
    record_login(activity, 1)
    waiter = asyncio.create_task(activity.wait_for_room())
    await asyncio.sleep(0)

    await activity.close()

    with pytest.raises(ActivityLogUnavailable, match="closed"):
        await asyncio.wait_for(waiter, timeout=5)
    with pytest.raises(ActivityLogUnavailable, match="closed"):
        record_login(activity, 2)
    assert await storage.logs.count(LogFilter()) == 1
    await bus.close()
