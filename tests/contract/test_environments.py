"""The EnvironmentRepository contract, on every backend."""

import asyncio
from datetime import UTC, timedelta, timezone

import pytest

from envdeck.domain.environment import (
    EnvironmentListOptions,
    EnvironmentSort,
    HealthCheckConfig,
    HealthState,
    Status,
)
from envdeck.domain.errors import AlreadyExists, EnvironmentNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.repositories.base import Storage

from .factories import T0, T0_MS, make_environment, make_full_environment

# An absent id, malformed ones, an uppercase (non-canonical) one and an empty one.
MISSING_IDS = [
    pytest.param(new_id(), id="absent"),
    pytest.param("nope", id="nope"),
    pytest.param("z" * 24, id="zzz"),
    pytest.param("ABCDEF" * 4, id="uppercase"),
    pytest.param("", id="empty"),
]


async def list_names(storage: Storage, **options: object) -> list[str]:
    items, _ = await storage.environments.list(EnvironmentListOptions(limit=200, **options))
    return [item.name for item in items]


async def test_create_assigns_an_id_and_the_creation_times(storage: Storage) -> None:
    given = make_environment()

    created = await storage.environments.create(given)

    assert is_valid_id(created.id)
    assert created.timestamps.created_at is not None
    assert created.timestamps.created_at == created.timestamps.updated_at
    assert created.timestamps.created_at.tzinfo is not None


async def test_create_keeps_an_id_given_by_the_service(storage: Storage) -> None:
    # Its secrets were sealed bound to that id before it was stored.
    given = make_environment(id=new_id())

    created = await storage.environments.create(given)

    assert created.id == given.id
    assert (await storage.environments.get_by_id(given.id)).name == given.name


async def test_round_trips_a_fully_populated_environment(storage: Storage) -> None:
    created = await storage.environments.create(make_full_environment())

    by_id = await storage.environments.get_by_id(created.id)
    by_name = await storage.environments.get_by_name(created.name)
    listed, _ = await storage.environments.list(EnvironmentListOptions())

    assert by_id == created
    assert by_name == created
    assert listed == [created]
    assert by_id.status.last_check == T0_MS
    assert by_id.system_info.last_updated == T0_MS
    assert by_id.system_info.last_updated.tzinfo is not None
    assert by_id.system_info.last_updated.utcoffset() == timedelta(0)


VALIDATIONS = [
    pytest.param({"type": "statusCode", "value": 204}, id="status-code"),
    pytest.param({"type": "statusCode", "value": [200, "3xx"]}, id="status-codes"),
    pytest.param({"type": "jsonRegex", "value": '"status":\\s*"ok"'}, id="json-regex"),
    pytest.param({"type": "jsonPath", "value": {"path": "$.ok", "equals": True}}, id="equals"),
    pytest.param({"type": "jsonPath", "value": {"path": "$.ok", "equals": None}}, id="equals-null"),
    pytest.param({"type": "jsonPath", "value": {"path": "$.v", "matches": "^2\\."}}, id="matches"),
]


@pytest.mark.parametrize("validation", VALIDATIONS)
async def test_round_trips_every_kind_of_health_validation(
    storage: Storage, validation: dict[str, object]
) -> None:
    check = HealthCheckConfig(
        enabled=True, endpoint="https://example.com/health", validation=validation
    )

    created = await storage.environments.create(make_environment(health_check=check))

    assert (await storage.environments.get_by_id(created.id)).health_check == check


async def test_get_by_name_matches_the_exact_name(storage: Storage) -> None:
    await storage.environments.create(make_environment(name="Staging"))

    with pytest.raises(EnvironmentNotFound):
        await storage.environments.get_by_name("staging")
    with pytest.raises(EnvironmentNotFound):
        await storage.environments.get_by_name("Stag")


async def test_rejects_duplicate_name(storage: Storage) -> None:
    await storage.environments.create(make_environment(name="staging"))

    with pytest.raises(AlreadyExists) as caught:
        await storage.environments.create(make_environment(name="staging"))

    assert "name" in caught.value.message
    assert await storage.environments.count() == 1


