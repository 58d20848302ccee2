"""The AlertStateRepository and NotificationOutboxRepository contracts, on every backend:
alert states written by compare-and-set and read when due; outbox entries recorded once per
id, finished once, taken over by one survivor."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from envdeck.domain.alerting import AlertState, OutboxEntry, OutboxStatus, outbox_id
from envdeck.domain.environment import HealthState
from envdeck.domain.ids import new_id
from envdeck.domain.notification import NotificationEvent
from envdeck.repositories.base import Storage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from .test_sqlite_storage import execute_script, opened, user_version

T0 = datetime(2026, 5, 1, 9, 0, 0, 125_000, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def make_state(environment_id: str | None = None, **overrides: Any) -> AlertState:
    fields: dict[str, Any] = {
        "environment_id": environment_id or new_id(),
        "name": "shop-prod",
        "tags": ["prod"],
        "health": HealthState.UNHEALTHY,
        "since": T0,
        "error": "503 Service Unavailable",
        "failures": 3,
        "announced": HealthState.UNHEALTHY,
        "announced_since": T0,
        "last_alert_at": T0,
        "revision": 1,
    }
    return AlertState.model_validate(fields | overrides)


def make_entry(key: str = "env:1:unhealthy", **overrides: Any) -> OutboxEntry:
    channel_id = overrides.pop("channel_id", new_id())
    fields: dict[str, Any] = {
        "id": outbox_id(key, channel_id),
        "key": key,
        "channel_id": channel_id,
        "owner": "instance-a",
        "created_at": T0,
        "event": NotificationEvent.ENVIRONMENT_UNHEALTHY,
        "title": "[Envdeck] shop-prod is unhealthy",
        "body": "shop-prod is unhealthy since 2026-05-01 09:00:00 UTC.",
        "kind": "failure",
        "environment_id": new_id(),
        "environment_name": "shop-prod",
    }
    return OutboxEntry.model_validate(fields | overrides)


class TestAlertStates:
    async def test_an_environment_never_written_has_no_state(self, storage: Storage) -> None:
        assert await storage.alert_states.get(new_id()) is None

    async def test_the_first_revision_is_stored_and_read_back_alike(self, storage: Storage) -> None:
        state = make_state(
            window_start=T0,
            held=True,
            reported_version="1.2.3",
            version_changes=2,
            due_at=T0 + 10 * SECOND,
        )

        assert await storage.alert_states.save(state) is True

        assert await storage.alert_states.get(state.environment_id) == state

    async def test_a_write_lands_only_over_its_previous_revision(self, storage: Storage) -> None:
        states = storage.alert_states
        env = new_id()
        assert await states.save(make_state(env, revision=1)) is True
        assert await states.save(make_state(env, revision=1)) is False  # already stored
        assert await states.save(make_state(env, revision=3)) is False  # skips one
        assert await states.save(make_state(env, revision=2, error="timeout")) is True
        assert await states.save(make_state(env, revision=2)) is False

        stored = await states.get(env)
        assert stored is not None
        assert (stored.revision, stored.error) == (2, "timeout")

    async def test_of_concurrent_writes_of_one_revision_exactly_one_lands(
        self, storage: Storage
    ) -> None:
        env = new_id()
        assert await storage.alert_states.save(make_state(env, revision=1)) is True

        landed = await asyncio.gather(
            *(storage.alert_states.save(make_state(env, revision=2)) for _ in range(12))
        )

        assert sorted(landed) == [False] * 11 + [True]

    async def test_states_due_are_listed_by_due_time_in_pages(self, storage: Storage) -> None:
        due = [make_state(due_at=T0 + n * SECOND) for n in (3, 1, 2)]
        twin = make_state(due_at=T0 + 2 * SECOND)
        later = make_state(due_at=T0 + 60 * SECOND)
        never = make_state(due_at=None)
        for state in (*due, twin, later, never):
            assert await storage.alert_states.save(state)

        now = T0 + 5 * SECOND
        everything = await storage.alert_states.list_due(now, 10)
        first = await storage.alert_states.list_due(now, 2)
        last = first[-1]
        assert last.due_at is not None
        rest = await storage.alert_states.list_due(now, 10, (last.due_at, last.environment_id))

        twins = sorted([due[2].environment_id, twin.environment_id])
        expected = [due[1].environment_id, *twins, due[0].environment_id]
        assert [s.environment_id for s in everything] == expected
        assert [s.environment_id for s in first + rest] == expected
        assert await storage.alert_states.list_due(T0, 10) == []

    async def test_a_deleted_state_is_gone_and_deleting_twice_is_harmless(
        self, storage: Storage
    ) -> None:
        state = make_state(due_at=T0)
        await storage.alert_states.save(state)
        assert await storage.alert_states.count() == 1

        await storage.alert_states.delete(state.environment_id)
        await storage.alert_states.delete(state.environment_id)

        assert await storage.alert_states.get(state.environment_id) is None
        assert await storage.alert_states.list_due(T0, 10) == []
        assert await storage.alert_states.count() == 0


class TestOutbox:
    async def test_an_entry_is_recorded_once_per_id(self, storage: Storage) -> None:
        outbox = storage.notification_outbox
        first, second = make_entry("env:1:unhealthy"), make_entry("env:1:unhealthy")

        assert await outbox.claim([first, second]) == {first.id, second.id}
        again = first.model_copy(update={"owner": "instance-b"})
        assert await outbox.claim([again]) == set()

        pending = await outbox.list_pending([], 10)
        assert sorted(e.id for e in pending) == sorted([first.id, second.id])
        assert {e.owner for e in pending} == {"instance-a"}

    async def test_an_entry_reads_back_as_it_was_recorded(self, storage: Storage) -> None:
        entry = make_entry(reminder=True)

        await storage.notification_outbox.claim([entry])

        assert await storage.notification_outbox.list_pending([], 10) == [entry]

    async def test_of_instances_racing_to_record_one_id_exactly_one_does(
        self, storage: Storage
    ) -> None:
        channel = new_id()
        racers = [make_entry("op:1:failed", channel_id=channel, owner=f"i{n}") for n in range(8)]

        stored = await asyncio.gather(*(storage.notification_outbox.claim([r]) for r in racers))

        assert sorted(len(ids) for ids in stored) == [0] * 7 + [1]

    async def test_a_pending_entry_is_finished_once(self, storage: Storage) -> None:
        outbox = storage.notification_outbox
        entry = make_entry()
        await outbox.claim([entry])

        assert await outbox.finish(entry.id, OutboxStatus.SENT, T0 + SECOND) is True
        assert await outbox.finish(entry.id, OutboxStatus.FAILED, T0 + SECOND) is False
        assert await outbox.finish("no-such-entry", OutboxStatus.SENT, T0) is False

        assert await outbox.list_pending([], 10) == []

    async def test_pending_entries_of_live_owners_are_left_out_oldest_first(
        self, storage: Storage
    ) -> None:
        outbox = storage.notification_outbox
        live = make_entry(owner="live", created_at=T0)
        dead = [make_entry(owner="dead", created_at=T0 + n * SECOND) for n in (2, 1)]
        stopped = make_entry(owner="stopped", created_at=T0 + 3 * SECOND)
        await outbox.claim([live, *dead, stopped])

        found = await outbox.list_pending(["live"], 10)

        assert [e.id for e in found] == [dead[1].id, dead[0].id, stopped.id]
        assert [e.id for e in await outbox.list_pending(["live"], 1)] == [dead[1].id]

    async def test_one_survivor_takes_over_an_entry(self, storage: Storage) -> None:
        outbox = storage.notification_outbox
        entry = make_entry(owner="dead")
        await outbox.claim([entry])

        taken = await asyncio.gather(
            *(outbox.take_over(entry.id, "dead", f"survivor-{n}") for n in range(6))
        )

        assert sorted(taken) == [False] * 5 + [True]
        (pending,) = await outbox.list_pending([], 10)
        assert pending.owner.startswith("survivor-")
        assert await outbox.take_over(entry.id, "dead", "late") is False

    async def test_a_finished_entry_is_not_taken_over(self, storage: Storage) -> None:
        outbox = storage.notification_outbox
        entry = make_entry(owner="dead")
        await outbox.claim([entry])
        await outbox.finish(entry.id, OutboxStatus.SENT, T0)

        assert await outbox.take_over(entry.id, "dead", "survivor") is False

    async def test_old_entries_are_purged_whatever_their_status(self, storage: Storage) -> None:
        outbox = storage.notification_outbox
        old = [make_entry(created_at=T0 - n * SECOND) for n in (1, 2)]
        kept = make_entry(created_at=T0)
        await outbox.claim([*old, kept])
        await outbox.finish(old[0].id, OutboxStatus.SENT, T0)

        assert await outbox.purge_before(T0) == 2
        assert await outbox.purge_before(T0) == 0
        assert [e.id for e in await outbox.list_pending([], 10)] == [kept.id]


async def test_a_version_10_sqlite_database_gains_the_alerting_tables(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    execute_script(
        path, "DROP TABLE alert_states; DROP TABLE notification_outbox; PRAGMA user_version = 10;"
    )

    async with opened(path) as storage:
        state = make_state(due_at=T0)
        entry = make_entry()
        assert await storage.alert_states.save(state)
        assert await storage.notification_outbox.claim([entry]) == {entry.id}

        assert await storage.alert_states.list_due(T0, 10) == [state]
    assert user_version(path) == SCHEMA_VERSION
