"""The NotificationChannelRepository contract, on every backend."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from envdeck.domain.errors import AlreadyExists
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.maintenance import CreatedBy
from envdeck.domain.notification import (
    Delivery,
    NotificationChannel,
    NotificationChannelListOptions,
    NotificationChannelNotFound,
)
from envdeck.repositories.base import Storage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from .factories import T0
from .test_sqlite_storage import execute_script, opened, user_version

ENV_A = "6b05a2c33c0ca6934944ef1a"
SEALED = "enc:v1:c2VhbGVkLXVybC1jaXBoZXJ0ZXh0"


def make_channel(**overrides: Any) -> NotificationChannel:
    fields: dict[str, Any] = {
        "name": "Ops Slack",
        "url": SEALED,
        "service": "slack",
        "events": ["environment.unhealthy", "environment.recovered"],
        "scope": {"kind": "tags", "tags": ["prod"]},
        "created_by": CreatedBy(user_id=new_id(), username="ada"),
    }
    return NotificationChannel.model_validate(fields | overrides)


def make_delivery(**overrides: Any) -> Delivery:
    fields: dict[str, Any] = {
        "at": datetime(2026, 5, 1, 22, 0, 1, 250_000, tzinfo=UTC),
        "event": "environment.unhealthy",
        "status": "failed",
        "attempts": 3,
        "error": "HTTP 500 from the service",
        "environment_id": ENV_A,
        "environment_name": "shop-prod",
    }
    return Delivery.model_validate(fields | overrides)


async def test_create_assigns_an_id_and_the_creation_times(storage: Storage) -> None:
    given = make_channel(created_at=T0)

    created = await storage.notification_channels.create(given)

    assert is_valid_id(created.id)
    assert created.created_at is not None
    assert created.created_at != T0
    assert created.created_at == created.updated_at


async def test_create_keeps_an_id_given_by_the_service(storage: Storage) -> None:
    # Its URL was sealed bound to that id before it was stored.
    given = make_channel(id=new_id())

    created = await storage.notification_channels.create(given)

    assert created.id == given.id
    assert (await storage.notification_channels.get_by_id(given.id)).name == given.name


async def test_round_trips_every_field(storage: Storage) -> None:
    created = await storage.notification_channels.create(
        make_channel(
            scope={"kind": "environments", "environmentIds": [ENV_A]},
            enabled=False,
            last_delivery=make_delivery(),
        )
    )

    stored = await storage.notification_channels.get_by_id(created.id)

    assert stored == created
    assert stored.url == SEALED
    assert stored.last_delivery == make_delivery()


async def test_get_by_id_of_an_unknown_or_malformed_id_is_not_found(storage: Storage) -> None:
    with pytest.raises(NotificationChannelNotFound):
        await storage.notification_channels.get_by_id(new_id())
    with pytest.raises(NotificationChannelNotFound):
        await storage.notification_channels.get_by_id("nope")


async def test_names_are_unique(storage: Storage) -> None:
    await storage.notification_channels.create(make_channel(name="pager"))

    with pytest.raises(AlreadyExists) as raised:
        await storage.notification_channels.create(make_channel(name="pager"))

    assert raised.value.details == {"field": "name"}


async def test_renaming_onto_another_name_is_refused(storage: Storage) -> None:
    channels = storage.notification_channels
    await channels.create(make_channel(name="pager"))
    mail = await channels.create(make_channel(name="mail"))

    with pytest.raises(AlreadyExists):
        await channels.update(mail.model_copy(update={"name": "pager"}))


async def test_lists_by_name_with_pages_and_the_enabled_filter(storage: Storage) -> None:
    for name, enabled in (("c", True), ("a", False), ("b", True)):
        await storage.notification_channels.create(make_channel(name=name, enabled=enabled))

    first, total = await storage.notification_channels.list(NotificationChannelListOptions(limit=2))
    second, _ = await storage.notification_channels.list(
        NotificationChannelListOptions(limit=2, page=2)
    )
    disabled, disabled_total = await storage.notification_channels.list(
        NotificationChannelListOptions(enabled=False)
    )

    assert [c.name for c in first] == ["a", "b"]
    assert [c.name for c in second] == ["c"]
    assert total == 3
    assert [c.name for c in disabled] == ["a"]
    assert disabled_total == 1


async def test_list_enabled_returns_every_enabled_channel_by_name(storage: Storage) -> None:
    for name, enabled in (("zulu", True), ("off", False), ("alpha", True)):
        await storage.notification_channels.create(make_channel(name=name, enabled=enabled))

    enabled = await storage.notification_channels.list_enabled()

    assert [c.name for c in enabled] == ["alpha", "zulu"]


async def test_update_keeps_the_creation_time_creator_and_last_delivery(
    storage: Storage,
) -> None:
    channels = storage.notification_channels
    created = await channels.create(make_channel())
    await channels.set_last_delivery(created.id, make_delivery())
    changed = created.model_copy(
        update={
            "name": "renamed",
            "url": "enc:v1:bmV3",
            "created_at": T0,
            "created_by": CreatedBy(username="eve"),
            "last_delivery": None,
        }
    )

    updated = await channels.update(changed)

    assert updated.name == "renamed"
    assert updated.url == "enc:v1:bmV3"
    assert updated.created_at == created.created_at
    assert updated.created_by == created.created_by
    assert updated.last_delivery == make_delivery()
    assert await channels.get_by_id(created.id) == updated


async def test_set_last_delivery_replaces_it_and_ignores_a_deleted_channel(
    storage: Storage,
) -> None:
    channels = storage.notification_channels
    created = await channels.create(make_channel())
    await channels.set_last_delivery(created.id, make_delivery())
    sent = make_delivery(status="sent", error=None, attempts=1, event="test")

    await channels.set_last_delivery(created.id, sent)
    await channels.set_last_delivery(new_id(), sent)
    await channels.set_last_delivery("nope", sent)

    stored = await channels.get_by_id(created.id)
    assert stored.last_delivery == sent
    assert stored.name == created.name


async def test_update_and_delete_of_an_unknown_channel_are_not_found(storage: Storage) -> None:
    ghost = make_channel(id=new_id())

    with pytest.raises(NotificationChannelNotFound):
        await storage.notification_channels.update(ghost)
    with pytest.raises(NotificationChannelNotFound):
        await storage.notification_channels.delete(ghost.id)


async def test_delete_removes_the_channel_and_frees_its_name(storage: Storage) -> None:
    created = await storage.notification_channels.create(make_channel())

    await storage.notification_channels.delete(created.id)

    with pytest.raises(NotificationChannelNotFound):
        await storage.notification_channels.get_by_id(created.id)
    await storage.notification_channels.create(make_channel())


async def test_a_version_7_sqlite_database_gains_the_notification_channels_table(
    tmp_path: Path,
) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    execute_script(path, "DROP TABLE notification_channels; PRAGMA user_version = 7;")

    async with opened(path) as storage:
        created = await storage.notification_channels.create(make_channel())

        assert await storage.notification_channels.get_by_id(created.id) == created
        with pytest.raises(AlreadyExists):
            await storage.notification_channels.create(make_channel())
    assert user_version(path) == SCHEMA_VERSION
