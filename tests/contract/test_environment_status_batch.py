"""update_statuses and update_system_info: the health engine's writes, on every backend."""

from datetime import timedelta

import pytest

from envdeck.domain.environment import EnvironmentListOptions, HealthState, Status, SystemInfo
from envdeck.domain.errors import EnvironmentNotFound
from envdeck.domain.ids import new_id
from envdeck.repositories.base import Storage

from .factories import T0, T0_MS, make_environment


def healthy(at_offset: int = 0, **fields: object) -> Status:
    return Status(
        health=HealthState.HEALTHY,
        last_check=T0 + timedelta(seconds=at_offset),
        message="ok",
        response_time=12.5,
        status_code=200,
        since=T0,
        **fields,  # type: ignore[arg-type]
    )


async def test_update_statuses_writes_every_status_in_the_batch(storage: Storage) -> None:
    a = await storage.environments.create(make_environment())
    b = await storage.environments.create(make_environment())
    down = Status(
        health=HealthState.UNHEALTHY,
        last_check=T0,
        message="expected status 2xx, got 503",
        status_code=503,
        since=T0,
        consecutive_failures=3,
    )

    await storage.environments.update_statuses({a.id: healthy(), b.id: down})

    assert (await storage.environments.get_by_id(a.id)).status == healthy()
    assert (await storage.environments.get_by_id(b.id)).status == down


async def test_update_statuses_serves_the_health_filter_and_counts(storage: Storage) -> None:
    a = await storage.environments.create(make_environment())
    b = await storage.environments.create(make_environment())
    down = Status(health=HealthState.UNHEALTHY, last_check=T0, since=T0)

    await storage.environments.update_statuses({a.id: healthy(), b.id: down})

    unhealthy, _ = await storage.environments.list(
        EnvironmentListOptions(status=HealthState.UNHEALTHY)
    )
    assert [e.id for e in unhealthy] == [b.id]
    counts = await storage.environments.count_by_health()
    assert counts == {"healthy": 1, "unhealthy": 1, "unknown": 0}


async def test_update_statuses_ignores_deleted_and_malformed_ids(storage: Storage) -> None:
    kept = await storage.environments.create(make_environment())
    gone = await storage.environments.create(make_environment())
    await storage.environments.delete(gone.id)

    await storage.environments.update_statuses(
        {gone.id: healthy(), new_id(): healthy(), "nope": healthy(), kept.id: healthy()}
    )

    assert (await storage.environments.get_by_id(kept.id)).status == healthy()
    assert await storage.environments.count() == 1


async def test_update_statuses_accepts_an_empty_batch(storage: Storage) -> None:
    await storage.environments.update_statuses({})


async def test_a_healthy_status_moves_last_healthy_at(storage: Storage) -> None:
    env = await storage.environments.create(make_environment())

    await storage.environments.update_statuses({env.id: healthy()})
    first = await storage.environments.get_by_id(env.id)
    down = Status(health=HealthState.UNHEALTHY, last_check=T0 + timedelta(seconds=60))
    await storage.environments.update_statuses({env.id: down})
    after_failure = await storage.environments.get_by_id(env.id)

    assert first.timestamps.last_healthy_at == T0_MS
    assert after_failure.timestamps.last_healthy_at == T0_MS
    assert after_failure.status == down


async def test_update_statuses_keeps_the_configuration(storage: Storage) -> None:
    env = await storage.environments.create(make_environment(description="keep me", tags=["a"]))

    await storage.environments.update_statuses({env.id: healthy()})

    stored = await storage.environments.get_by_id(env.id)
    assert stored.description == "keep me"
    assert stored.tags == ["a"]
    assert stored.timestamps.created_at == env.timestamps.created_at


async def test_update_system_info_replaces_it_alone(storage: Storage) -> None:
    env = await storage.environments.create(make_environment(description="keep me"))
    info = SystemInfo(os_version="Debian 12", app_version="2.4.0", last_updated=T0)

    await storage.environments.update_system_info(env.id, info)

    stored = await storage.environments.get_by_id(env.id)
    assert stored.system_info == SystemInfo(
        os_version="Debian 12", app_version="2.4.0", last_updated=T0_MS
    )
    assert stored.description == "keep me"


@pytest.mark.parametrize("environment_id", [new_id(), "nope"], ids=["absent", "nope"])
async def test_update_system_info_of_a_missing_environment_is_not_found(
    storage: Storage, environment_id: str
) -> None:
    with pytest.raises(EnvironmentNotFound):
        await storage.environments.update_system_info(environment_id, SystemInfo())


async def test_update_system_infos_writes_the_batch_and_ignores_missing_ids(
    storage: Storage,
) -> None:
    a = await storage.environments.create(make_environment(description="keep me"))
    b = await storage.environments.create(make_environment())

    await storage.environments.update_system_infos(
        {
            a.id: SystemInfo(app_version="2.4.0", last_updated=T0),
            b.id: SystemInfo(os_version="Alpine", app_version="1.0"),
            new_id(): SystemInfo(app_version="9"),
            "nope": SystemInfo(app_version="9"),
        }
    )
    await storage.environments.update_system_infos({})

    first = await storage.environments.get_by_id(a.id)
    assert first.system_info == SystemInfo(app_version="2.4.0", last_updated=T0_MS)
    assert first.description == "keep me"
    second = await storage.environments.get_by_id(b.id)
    assert second.system_info == SystemInfo(os_version="Alpine", app_version="1.0")
    assert await storage.environments.count() == 2