@pytest.mark.parametrize("missing_id", MISSING_IDS)
async def test_missing_and_malformed_ids_are_not_found(storage: Storage, missing_id: str) -> None:
    await storage.environments.create(make_environment())
    stray = make_environment(id=missing_id)

    with pytest.raises(EnvironmentNotFound):
        await storage.environments.get_by_id(missing_id)
    with pytest.raises(EnvironmentNotFound):
        await storage.environments.update(stray)
    with pytest.raises(EnvironmentNotFound):
        await storage.environments.update_status(missing_id, Status(health="healthy"))
    with pytest.raises(EnvironmentNotFound):
        await storage.environments.delete(missing_id)
    assert await storage.environments.count() == 1


async def test_update_replaces_the_configuration_and_keeps_the_creation_time(
    storage: Storage,
) -> None:
    created = await storage.environments.create(make_environment(tags=["a"]))
    await asyncio.sleep(0.002)
    full = make_full_environment(name="renamed")
    changed = full.model_copy(
        update={
            "id": created.id,
            "status": created.status,
            "timestamps": full.timestamps.model_copy(update={"created_at": T0}),
        }
    )

    updated = await storage.environments.update(changed)

    assert updated == await storage.environments.get_by_id(created.id)
    assert updated.timestamps.created_at == created.timestamps.created_at
    assert updated.timestamps.updated_at is not None
    assert created.timestamps.updated_at is not None
    assert updated.timestamps.updated_at > created.timestamps.updated_at
    # The running operation and the operation times are the operation service's to write.
    assert updated.timestamps.last_restart_at == created.timestamps.last_restart_at
    assert updated.active_operation == created.active_operation
    expected = changed.model_copy(
        update={"timestamps": updated.timestamps, "active_operation": created.active_operation}
    )
    assert updated == expected
    assert await list_names(storage, tag="a") == []
    assert await list_names(storage, tag="staging") == ["renamed"]


async def test_update_can_clear_optional_fields(storage: Storage) -> None:
    created = await storage.environments.create(make_full_environment())
    cleared = created.model_copy(
        update={"environment_url": None, "active_operation": None, "tags": [], "metadata": {}}
    )

    updated = await storage.environments.update(cleared)

    assert updated.environment_url is None
    # activeOperation is not configuration: only clear_active_operation removes it.
    assert updated.active_operation == created.active_operation
    assert updated.tags == []
    assert updated.metadata == {}
    assert await storage.environments.get_by_id(created.id) == updated


async def test_update_rejects_a_name_another_environment_has(storage: Storage) -> None:
    await storage.environments.create(make_environment(name="taken"))
    mine = await storage.environments.create(make_environment(name="mine"))

    with pytest.raises(AlreadyExists):
        await storage.environments.update(mine.model_copy(update={"name": "taken"}))

    assert (await storage.environments.get_by_id(mine.id)).name == "mine"


async def test_update_keeps_a_status_written_since_the_environment_was_read(
    storage: Storage,
) -> None:
    stale = await storage.environments.create(make_environment())
    fresh_status = Status(health="unhealthy", last_check=T0, message="timeout")
    await storage.environments.update_status(stale.id, fresh_status)

    updated = await storage.environments.update(stale.model_copy(update={"description": "new"}))

    assert updated.status == fresh_status
    stored = await storage.environments.get_by_id(stale.id)
    assert stored.status == fresh_status
    assert stored.description == "new"


async def test_update_status_replaces_the_status_alone(storage: Storage) -> None:
    created = await storage.environments.create(make_environment(description="before"))
    await storage.environments.update(created.model_copy(update={"description": "after"}))
    stored_before = await storage.environments.get_by_id(created.id)
    status = Status(
        health="unhealthy",
        last_check=T0,
        message="connection refused",
        response_time=None,
        status_code=None,
        since=T0,
        consecutive_failures=4,
    )

    await storage.environments.update_status(created.id, status)

    stored = await storage.environments.get_by_id(created.id)
    assert stored.status == status
    assert stored.description == "after"
    assert stored == stored_before.model_copy(update={"status": status})


