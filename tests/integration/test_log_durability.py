"""The activity log loses nothing: not through a storage outage, not at a clean shutdown.

The outage is real: the MongoDB server (SecantusDB) is stopped for 10 s in the middle of a
burst, and started again on the same port with the same data; the app keeps running all along.
"""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient
from secantus import SecantusDBServer

from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.log import ActivityLogUnavailable, LogFilter, LogType
from envdeck.repositories.base import Storage
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity.writer import ActivityLog
from tests.conftest import BACKENDS, drop_database, unique_database_name

BURST = 5000
OUTAGE_SECONDS = 10.0


def record_chunk(activity: ActivityLog, start: int, size: int) -> list[str]:
    return [
        activity.record(type=LogType.SYSTEM, action="burst", message=f"burst {n}").id
        for n in range(start, start + size)
    ]


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_every_entry_of_a_burst_survives_a_10_second_storage_outage(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    data = str(tmp_path / "mongo")
    server = SecantusDBServer(storage_path=data)
    server.start()
    port, database = server.port, unique_database_name()
    settings = make_settings(MONGODB_URI=server.uri, MONGODB_DATABASE=database)
    app = create_app(settings)
    recorded: list[str] = []
    try:
        with TestClient(app) as client:
            assert client.portal is not None
            activity: ActivityLog = app.state.services.activity
            recorded += client.portal.call(record_chunk, activity, 0, BURST // 2)

            server.stop()  # mid-burst: a write may be in flight
            outage_started = time.monotonic()
            for start in range(BURST // 2, BURST, 250):
                recorded += client.portal.call(record_chunk, activity, start, 250)
                time.sleep(0.5)
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
            assert activity.pending > 0  # held while storage was away
            # The same server again: same port, same data.
            server = SecantusDBServer(port=port, storage_path=data)
            server.start()
            # Written by the running app once storage is back, not by the shutdown flush.
            wait_until(lambda: activity.pending == 0, timeout=60)
        with MongoClient(server.uri) as mongo:
            logs = mongo[database]["logs"]
            stored = {str(doc["_id"]) for doc in logs.find({"action": "burst"}, {"_id": 1})}
            burst_count = logs.count_documents({"action": "burst"})
    finally:
        server.stop()

    assert len(recorded) == BURST
    assert stored == set(recorded)
    assert burst_count == BURST  # none twice


async def open_storage(backend: str, settings: Settings) -> Storage:
    storage: Storage
    if backend == "sqlite":
        storage = SqliteStorage(settings.sqlite_path)
    else:
        storage = MongoStorage(settings.storage_uri, settings.database.database)
    await storage.open()
    return storage


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_clean_shutdown_in_the_middle_of_a_burst_loses_nothing(
    make_settings: Callable[..., Settings], request: pytest.FixtureRequest, backend: str
) -> None:
    environ = {}
    if backend == "mongo":
        environ = {
            "MONGODB_URI": request.getfixturevalue("mongo_uri"),
            "MONGODB_DATABASE": unique_database_name(),
        }
    settings = make_settings(**environ)
    app = create_app(settings)
    accepted: list[str] = []
    stopped: list[BaseException] = []

    async def produce() -> None:
        # A background producer: it takes backpressure, and records until it is refused.
        activity: ActivityLog = app.state.services.activity
        try:
            n = 0
            while True:
                await activity.wait_for_room()
                accepted.extend(record_chunk(activity, n, 1))
                n += 1
                if n % 20 == 0:
                    await asyncio.sleep(0)
        except ActivityLogUnavailable as exc:
            stopped.append(exc)

    def run_app() -> None:
        with TestClient(app) as client:
            assert client.portal is not None
            client.portal.start_task_soon(produce)
            wait_until(lambda: len(accepted) >= 2000, timeout=60)
        # Leaving the block shuts the app down while the producer is still recording.

    await asyncio.to_thread(run_app)

    storage = await open_storage(backend, settings)
    try:
        stored = await storage.logs.count(LogFilter(action="burst"))
        entries = [
            entry.id
            async for batch in storage.logs.iterate(LogFilter(action="burst"), 1000)
            for entry in batch
        ]
    finally:
        await storage.close()
        if backend == "mongo":
            await drop_database(settings.storage_uri, settings.database.database)
    assert len(accepted) >= 2000
    assert stored == len(accepted)
    assert set(entries) == set(accepted)
    assert stopped, "the producer was refused once the log closed"
