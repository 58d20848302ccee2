"""The ReservationRepository contract, on every backend: overlap refused also under concurrency."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from envdeck.domain.environment import EnvironmentListOptions
from envdeck.domain.errors import EnvdeckError
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.reservation import (
    ExpiryState,
    Holder,
    Reservation,
    ReservationListOptions,
    ReservationNotFound,
    Reserved,
)
from envdeck.repositories.base import Storage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from .factories import make_environment
from .test_sqlite_storage import execute_script, opened, user_version

ENV_A = "6b05a2c33c0ca6934944ef1a"
ENV_B = "6b05a2c33c0ca6934944ef1b"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ADA = Holder(user_id="6b05a2c33c0ca6934944ea01", username="ada")
BOB = Holder(user_id="6b05a2c33c0ca6934944ea02", username="bob")


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def make_reservation(start: float = 0, end: float = 2, **overrides: Any) -> Reservation:
    fields: dict[str, Any] = {
        "environment_id": ENV_A,
        "environment_name": "qa-1",
        "holder": ADA,
        "purpose": "PR 123",
        "start": at(start),
        "end": at(end),
    }
    return Reservation.model_validate(fields | overrides)


async def test_create_assigns_an_id_and_creation_time(storage: Storage) -> None:
    created = await storage.reservations.create(make_reservation())

    assert is_valid_id(created.id)
    assert created.created_at is not None
    assert await storage.reservations.get_by_id(created.id) == created


async def test_get_of_a_missing_or_malformed_id_is_not_found(storage: Storage) -> None:
    with pytest.raises(ReservationNotFound):
        await storage.reservations.get_by_id(new_id())
    with pytest.raises(ReservationNotFound):
        await storage.reservations.get_by_id("nope")


async def test_refuses_an_overlap_naming_the_holder_and_the_end(storage: Storage) -> None:
    first = await storage.reservations.create(make_reservation(0, 2))

    with pytest.raises(Reserved) as refused:
        await storage.reservations.create(make_reservation(1, 3, holder=BOB))

    assert refused.value.details == {
        "reservationId": first.id,
        "holder": "ada",
        "end": "2026-06-01T14:00:00.000Z",
    }
    assert "ada" in refused.value.message


async def test_back_to_back_other_environments_and_released_ones_do_not_overlap(
    storage: Storage,
) -> None:
    first = await storage.reservations.create(make_reservation(0, 2))
    await storage.reservations.create(make_reservation(2, 4))
    await storage.reservations.create(make_reservation(0, 2, environment_id=ENV_B))
    await storage.reservations.release(first.id, at(0.5), ADA)

    again = await storage.reservations.create(make_reservation(1, 2, holder=BOB))

    assert again.holder == BOB


async def test_of_many_concurrent_overlapping_creates_exactly_one_is_stored(
    storage: Storage,
) -> None:
    results = await asyncio.gather(
        *(
            storage.reservations.create(make_reservation(i * 0.1, 2 + i * 0.1, purpose=f"p{i}"))
            for i in range(12)
        ),
        return_exceptions=True,
    )

    stored = [r for r in results if isinstance(r, Reservation)]
    refused = [r for r in results if isinstance(r, Reserved)]
    assert len(stored) == 1
    assert len(refused) == 11
    _, total = await storage.reservations.list(ReservationListOptions(environment_id=ENV_A))
    assert total == 1


async def test_set_end_extends_unless_it_would_overlap(storage: Storage) -> None:
    first = await storage.reservations.create(make_reservation(0, 2))
    await storage.reservations.create(make_reservation(3, 4, holder=BOB))

    extended = await storage.reservations.set_end(first.id, at(3))
    with pytest.raises(Reserved) as refused:
        await storage.reservations.set_end(first.id, at(3.5))

    assert extended.end == at(3)
    assert refused.value.details["holder"] == "bob"
    assert (await storage.reservations.get_by_id(first.id)).end == at(3)


async def test_concurrent_extensions_into_one_gap_are_never_both_stored(storage: Storage) -> None:
    first = await storage.reservations.create(make_reservation(0, 1))
    second = await storage.reservations.create(make_reservation(3, 4, holder=BOB))
    # The first grows to 3 h while someone books 2-3 h: one of the two loses.
    results = await asyncio.gather(
        storage.reservations.set_end(first.id, at(3)),
        storage.reservations.create(make_reservation(2, 3, holder=BOB)),
        return_exceptions=True,
    )

    assert sum(isinstance(r, Reserved) for r in results) == 1
    assert second.id


async def test_release_once_then_none(storage: Storage) -> None:
    created = await storage.reservations.create(make_reservation())

    released = await storage.reservations.release(created.id, at(1), BOB, reason="urgent fix")
    again = await storage.reservations.release(created.id, at(1.5), BOB)

    assert released is not None
    assert released.released_at == at(1)
    assert released.released_by == BOB
    assert released.break_reason == "urgent fix"
    assert again is None
    with pytest.raises(ReservationNotFound):
        await storage.reservations.release(new_id(), at(1), BOB)
    with pytest.raises(ReservationNotFound):
        await storage.reservations.set_end(created.id, at(5))


async def test_lists_newest_start_first_with_filters(storage: Storage) -> None:
    old = await storage.reservations.create(make_reservation(-5, -4))
    now = await storage.reservations.create(make_reservation(-1, 1, holder=BOB))
    later = await storage.reservations.create(make_reservation(2, 3))
    other = await storage.reservations.create(make_reservation(0, 1, environment_id=ENV_B))
    reservations = storage.reservations

    async def ids(**filters: Any) -> list[str]:
        items, total = await reservations.list(ReservationListOptions(**filters))
        assert total == len(items)
        return [r.id for r in items]

    assert await ids() == [later.id, other.id, now.id, old.id]
    assert await ids(environment_id=ENV_A) == [later.id, now.id, old.id]
    assert await ids(holder_id=BOB.user_id) == [now.id]
    assert await ids(holder_username="ada") == [later.id, other.id, old.id]
    assert await ids(active=True, at=NOW) == [other.id, now.id]
    assert await ids(active=False, at=NOW) == [later.id, old.id]
    assert await ids(from_=at(-2), to=at(2)) == [other.id, now.id]
    items, total = await reservations.list(ReservationListOptions(limit=1, page=2))
    assert [r.id for r in items] == [other.id]
    assert total == 4


async def test_current_and_next_per_environment(storage: Storage) -> None:
    current = await storage.reservations.create(make_reservation(-1, 1))
    upcoming = await storage.reservations.create(make_reservation(2, 3))
    await storage.reservations.create(make_reservation(4, 5))
    await storage.reservations.create(make_reservation(-3, -2))
    only_next = await storage.reservations.create(make_reservation(1, 2, environment_id=ENV_B))

    found = await storage.reservations.current_and_next([ENV_A, ENV_B, new_id()], NOW)

    assert found[ENV_A].current == current
    assert found[ENV_A].next == upcoming
    assert found[ENV_B].current is None
    assert found[ENV_B].next == only_next
    assert len(found) == 2
    assert await storage.reservations.current_and_next([], NOW) == {}


async def test_reserved_between_names_the_environments_held_in_a_span(storage: Storage) -> None:
    await storage.reservations.create(make_reservation(1, 2))
    await storage.reservations.create(make_reservation(3, 4, environment_id=ENV_B))

    assert await storage.reservations.reserved_between(NOW, at(1)) == set()
    assert await storage.reservations.reserved_between(NOW, at(1.5)) == {ENV_A}
    assert await storage.reservations.reserved_between(NOW, at(5)) == {ENV_A, ENV_B}


async def test_watchers_are_added_once(storage: Storage) -> None:
    created = await storage.reservations.create(make_reservation())

    await storage.reservations.add_watcher(created.id, BOB)
    watched = await storage.reservations.add_watcher(created.id, BOB)

    assert watched.watchers == [BOB]
    assert (await storage.reservations.get_by_id(created.id)).watchers == [BOB]


async def test_expiring_lists_and_advance_expiry_is_a_compare_and_set(storage: Storage) -> None:
    soon = await storage.reservations.create(make_reservation(0, 1))
    await storage.reservations.create(make_reservation(2, 3))
    released = await storage.reservations.create(make_reservation(0, 1, environment_id=ENV_B))
    await storage.reservations.release(released.id, NOW, ADA)

    due = await storage.reservations.list_expiring(at(1), 10)
    first = await storage.reservations.advance_expiry(
        soon.id, ExpiryState.PENDING, ExpiryState.ENDED
    )
    second = await storage.reservations.advance_expiry(
        soon.id, ExpiryState.PENDING, ExpiryState.ENDED
    )

    assert [r.id for r in due] == [soon.id]
    assert (first, second) == (True, False)
    assert await storage.reservations.list_expiring(at(1), 10) == []


async def test_stored_times_keep_milliseconds(storage: Storage) -> None:
    start = datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
    given = make_reservation().model_copy(update={"start": start, "end": at(3)})
    created = await storage.reservations.create(given)

    stored = await storage.reservations.get_by_id(created.id)
    assert stored.start == datetime(2026, 6, 1, 12, 0, 0, 123000, tzinfo=UTC)


async def test_a_version_11_sqlite_database_gains_the_reservations_table(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    execute_script(path, "DROP TABLE reservations; PRAGMA user_version = 11;")

    async with opened(path) as storage:
        created = await storage.reservations.create(make_reservation())

        assert await storage.reservations.get_by_id(created.id) == created
    assert user_version(path) == SCHEMA_VERSION


def test_reserved_is_a_409_with_code_reserved() -> None:
    error: EnvdeckError = Reserved.by(make_reservation(id=new_id()))

    assert (error.status, error.code) == (409, "RESERVED")


async def test_two_stores_on_one_database_never_both_store_an_overlap(
    two_stores: tuple[Storage, Storage],
) -> None:
    """Two instances (two connections, two clients) racing for one environment."""
    results = await asyncio.gather(
        *(
            store.reservations.create(make_reservation(i * 0.1, 2, purpose=f"p{i}"))
            for i, store in enumerate(list(two_stores) * 5)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Reservation) for r in results) == 1
    assert sum(isinstance(r, Reserved) for r in results) == 9


async def test_the_environment_list_filters_by_ids(storage: Storage) -> None:
    made = [await storage.environments.create(make_environment(name=f"e{i}")) for i in range(3)]
    ids = [e.id for e in made]

    only, total = await storage.environments.list(EnvironmentListOptions(ids=ids[:2]))
    others, _ = await storage.environments.list(EnvironmentListOptions(exclude_ids=ids[:2]))
    none, _ = await storage.environments.list(EnvironmentListOptions(ids=[]))

    assert [e.id for e in only] == ids[:2]
    assert total == 2
    assert [e.id for e in others] == ids[2:]
    assert none == []
