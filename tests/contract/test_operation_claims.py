"""The repository methods that keep operations one at a time per environment, on every backend.

`set_active_operation` is a compare-and-set: of many concurrent claims, exactly one wins.
`close_unfinished` is a conditional update: of instances closing one operation, one does.
"""

import asyncio
from datetime import timedelta

import pytest

from envdeck.domain.environment import ActiveOperation
from envdeck.domain.errors import EnvironmentNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import (
    OperationError,
    OperationListOptions,
    OperationStatus,
    OperationType,
    RequestedBy,
)
from envdeck.repositories.base import Storage

from .factories import T0, make_environment, make_operation

AT = T0.replace(microsecond=0)  # storage keeps milliseconds
INTERRUPTED = OperationStatus.INTERRUPTED
GONE = OperationError(code="INTERRUPTED", message="instance web-1 (pid 41) stopped answering")


def claim(operation_id: str | None = None) -> ActiveOperation:
    return ActiveOperation(id=operation_id or new_id(), type=OperationType.RESTART, started_at=T0)


async def test_a_free_environment_is_claimed_and_shows_the_claim(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())
    active = claim()

    assert await storage.environments.set_active_operation(env.id, active) is True

    assert (await storage.environments.get_by_id(env.id)).active_operation == active


async def test_a_claimed_environment_refuses_another_claim(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())
    first = claim()
    await storage.environments.set_active_operation(env.id, first)

    assert await storage.environments.set_active_operation(env.id, claim()) is False

    assert (await storage.environments.get_by_id(env.id)).active_operation == first


async def test_a_claim_passes_on_only_from_the_expected_holder(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())
    first, rollback = claim(), claim()
    await storage.environments.set_active_operation(env.id, first)

    assert not await storage.environments.set_active_operation(env.id, rollback, new_id())
    assert await storage.environments.set_active_operation(env.id, rollback, first.id)

    assert (await storage.environments.get_by_id(env.id)).active_operation == rollback


async def test_of_many_concurrent_claims_exactly_one_wins(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())
    claims = [claim() for _ in range(10)]

    won = await asyncio.gather(
        *(storage.environments.set_active_operation(env.id, c) for c in claims)
    )

    assert won.count(True) == 1
    winner = claims[won.index(True)]
    assert (await storage.environments.get_by_id(env.id)).active_operation == winner


async def test_claiming_a_missing_environment_is_not_found(storage: Storage) -> None:
    with pytest.raises(EnvironmentNotFound):
        await storage.environments.set_active_operation(new_id(), claim())


async def test_only_the_holder_clears_its_claim(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())
    active = claim()
    await storage.environments.set_active_operation(env.id, active)

    assert await storage.environments.clear_active_operation(env.id, new_id()) is False
    assert (await storage.environments.get_by_id(env.id)).active_operation == active
    assert await storage.environments.clear_active_operation(env.id, active.id) is True
    assert (await storage.environments.get_by_id(env.id)).active_operation is None
    assert await storage.environments.set_active_operation(env.id, claim()) is True


async def test_clearing_on_a_missing_environment_is_ignored(storage: Storage) -> None:
    assert await storage.environments.clear_active_operation(new_id(), new_id()) is False


async def test_a_configuration_update_keeps_the_claim_and_operation_times(
    storage: Storage,
) -> None:
    env = await storage.environments.create(make_environment())
    stale = await storage.environments.get_by_id(env.id)
    active = claim()
    await storage.environments.set_active_operation(env.id, active)
    await storage.environments.set_operation_timestamp(env.id, "lastRestartAt", AT)

    stale.description = "edited from a page loaded before the restart"
    updated = await storage.environments.update(stale)

    assert updated.active_operation == active
    assert updated.timestamps.last_restart_at == AT
    stored = await storage.environments.get_by_id(env.id)
    assert stored.active_operation == active
    assert stored.description.startswith("edited")
    assert stored.timestamps.last_restart_at == AT


async def test_operation_timestamps_are_set_alone(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())

    await storage.environments.set_operation_timestamp(env.id, "lastUpgradeAt", AT)
    await storage.environments.set_operation_timestamp(new_id(), "lastUpgradeAt", AT)

    stored = await storage.environments.get_by_id(env.id)
    assert stored.timestamps.last_upgrade_at == AT
    assert stored.timestamps.last_restart_at is None


async def test_a_host_key_is_recorded_once_when_none_was(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())

    assert await storage.environments.set_host_key(env.id, "ssh-ed25519 AAAAfirst") is True
    assert await storage.environments.set_host_key(env.id, "ssh-ed25519 AAAAsecond") is False

    stored = await storage.environments.get_by_id(env.id)
    assert stored.target.host_key == "ssh-ed25519 AAAAfirst"
    assert await storage.environments.set_host_key(
        env.id, "ssh-ed25519 AAAAthird", expected="ssh-ed25519 AAAAfirst"
    )
    assert (await storage.environments.get_by_id(env.id)).target.host_key.endswith("third")


