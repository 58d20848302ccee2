"""The MaintenanceWindowRepository contract, on every backend."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.maintenance import (
    CreatedBy,
    MaintenanceWindow,
    MaintenanceWindowListOptions,
    MaintenanceWindowNotFound,
)
from envdeck.repositories.base import Storage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from .factories import T0
from .test_sqlite_storage import execute_script, opened, user_version

ENV_A = "6b05a2c33c0ca6934944ef1a"
ENV_B = "6b05a2c33c0ca6934944ef1b"


def make_window(**overrides: Any) -> MaintenanceWindow:
    fields: dict[str, Any] = {
        "name": "nightly",
        "scope": {"tags": ["prod"]},
        "kind": "recurring",
        "cron": "30 2 * * *",
        "duration_minutes": 60,
        "timezone": "Europe/Berlin",
        "created_by": CreatedBy(user_id=new_id(), username="ada"),
    }
    return MaintenanceWindow.model_validate(fields | overrides)


async def test_create_assigns_an_id_and_the_creation_times(storage: Storage) -> None:
    given = make_window(id=new_id(), created_at=T0)

    created = await storage.maintenance_windows.create(given)

    assert is_valid_id(created.id)
    assert created.id != given.id
    assert created.created_at is not None
    assert created.created_at != T0
    assert created.created_at == created.updated_at


async def test_round_trips_both_kinds(storage: Storage) -> None:
    recurring = await storage.maintenance_windows.create(make_window(reason="patch night"))
    one_off = await storage.maintenance_windows.create(
        make_window(
            name="db",
            kind="one-off",
            cron=None,
            duration_minutes=None,
            start=datetime(2026, 5, 1, 22, tzinfo=UTC),
            end=datetime(2026, 5, 2, 2, tzinfo=UTC),
            scope={"environmentIds": [ENV_A], "tags": []},
        )
    )

    assert await storage.maintenance_windows.get_by_id(recurring.id) == recurring
    assert await storage.maintenance_windows.get_by_id(one_off.id) == one_off


async def test_get_by_id_of_an_unknown_or_malformed_id_is_not_found(storage: Storage) -> None:
    with pytest.raises(MaintenanceWindowNotFound):
        await storage.maintenance_windows.get_by_id(new_id())
    with pytest.raises(MaintenanceWindowNotFound):
        await storage.maintenance_windows.get_by_id("nope")


async def test_lists_by_name_with_pages_and_the_enabled_filter(storage: Storage) -> None:
    for name, enabled in (("c", True), ("a", False), ("b", True)):
        await storage.maintenance_windows.create(make_window(name=name, enabled=enabled))

    first, total = await storage.maintenance_windows.list(MaintenanceWindowListOptions(limit=2))
    enabled, enabled_total = await storage.maintenance_windows.list(
        MaintenanceWindowListOptions(enabled=True)
    )

    assert [w.name for w in first] == ["a", "b"]
    assert total == 3
    assert [w.name for w in enabled] == ["b", "c"]
    assert enabled_total == 2


async def test_list_covering_finds_enabled_windows_by_id_or_tag(storage: Storage) -> None:
    windows = storage.maintenance_windows
    by_tag = await windows.create(make_window(name="by tag"))
    by_id = await windows.create(make_window(name="by id", scope={"environmentIds": [ENV_A]}))
    await windows.create(make_window(name="off", enabled=False))
    await windows.create(make_window(name="other", scope={"environmentIds": [ENV_B]}))

    covering_a = await windows.list_covering(ENV_A, ["prod", "eu"])
    covering_untagged = await windows.list_covering(ENV_A, [])

    assert [w.id for w in covering_a] == [by_id.id, by_tag.id]
    assert [w.id for w in covering_untagged] == [by_id.id]
    assert await windows.list_covering(new_id(), ["qa"]) == []


async def test_update_keeps_the_creation_time_and_creator(storage: Storage) -> None:
    created = await storage.maintenance_windows.create(make_window())
    changed = created.model_copy(
        update={"name": "renamed", "created_at": T0, "created_by": CreatedBy(username="eve")}
    )

    updated = await storage.maintenance_windows.update(changed)

    assert updated.name == "renamed"
    assert updated.created_at == created.created_at
    assert updated.created_by == created.created_by
    assert await storage.maintenance_windows.get_by_id(created.id) == updated


async def test_update_and_delete_of_an_unknown_window_are_not_found(storage: Storage) -> None:
    ghost = make_window(id=new_id())

    with pytest.raises(MaintenanceWindowNotFound):
        await storage.maintenance_windows.update(ghost)
    with pytest.raises(MaintenanceWindowNotFound):
        await storage.maintenance_windows.delete(ghost.id)


async def test_delete_removes_the_window(storage: Storage) -> None:
    created = await storage.maintenance_windows.create(make_window())

    await storage.maintenance_windows.delete(created.id)

    with pytest.raises(MaintenanceWindowNotFound):
        await storage.maintenance_windows.get_by_id(created.id)


async def test_a_version_6_sqlite_database_gains_the_maintenance_windows_table(
    tmp_path: Path,
) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    execute_script(path, "DROP TABLE maintenance_windows; PRAGMA user_version = 6;")

    async with opened(path) as storage:
        created = await storage.maintenance_windows.create(make_window())

        assert await storage.maintenance_windows.get_by_id(created.id) == created
    assert user_version(path) == SCHEMA_VERSION
