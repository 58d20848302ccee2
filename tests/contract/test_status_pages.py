"""The StatusPageRepository contract, on every backend."""

from pathlib import Path
from typing import Any

import pytest

from envdeck.domain.errors import AlreadyExists
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.maintenance import CreatedBy
from envdeck.domain.status_page import StatusPage, StatusPageListOptions, StatusPageNotFound
from envdeck.repositories.base import Storage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from .factories import T0
from .test_sqlite_storage import execute_script, opened, user_version

ENV_A = "6b05a2c33c0ca6934944ef1a"


def make_page(**overrides: Any) -> StatusPage:
    fields: dict[str, Any] = {
        "slug": "shop",
        "title": "Shop",
        "description": "The shop's environments",
        "scope": {"tags": ["shop"], "environmentIds": [ENV_A]},
        "public": True,
        "created_by": CreatedBy(user_id=new_id(), username="ada"),
    }
    return StatusPage.model_validate(fields | overrides)


async def test_create_assigns_an_id_and_the_creation_times(storage: Storage) -> None:
    given = make_page(id=new_id(), created_at=T0)

    created = await storage.status_pages.create(given)

    assert is_valid_id(created.id)
    assert created.id != given.id
    assert created.created_at is not None
    assert created.created_at != T0
    assert created.created_at == created.updated_at
    assert await storage.status_pages.get_by_id(created.id) == created


async def test_get_by_slug_finds_the_page(storage: Storage) -> None:
    await storage.status_pages.create(make_page(slug="billing"))
    shop = await storage.status_pages.create(make_page(slug="shop"))

    assert await storage.status_pages.get_by_slug("shop") == shop


async def test_unknown_or_malformed_ids_and_slugs_are_not_found(storage: Storage) -> None:
    with pytest.raises(StatusPageNotFound):
        await storage.status_pages.get_by_id(new_id())
    with pytest.raises(StatusPageNotFound):
        await storage.status_pages.get_by_id("nope")
    with pytest.raises(StatusPageNotFound):
        await storage.status_pages.get_by_slug("nope")


async def test_refuses_a_second_page_with_the_same_slug(storage: Storage) -> None:
    await storage.status_pages.create(make_page())

    with pytest.raises(AlreadyExists) as raised:
        await storage.status_pages.create(make_page(title="Another"))

    assert raised.value.details["field"] == "slug"


async def test_update_refuses_a_slug_another_page_has(storage: Storage) -> None:
    await storage.status_pages.create(make_page(slug="shop"))
    billing = await storage.status_pages.create(make_page(slug="billing"))

    with pytest.raises(AlreadyExists):
        await storage.status_pages.update(billing.model_copy(update={"slug": "shop"}))

    assert (await storage.status_pages.get_by_id(billing.id)).slug == "billing"


async def test_lists_by_slug_with_pages_and_the_public_filter(storage: Storage) -> None:
    for slug, public in (("c", True), ("a", False), ("b", True)):
        await storage.status_pages.create(make_page(slug=slug, public=public))

    first, total = await storage.status_pages.list(StatusPageListOptions(limit=2))
    public, public_total = await storage.status_pages.list(StatusPageListOptions(public=True))
    private, _ = await storage.status_pages.list(StatusPageListOptions(public=False))

    assert [p.slug for p in first] == ["a", "b"]
    assert total == 3
    assert [p.slug for p in public] == ["b", "c"]
    assert public_total == 2
    assert [p.slug for p in private] == ["a"]


async def test_update_keeps_the_creation_time_and_creator(storage: Storage) -> None:
    created = await storage.status_pages.create(make_page())
    changed = created.model_copy(
        update={
            "title": "Renamed",
            "public": False,
            "created_at": T0,
            "created_by": CreatedBy(username="eve"),
        }
    )

    updated = await storage.status_pages.update(changed)

    assert updated.title == "Renamed"
    assert updated.public is False
    assert updated.created_at == created.created_at
    assert updated.created_by == created.created_by
    assert await storage.status_pages.get_by_id(created.id) == updated


async def test_update_and_delete_of_an_unknown_page_are_not_found(storage: Storage) -> None:
    ghost = make_page(id=new_id())

    with pytest.raises(StatusPageNotFound):
        await storage.status_pages.update(ghost)
    with pytest.raises(StatusPageNotFound):
        await storage.status_pages.delete(ghost.id)


async def test_delete_removes_the_page_and_frees_its_slug(storage: Storage) -> None:
    created = await storage.status_pages.create(make_page())

    await storage.status_pages.delete(created.id)

    with pytest.raises(StatusPageNotFound):
        await storage.status_pages.get_by_slug("shop")
    assert (await storage.status_pages.create(make_page())).slug == "shop"


async def test_a_version_12_sqlite_database_gains_the_status_pages_table(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    execute_script(path, "DROP TABLE status_pages; PRAGMA user_version = 12;")

    async with opened(path) as storage:
        created = await storage.status_pages.create(make_page())

        assert await storage.status_pages.get_by_slug("shop") == created
    assert user_version(path) == SCHEMA_VERSION
