"""The InstanceRepository contract (the instance registry), on every backend."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from envdeck.domain.ids import new_id
from envdeck.domain.instance import Instance
from envdeck.repositories.base import Storage
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from ..conftest import drop_database, unique_database_name
from .test_sqlite_storage import execute_script, opened, user_version

T0 = datetime(2026, 5, 1, 9, 0, 0, 125_000, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def make_instance(**overrides: Any) -> Instance:
    fields: dict[str, Any] = {
        "id": new_id(),
        "host": "envdeck-1.internal",
        "pid": 4242,
        "version": "1.4.0",
        "backend": "sqlite",
        "started_at": T0,
        "last_seen": T0,
    }
    return Instance.model_validate(fields | overrides)


def beat(instance: Instance, at: datetime) -> Instance:
    return instance.model_copy(update={"last_seen": at})


async def test_a_heartbeat_registers_the_instance_with_every_field(storage: Storage) -> None:
    instance = make_instance()

    await storage.instances.upsert_heartbeat(instance)

    assert await storage.instances.list_seen_since(T0) == [instance]


async def test_later_heartbeats_move_last_seen_of_the_one_record(storage: Storage) -> None:
    instance = make_instance()
    await storage.instances.upsert_heartbeat(instance)

    await storage.instances.upsert_heartbeat(beat(instance, T0 + 5 * SECOND))
    await storage.instances.upsert_heartbeat(beat(instance, T0 + 10 * SECOND))

    listed = await storage.instances.list_seen_since(T0 - SECOND)
    assert [(i.id, i.last_seen, i.started_at) for i in listed] == [
        (instance.id, T0 + 10 * SECOND, T0)
    ]


async def test_mark_stopped_records_the_stop_as_the_last_sighting(storage: Storage) -> None:
    instance = make_instance()
    await storage.instances.upsert_heartbeat(instance)

    assert await storage.instances.mark_stopped(instance.id, T0 + 3 * SECOND) is True

    (stopped,) = await storage.instances.list_seen_since(T0)
    assert stopped.stopped_at == T0 + 3 * SECOND
    assert stopped.last_seen == T0 + 3 * SECOND
    assert stopped.model_dump(exclude={"stopped_at", "last_seen"}) == instance.model_dump(
        exclude={"stopped_at", "last_seen"}
    )


async def test_mark_stopped_of_an_unknown_instance_changes_nothing(storage: Storage) -> None:
    await storage.instances.upsert_heartbeat(make_instance())

    assert await storage.instances.mark_stopped(new_id(), T0) is False
    assert await storage.instances.mark_stopped("not-an-id", T0) is False
    assert [i.stopped_at for i in await storage.instances.list_seen_since(T0)] == [None]


async def test_a_heartbeat_landing_after_the_stop_keeps_the_stop(storage: Storage) -> None:
    # One in flight at shutdown: a stop is final.
    instance = make_instance()
    await storage.instances.upsert_heartbeat(instance)
    await storage.instances.mark_stopped(instance.id, T0 + SECOND)

    await storage.instances.upsert_heartbeat(beat(instance, T0 + 2 * SECOND))

    (listed,) = await storage.instances.list_seen_since(T0)
    assert listed.stopped_at == T0 + SECOND
    assert listed.last_seen == T0 + 2 * SECOND


async def test_list_seen_since_keeps_the_boundary_and_orders_latest_started_first(
    storage: Storage,
) -> None:
    old = make_instance(started_at=T0 - 3 * SECOND, last_seen=T0 - SECOND)
    boundary = make_instance(started_at=T0 - 2 * SECOND, last_seen=T0)
    newer = make_instance(started_at=T0, last_seen=T0 + SECOND, pid=7)
    newest = make_instance(started_at=T0 + SECOND, last_seen=T0 + SECOND, backend="mongodb")
    for instance in (newer, old, newest, boundary):
        await storage.instances.upsert_heartbeat(instance)

    listed = await storage.instances.list_seen_since(T0)

    assert [i.id for i in listed] == [newest.id, newer.id, boundary.id]
    assert await storage.instances.list_seen_since(T0 + 2 * SECOND) == []


async def test_list_seen_since_compares_instants_whatever_the_time_zone(storage: Storage) -> None:
    instance = make_instance(last_seen=T0.astimezone(timezone(timedelta(hours=-7))))
    await storage.instances.upsert_heartbeat(instance)

    assert [i.id for i in await storage.instances.list_seen_since(T0)] == [instance.id]
    assert await storage.instances.list_seen_since(T0 + timedelta(milliseconds=1)) == []


async def test_purge_seen_before_deletes_only_older_records_and_counts_them(
    storage: Storage,
) -> None:
    gone = [make_instance(last_seen=T0 - i * SECOND) for i in (1, 2)]
    kept = make_instance(last_seen=T0)
    for instance in (*gone, kept):
        await storage.instances.upsert_heartbeat(instance)

    assert await storage.instances.purge_seen_before(T0) == 2
    assert await storage.instances.purge_seen_before(T0) == 0
    assert [i.id for i in await storage.instances.list_seen_since(T0 - 9 * SECOND)] == [kept.id]


async def test_instances_outlive_reopening(storage: Storage) -> None:
    instance = make_instance()
    await storage.instances.upsert_heartbeat(instance)

    await storage.open()

    assert await storage.instances.list_seen_since(T0) == [instance]


async def test_a_version_8_sqlite_database_gains_the_instances_table(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    execute_script(path, "DROP TABLE instances; PRAGMA user_version = 8;")

    async with opened(path) as storage:
        instance = make_instance()
        await storage.instances.upsert_heartbeat(instance)

        assert await storage.instances.list_seen_since(T0) == [instance]
    assert user_version(path) == SCHEMA_VERSION


async def test_mongodb_indexes_instances_by_last_seen(mongo_uri: str) -> None:
    database = unique_database_name()
    storage = MongoStorage(mongo_uri, database)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        await storage.open()
        indexes = await client[database]["instances"].index_information()
    finally:
        await storage.close()
        await client.close()
        await drop_database(mongo_uri, database)

    assert (("lastSeen", 1),) in {tuple(spec["key"]) for spec in indexes.values()}