async def test_concurrent_update_and_update_status_do_not_clobber_each_other(
    storage: Storage,
) -> None:
    created = await storage.environments.create(make_environment())
    statuses = [Status(health="healthy", consecutive_failures=i) for i in range(10)]
    descriptions = [f"description {i}" for i in range(10)]

    await asyncio.gather(
        *(storage.environments.update_status(created.id, status) for status in statuses),
        *(
            storage.environments.update(created.model_copy(update={"description": text}))
            for text in descriptions
        ),
    )

    stored = await storage.environments.get_by_id(created.id)
    assert stored.status in statuses
    assert stored.description in descriptions


async def test_fifty_concurrent_status_updates_all_succeed(storage: Storage) -> None:
    created = await storage.environments.create(make_environment())
    statuses = [
        Status(health=["healthy", "unhealthy"][i % 2], consecutive_failures=i, message=f"#{i}")
        for i in range(50)
    ]

    results = await asyncio.gather(
        *(storage.environments.update_status(created.id, status) for status in statuses),
        return_exceptions=True,
    )

    assert [r for r in results if r is not None] == []
    assert (await storage.environments.get_by_id(created.id)).status in statuses


async def test_only_one_of_twenty_concurrent_creates_with_one_name_succeeds(
    storage: Storage,
) -> None:
    results = await asyncio.gather(
        *(storage.environments.create(make_environment(name="race")) for _ in range(20)),
        return_exceptions=True,
    )

    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 19
    assert all(isinstance(f, AlreadyExists) for f in failures)
    assert await storage.environments.count() == 1


async def test_delete_removes_the_environment(storage: Storage) -> None:
    gone = await storage.environments.create(make_environment(tags=["x"]))
    kept = await storage.environments.create(make_environment(tags=["x"]))

    await storage.environments.delete(gone.id)

    with pytest.raises(EnvironmentNotFound):
        await storage.environments.get_by_id(gone.id)
    with pytest.raises(EnvironmentNotFound):
        await storage.environments.delete(gone.id)
    assert await list_names(storage, tag="x") == [kept.name]
    assert await storage.environments.count() == 1


async def test_count_counts_every_environment(storage: Storage) -> None:
    assert await storage.environments.count() == 0
    for _ in range(3):
        await storage.environments.create(make_environment())

    assert await storage.environments.count() == 3


# Filters


async def test_filters_by_health(storage: Storage) -> None:
    for name, health in [("a", "healthy"), ("b", "unhealthy"), ("c", "healthy"), ("d", None)]:
        env = await storage.environments.create(make_environment(name=name))
        if health:
            await storage.environments.update_status(env.id, Status(health=health))

    assert await list_names(storage, status=HealthState.HEALTHY) == ["a", "c"]
    assert await list_names(storage, status=HealthState.UNHEALTHY) == ["b"]
    assert await list_names(storage, status=HealthState.UNKNOWN) == ["d"]


async def test_filters_by_an_exact_tag(storage: Storage) -> None:
    await storage.environments.create(make_environment(name="a", tags=["eu", "prod"]))
    await storage.environments.create(make_environment(name="b", tags=["eu-west"]))
    await storage.environments.create(make_environment(name="c", tags=["prod"]))

    assert await list_names(storage, tag="prod") == ["a", "c"]
    assert await list_names(storage, tag="eu") == ["a"]
    assert await list_names(storage, tag="EU") == []
    assert await list_names(storage, tag="e") == []


async def test_searches_name_description_and_url_ignoring_case(storage: Storage) -> None:
    await storage.environments.create(make_environment(name="Payments-EU"))
    await storage.environments.create(make_environment(name="b", description="The PAYMENTS box"))
    await storage.environments.create(
        make_environment(name="c", environment_url="https://payments.example.com")
    )
    await storage.environments.create(make_environment(name="d", description="unrelated"))

    assert await list_names(storage, q="payments") == ["Payments-EU", "b", "c"]
    assert await list_names(storage, q="EXAMPLE.COM") == ["c"]


@pytest.mark.parametrize("needle", [".*", "%", "_", "(a+b)", "[eu]", "\\", "^1", "$"])
async def test_search_treats_special_characters_literally(storage: Storage, needle: str) -> None:
    await storage.environments.create(make_environment(name="plain", description="nothing here"))
    await storage.environments.create(
        make_environment(name="special", description="100% (a+b) [eu] x_y .* \\ ^1 $")
    )

    assert await list_names(storage, q=needle) == ["special"]


