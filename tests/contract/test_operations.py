"""The OperationRepository contract, on every backend."""

import asyncio

import pytest

from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.operation import (
    OperationListOptions,
    OperationStatus,
    OperationType,
)
from envdeck.repositories.base import Storage

from .factories import T0, make_full_operation, make_operation


async def list_names(storage: Storage, **options: object) -> list[str]:
    items, _ = await storage.operations.list(OperationListOptions(limit=200, **options))
    return [item.environment_name for item in items]


async def test_create_assigns_an_id_and_the_creation_time(storage: Storage) -> None:
    given = make_operation(created_at=T0)

    created = await storage.operations.create(given)

    assert is_valid_id(created.id)
    assert created.created_at is not None
    assert created.created_at != T0


async def test_create_keeps_an_id_the_caller_set(storage: Storage) -> None:
    # The operation service claims the environment under the id before the record exists.
    chosen = new_id()

    created = await storage.operations.create(make_operation(id=chosen))

    assert created.id == chosen
    assert (await storage.operations.get_by_id(chosen)).id == chosen


async def test_round_trips_a_fully_populated_operation(storage: Storage) -> None:
    created = await storage.operations.create(make_full_operation())

    fetched = await storage.operations.get_by_id(created.id)

    assert fetched == created
    assert fetched.finished_at == created.finished_at
    assert fetched.error is not None
    assert fetched.error.code == "VERIFY_FAILED"


@pytest.mark.parametrize(
    "missing_id", [new_id(), "nope", "z" * 24, ""], ids=["absent", "nope", "zzz", "empty"]
)
async def test_missing_and_malformed_ids_are_not_found(storage: Storage, missing_id: str) -> None:
    await storage.operations.create(make_operation())

    with pytest.raises(OperationNotFound):
        await storage.operations.get_by_id(missing_id)
    with pytest.raises(OperationNotFound):
        await storage.operations.update(make_operation(id=missing_id))


async def test_update_replaces_the_operation(storage: Storage) -> None:
    created = await storage.operations.create(make_operation())
    finished = make_full_operation(
        environment_id=created.environment_id,
        status="succeeded",
        error=None,
        verification=None,
    ).model_copy(update={"id": created.id, "created_at": created.created_at})

    updated = await storage.operations.update(finished)

    assert updated == finished
    assert await storage.operations.get_by_id(created.id) == finished


async def test_update_keeps_the_creation_time(storage: Storage) -> None:
    created = await storage.operations.create(make_operation())
    await asyncio.sleep(0.002)

    updated = await storage.operations.update(
        created.model_copy(update={"status": OperationStatus.RUNNING, "created_at": T0})
    )

    assert updated.created_at == created.created_at
    assert (await storage.operations.get_by_id(created.id)).created_at == created.created_at


async def test_lists_newest_first(storage: Storage) -> None:
    for name in ["first", "second", "third"]:
        await storage.operations.create(make_operation(environment_name=name))
        await asyncio.sleep(0.003)

    assert await list_names(storage) == ["third", "second", "first"]


async def test_operations_created_in_one_millisecond_list_newest_first(storage: Storage) -> None:
    created = [await storage.operations.create(make_operation()) for _ in range(5)]

    items, _ = await storage.operations.list(OperationListOptions())

    # Ids grow with creation, so they order operations that share a creation time.
    assert [op.id for op in items] == [op.id for op in reversed(created)]


async def test_filters_by_environment_status_and_type(storage: Storage) -> None:
    env_a, env_b = new_id(), new_id()
    await storage.operations.create(
        make_operation(environment_id=env_a, environment_name="a-restart", status="running")
    )
    await storage.operations.create(
        make_operation(
            environment_id=env_a, environment_name="a-upgrade", type=OperationType.UPGRADE
        )
    )
    await storage.operations.create(
        make_operation(environment_id=env_b, environment_name="b-restart", status="failed")
    )

    assert sorted(await list_names(storage, environment_id=env_a)) == ["a-restart", "a-upgrade"]
    assert await list_names(storage, status=OperationStatus.FAILED) == ["b-restart"]
    assert await list_names(storage, type=OperationType.UPGRADE) == ["a-upgrade"]
    assert await list_names(
        storage, environment_id=env_a, type=OperationType.RESTART, status="running"
    ) == ["a-restart"]
    assert await list_names(storage, environment_id=new_id()) == []


async def test_pages_operations(storage: Storage) -> None:
    assert await storage.operations.list(OperationListOptions()) == ([], 0)
    for i in range(3):
        await storage.operations.create(make_operation(environment_name=f"op{i}"))
        await asyncio.sleep(0.002)

    page, total = await storage.operations.list(OperationListOptions(limit=1, page=3))
    past, past_total = await storage.operations.list(OperationListOptions(limit=1, page=4))

    assert [op.environment_name for op in page] == ["op0"]
    assert total == 3
    assert (past, past_total) == ([], 3)
