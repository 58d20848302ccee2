"""The activity log's write path: batched off the caller, nothing lost on a clean stop."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest
import pytest_asyncio

from envdeck.domain.log import LogFilter, LogLevel, LogListOptions, LogType
from envdeck.repositories.base import LogRepository
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity import ActivityLog
from envdeck.services.events import Event, EventBus, LogRecorded
from tests.fakes.storage_faults import FlakyLogRepository


@pytest_asyncio.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "envdeck.db")
    await store.open()
    yield store
    await store.close()


def record_login(activity: ActivityLog, n: int) -> None:
    activity.record(
        type=LogType.AUTH,
        action="login",
        message=f"alice logged in ({n})",
        level=LogLevel.SUCCESS,
        username="alice",
    )


async def test_record_returns_at_once_and_stores_later(storage: SqliteStorage) -> None:
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=0.05)
    activity.start()
    record_login(activity, 1)
    assert await storage.logs.count(LogFilter()) == 0
    assert activity.pending == 1
    for _ in range(100):
        await asyncio.sleep(0.02)
        if activity.pending == 0:
            break
    assert await storage.logs.count(LogFilter()) == 1
    await activity.close()
    await bus.close()


async def test_close_stores_everything_still_pending(storage: SqliteStorage) -> None:
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


async def test_publishes_each_stored_entry(storage: SqliteStorage) -> None:
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


async def test_keeps_entries_in_order_through_a_storage_outage(storage: SqliteStorage) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    activity = ActivityLog(cast(LogRepository, flaky), bus, flush_interval=0.01, batch_size=10)
    activity.start()
    flaky.down = True
    for n in range(25):
        record_login(activity, n)
    await asyncio.sleep(0.1)
    assert flaky.refused > 0
    assert activity.pending == 25
    flaky.down = False
    await activity.close()
    entries, total = await storage.logs.list(LogListOptions(limit=50))
    assert total == 25
    assert [e.message for e in reversed(entries)] == [f"alice logged in ({n})" for n in range(25)]
    await bus.close()


async def test_flush_reports_an_outage_instead_of_dropping(storage: SqliteStorage) -> None:
    bus = EventBus()
    flaky = FlakyLogRepository(storage.logs)
    flaky.down = True
    activity = ActivityLog(cast(LogRepository, flaky), bus)
    record_login(activity, 1)
    with pytest.raises(Exception, match="unreachable"):
        await activity.flush()
    assert activity.pending == 1
    await bus.close()