async def test_combines_filters(storage: Storage) -> None:
    for name, tags, health in [
        ("api-1", ["prod"], "healthy"),
        ("api-2", ["prod"], "unhealthy"),
        ("web-1", ["prod"], "healthy"),
        ("api-3", ["dev"], "healthy"),
    ]:
        env = await storage.environments.create(make_environment(name=name, tags=tags))
        await storage.environments.update_status(env.id, Status(health=health))

    names = await list_names(storage, q="api", tag="prod", status=HealthState.HEALTHY)

    assert names == ["api-1"]


# Sorts


async def test_sorts_by_name_in_binary_order(storage: Storage) -> None:
    for name in ["beta", "Zulu", "alpha", "10", "9"]:
        await storage.environments.create(make_environment(name=name))

    assert await list_names(storage) == ["10", "9", "Zulu", "alpha", "beta"]
    assert await list_names(storage, sort="name") == ["10", "9", "Zulu", "alpha", "beta"]
    assert await list_names(storage, sort="-name") == ["beta", "alpha", "Zulu", "9", "10"]


async def test_sorts_by_creation_time(storage: Storage) -> None:
    for name in ["b", "c", "a"]:
        await storage.environments.create(make_environment(name=name))
        await asyncio.sleep(0.003)  # distinct milliseconds

    assert await list_names(storage, sort="createdAt") == ["b", "c", "a"]
    assert await list_names(storage, sort="-createdAt") == ["a", "c", "b"]


async def test_sorts_by_health_problems_first_then_name(storage: Storage) -> None:
    for name, health in [
        ("h2", "healthy"),
        ("u1", "unhealthy"),
        ("k2", None),
        ("h1", "healthy"),
        ("u2", "unhealthy"),
        ("k1", "unknown"),
    ]:
        env = await storage.environments.create(make_environment(name=name))
        if health:
            await storage.environments.update_status(env.id, Status(health=health))

    assert await list_names(storage, sort="health") == ["u1", "u2", "k1", "k2", "h1", "h2"]
    assert await list_names(storage, sort="-health") == ["h1", "h2", "k1", "k2", "u1", "u2"]


async def test_health_sort_follows_status_updates(storage: Storage) -> None:
    a = await storage.environments.create(
        make_environment(name="a", status=Status(health="unhealthy"))
    )
    await storage.environments.create(make_environment(name="b"))
    assert await list_names(storage, sort="health") == ["a", "b"]

    await storage.environments.update_status(a.id, Status(health="healthy"))

    assert await list_names(storage, sort="health") == ["b", "a"]


async def test_sorts_by_last_check_with_never_checked_first_ascending(storage: Storage) -> None:
    checks = {
        "late": T0 + timedelta(minutes=5),
        "early": T0,
        "never": None,
        "latest": T0 + timedelta(days=1),
    }
    for name, when in checks.items():
        env = await storage.environments.create(make_environment(name=name))
        if when:
            await storage.environments.update_status(env.id, Status(last_check=when))

    assert await list_names(storage, sort="lastCheck") == ["never", "early", "late", "latest"]
    assert await list_names(storage, sort="-lastCheck") == ["latest", "late", "early", "never"]


async def test_last_check_sort_compares_instants_not_local_times(storage: Storage) -> None:
    # 13:00+02:00 is 11:00 UTC, before 12:00 UTC.
    plus_two = timezone(timedelta(hours=2))
    early = T0.replace(hour=13, tzinfo=plus_two)
    late = T0.replace(hour=12, tzinfo=UTC)
    for name, when in [("late", late), ("early", early)]:
        env = await storage.environments.create(make_environment(name=name))
        await storage.environments.update_status(env.id, Status(last_check=when))

    assert await list_names(storage, sort="lastCheck") == ["early", "late"]


SORTS: list[EnvironmentSort] = [
    "name",
    "-name",
    "createdAt",
    "-createdAt",
    "health",
    "-health",
    "lastCheck",
    "-lastCheck",
]