async def test_operations_filter_by_requesting_user(storage: Storage) -> None:
    alice, bob = new_id(), new_id()
    for user_id, name in ((alice, "a1"), (bob, "b1"), (alice, "a2")):
        await storage.operations.create(
            make_operation(environment_name=name, requested_by=RequestedBy(user_id=user_id))
        )

    items, total = await storage.operations.list(OperationListOptions(user_id=alice))

    assert total == 2
    assert [item.environment_name for item in items] == ["a2", "a1"]


async def test_lists_unfinished_operations_oldest_first(storage: Storage) -> None:
    first = await storage.operations.create(make_operation(status=OperationStatus.RUNNING))
    await storage.operations.create(make_operation(status=OperationStatus.SUCCEEDED))
    await storage.operations.create(make_operation(status=OperationStatus.INTERRUPTED))
    second = await storage.operations.create(make_operation(status=OperationStatus.PENDING))

    unfinished = await storage.operations.list_unfinished()

    assert [op.id for op in unfinished] == [first.id, second.id]
    assert unfinished[0] == first


async def test_unfinished_operations_are_closed_with_a_status_an_error_and_a_time(
    storage: Storage,
) -> None:
    running = await storage.operations.create(make_operation(status=OperationStatus.RUNNING))
    pending = await storage.operations.create(make_operation(status=OperationStatus.PENDING))
    done = await storage.operations.create(make_operation(status=OperationStatus.SUCCEEDED))
    other = await storage.operations.create(make_operation(status=OperationStatus.RUNNING))
    at = AT + timedelta(hours=1)

    closed = await storage.operations.close_unfinished(
        [running.id, pending.id, done.id, new_id(), "nope"], INTERRUPTED, GONE, at
    )

    assert sorted(op.id for op in closed) == sorted([running.id, pending.id])
    for op_id in (running.id, pending.id):
        stored = await storage.operations.get_by_id(op_id)
        assert stored in closed
        assert (stored.status, stored.finished_at, stored.error) == (INTERRUPTED, at, GONE)
        assert stored.created_at is not None
    assert (await storage.operations.get_by_id(done.id)).status is OperationStatus.SUCCEEDED
    assert (await storage.operations.get_by_id(other.id)).status is OperationStatus.RUNNING
    assert await storage.operations.list_unfinished() == [other]


async def test_closing_a_closed_operation_changes_nothing(storage: Storage) -> None:
    op = await storage.operations.create(make_operation(status=OperationStatus.RUNNING))
    cancelled = OperationError(code="CANCELLED", message="cancelled by olive")
    await storage.operations.close_unfinished([op.id], OperationStatus.CANCELLED, cancelled, AT)

    again = await storage.operations.close_unfinished([op.id], INTERRUPTED, GONE, AT)

    assert again == []
    stored = await storage.operations.get_by_id(op.id)
    assert (stored.status, stored.error) == (OperationStatus.CANCELLED, cancelled)
    assert await storage.operations.close_unfinished([], INTERRUPTED, GONE, AT) == []


async def test_of_racing_closes_of_one_operation_exactly_one_closes_it(storage: Storage) -> None:
    # Two instances sweeping at once, or a sweep and a cancel: one of them records the outcome.
    ops = [
        await storage.operations.create(make_operation(status=OperationStatus.RUNNING))
        for _ in range(5)
    ]
    ids = [op.id for op in ops]

    results = await asyncio.gather(
        *(storage.operations.close_unfinished(ids, INTERRUPTED, GONE, AT) for _ in range(8))
    )

    closed = [op.id for result in results for op in result]
    assert sorted(closed) == sorted(ids)


async def test_a_running_record_never_reopens_an_operation_another_instance_closed(
    storage: Storage,
) -> None:
    op = await storage.operations.create(make_operation(status=OperationStatus.RUNNING))
    await storage.operations.close_unfinished([op.id], INTERRUPTED, GONE, AT)

    # Its owner had stopped answering, and writes its output tail late.
    late = await storage.operations.update(op.model_copy(update={"output": "$ restart\n"}))

    stored = await storage.operations.get_by_id(op.id)
    assert late == stored
    assert (stored.status, stored.error, stored.output) == (INTERRUPTED, GONE, op.output)
    # Its outcome, once known, is recorded.
    done = op.model_copy(update={"status": OperationStatus.SUCCEEDED, "finished_at": AT})
    assert (await storage.operations.update(done)).status is OperationStatus.SUCCEEDED