@pytest.mark.parametrize("sort", SORTS)
async def test_pages_of_one_visit_every_environment_once(
    storage: Storage, sort: EnvironmentSort
) -> None:
    # Equal health, creation times and (absent) last checks make the tie-breaks decide.
    envs = await asyncio.gather(
        *(storage.environments.create(make_environment()) for _ in range(7))
    )
    full, total = await storage.environments.list(EnvironmentListOptions(sort=sort, limit=200))

    paged = []
    for page in range(1, 8):
        items, page_total = await storage.environments.list(
            EnvironmentListOptions(sort=sort, limit=1, page=page)
        )
        assert page_total == 7
        paged += items

    assert total == 7
    assert [e.id for e in paged] == [e.id for e in full]
    assert sorted(e.id for e in paged) == sorted(e.id for e in envs)


# Pagination


async def test_lists_an_empty_store_as_an_empty_page(storage: Storage) -> None:
    assert await storage.environments.list(EnvironmentListOptions()) == ([], 0)
    assert await storage.environments.list(EnvironmentListOptions(page=3)) == ([], 0)


async def test_pages_split_the_list_and_a_page_past_the_end_is_empty(storage: Storage) -> None:
    for i in range(5):
        await storage.environments.create(make_environment(name=f"e{i}"))

    first, total = await storage.environments.list(EnvironmentListOptions(limit=2, page=1))
    last, _ = await storage.environments.list(EnvironmentListOptions(limit=2, page=3))
    past, past_total = await storage.environments.list(EnvironmentListOptions(limit=2, page=4))

    assert [e.name for e in first] == ["e0", "e1"]
    assert [e.name for e in last] == ["e4"]
    assert total == 5
    assert (past, past_total) == ([], 5)


async def test_find_returns_the_page_list_returns_without_a_total(storage: Storage) -> None:
    for i in range(5):
        await storage.environments.create(
            make_environment(name=f"e{i}", tags=["a" if i % 2 else "b"])
        )
    excluded = (await storage.environments.find(EnvironmentListOptions(limit=1)))[0].id

    for options in (
        EnvironmentListOptions(limit=2, page=2),
        EnvironmentListOptions(tag="b", sort="-name", limit=2),
        EnvironmentListOptions(exclude_ids=[excluded], limit=1, page=3),
        EnvironmentListOptions(limit=2, page=4),
    ):
        listed, _ = await storage.environments.list(options)
        assert await storage.environments.find(options) == listed


async def test_an_exact_last_page_is_full(storage: Storage) -> None:
    for i in range(4):
        await storage.environments.create(make_environment(name=f"e{i}"))

    last, total = await storage.environments.list(EnvironmentListOptions(limit=2, page=2))
    past, _ = await storage.environments.list(EnvironmentListOptions(limit=2, page=3))

    assert [e.name for e in last] == ["e2", "e3"]
    assert total == 4
    assert past == []


async def test_total_counts_every_match_not_the_page(storage: Storage) -> None:
    for i in range(3):
        await storage.environments.create(make_environment(name=f"prod-{i}", tags=["prod"]))
    await storage.environments.create(make_environment(name="dev", tags=["dev"]))

    items, total = await storage.environments.list(EnvironmentListOptions(tag="prod", limit=1))

    assert [e.name for e in items] == ["prod-0"]
    assert total == 3


async def test_counts_by_health_include_every_state(storage: Storage) -> None:
    assert await storage.environments.count_by_health() == {
        "healthy": 0,
        "unhealthy": 0,
        "unknown": 0,
    }
    first = await storage.environments.create(make_environment())
    await storage.environments.create(make_environment())
    await storage.environments.update_status(first.id, Status(health=HealthState.UNHEALTHY))

    assert await storage.environments.count_by_health() == {
        "healthy": 0,
        "unhealthy": 1,
        "unknown": 1,
    }


async def test_counts_by_tag_follow_updates_and_deletes(storage: Storage) -> None:
    tagged = await storage.environments.create(make_environment(tags=["eu", "prod"]))
    await storage.environments.create(make_environment(tags=["eu"]))
    await storage.environments.create(make_environment())
    assert await storage.environments.count_by_tag() == {"eu": 2, "prod": 1}

    await storage.environments.update(tagged.model_copy(update={"tags": ["qa"]}))
    assert await storage.environments.count_by_tag() == {"eu": 1, "qa": 1}

    await storage.environments.delete(tagged.id)
    assert await storage.environments.count_by_tag() == {"eu": 1}
