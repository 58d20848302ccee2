"""Reservations as a service, on the in-memory storage with a FakeClock: expiry, reminders and
"notify me when free" each announced once; the policy gate of operations; claims.

Notification messages are caught by a recording outbox (what Notices hands to channels);
that the outbox records once per key across instances is tests/unit/test_alerting.py's.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio

from envdeck.adapters.events import Event, EventBus, ReservationUpdated
from envdeck.config import ReservationsSettings
from envdeck.domain.environment import Environment, HealthState, Status
from envdeck.domain.errors import Forbidden, ValidationFailed
from envdeck.domain.log import LogEntry, LogListOptions
from envdeck.domain.notification import NotificationEvent
from envdeck.domain.reservation import (
    NoneAvailable,
    ReservationPolicy,
    ReservationStatus,
    Reserved,
)
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.notifications.outbox import Announcement
from envdeck.services.reservations.expiry import ReservationExpiry
from envdeck.services.reservations.gate import ReservationGate
from envdeck.services.reservations.notices import Notices
from envdeck.services.reservations.service import ReservationService
from tests.fakes.clock import FakeClock
from tests.fakes.storage import FakeStorage
from tests.unit.test_operation_service import ADMIN, OLIVE, OSCAR, VIEWER

HOUR = 3600.0


class RecordingOutbox:
    """What Notices records and sends, in order (keys are unique per announcement)."""

    def __init__(self) -> None:
        self.announced: list[Announcement] = []
        self.keys: set[str] = set()

    async def record(self, announcement: Announcement) -> list[Announcement]:
        if announcement.key in self.keys:
            return []
        self.keys.add(announcement.key)
        self.announced.append(announcement)
        return [announcement]

    async def send(self, jobs: list[Any]) -> int:
        return len(jobs)

    def events(self) -> list[NotificationEvent]:
        return [a.event for a in self.announced]


@dataclass
class Rig:
    storage: FakeStorage
    clock: FakeClock
    bus: EventBus
    activity: ActivityLog
    service: ReservationService
    expiry: ReservationExpiry
    outbox: RecordingOutbox
    gate: ReservationGate
    events: list[Event] = field(default_factory=list)

    async def environment(self, name: str = "qa-1", **fields: Any) -> Environment:
        return await self.storage.environments.create(Environment(name=name, **fields))

    async def entries(self, action: str) -> list[LogEntry]:
        await self.activity.flush()
        entries, _ = await self.storage.logs.list(LogListOptions(action=action, limit=200))
        return list(reversed(entries))

    async def published(self) -> list[str]:
        await self.bus.drain()
        return [e.action for e in self.events if isinstance(e, ReservationUpdated)]


@pytest_asyncio.fixture
async def rig() -> AsyncIterator[Rig]:
    clock = FakeClock()
    storage = FakeStorage(clock)
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=HOUR, clock=clock)
    outbox = RecordingOutbox()
    notices = Notices(storage.environments, lambda: outbox)  # type: ignore[arg-type,return-value]
    settings = ReservationsSettings()
    service = ReservationService(storage, activity, bus, clock, settings, notices)
    expiry = ReservationExpiry(service, storage.reservations, notices, clock, settings)
    gate = ReservationGate(storage.reservations, activity, clock)
    made = Rig(storage, clock, bus, activity, service, expiry, outbox, gate)

    async def keep(event: Event) -> None:
        made.events.append(event)

    bus.subscribe("test", keep)
    yield made
    await activity.close()
    await bus.close()


async def test_viewers_may_not_reserve(rig: Rig) -> None:
    env = await rig.environment()

    with pytest.raises(Forbidden):
        await rig.service.create_reservation(VIEWER, env.id, "x", duration=timedelta(hours=1))


async def test_a_future_reservation_is_upcoming_then_active_then_ended(rig: Rig) -> None:
    env = await rig.environment()
    start = rig.clock.now + timedelta(hours=1)

    made = await rig.service.create_reservation(
        OLIVE, env.id, "demo", start=start, duration=timedelta(hours=1)
    )

    assert rig.service.view(made).status is ReservationStatus.UPCOMING
    rig.clock.advance(hours=1)
    assert rig.service.view(made).status is ReservationStatus.ACTIVE
    rig.clock.advance(hours=1)
    assert rig.service.view(made).status is ReservationStatus.ENDED


async def test_it_ends_by_itself_once_with_a_reminder_before(rig: Rig) -> None:
    env = await rig.environment()
    made = await rig.service.create_reservation(OLIVE, env.id, "PR 1", duration=timedelta(hours=1))
    await rig.service.watch(OSCAR, env.id)

    rig.clock.advance(minutes=30)
    assert await rig.expiry.run_once() == 0
    rig.clock.advance(minutes=16)  # 14 minutes left: remind
    assert await rig.expiry.run_once() == 1
    assert await rig.expiry.run_once() == 0
    assert rig.outbox.events() == [NotificationEvent.RESERVATION_EXPIRING]
    assert "@olive" in rig.outbox.announced[0].message.body

    rig.clock.advance(minutes=14)  # the end
    assert await rig.expiry.run_once() == 1
    assert await rig.expiry.run_once() == 0

    assert rig.outbox.events() == [
        NotificationEvent.RESERVATION_EXPIRING,
        NotificationEvent.RESERVATION_ENDED,
        NotificationEvent.ENVIRONMENT_FREE,
    ]
    assert "@oscar" in rig.outbox.announced[2].message.body
    (ended,) = await rig.entries("reservation_ended")
    assert ended.details["reservationId"] == made.id
    assert ended.username is None
    assert await rig.published() == ["created", "ended"]


async def test_two_expiry_jobs_on_one_storage_announce_an_end_once(rig: Rig) -> None:
    env = await rig.environment()
    await rig.service.create_reservation(OLIVE, env.id, "PR 1", duration=timedelta(hours=1))
    notices = Notices(rig.storage.environments, lambda: rig.outbox)  # type: ignore[arg-type,return-value]
    other = ReservationExpiry(
        rig.service, rig.storage.reservations, notices, rig.clock, ReservationsSettings()
    )

    rig.clock.advance(hours=2)
    steps = [await rig.expiry.run_once(), await other.run_once()]

    assert sorted(steps) == [0, 1]
    assert len(await rig.entries("reservation_ended")) == 1


async def test_a_released_reservation_neither_reminds_nor_ends(rig: Rig) -> None:
    env = await rig.environment()
    made = await rig.service.create_reservation(OLIVE, env.id, "PR", duration=timedelta(hours=1))
    await rig.service.watch(OSCAR, env.id)

    released = await rig.service.release(OLIVE, made.id)
    rig.clock.advance(hours=2)

    assert await rig.expiry.run_once() == 0
    assert rig.service.view(released).status is ReservationStatus.RELEASED
    assert rig.outbox.events() == [NotificationEvent.ENVIRONMENT_FREE]
    with pytest.raises(ValidationFailed):
        await rig.service.release(OLIVE, made.id)


async def test_break_is_for_admins_and_tells_the_holder(rig: Rig) -> None:
    env = await rig.environment()
    made = await rig.service.create_reservation(OLIVE, env.id, "PR", duration=timedelta(hours=1))

    with pytest.raises(Forbidden):
        await rig.service.break_reservation(OSCAR, made.id, "mine now")
    broken = await rig.service.break_reservation(ADMIN, made.id, "prod incident")

    assert rig.service.view(broken).status is ReservationStatus.BROKEN
    (notice,) = rig.outbox.announced
    assert notice.event is NotificationEvent.RESERVATION_BROKEN
    assert "@olive" in notice.message.body
    assert "prod incident" in notice.message.body
    (entry,) = await rig.entries("reservation_broken")
    assert entry.details["reason"] == "prod incident"


async def test_set_end_is_for_the_holder_or_an_admin_within_the_maximum(rig: Rig) -> None:
    env = await rig.environment()
    made = await rig.service.create_reservation(OLIVE, env.id, "PR", duration=timedelta(hours=1))

    with pytest.raises(Forbidden):
        await rig.service.set_end(OSCAR, made.id, made.end + timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="at most 7 days"):
        await rig.service.set_end(OLIVE, made.id, made.start + timedelta(days=8))
    longer = await rig.service.set_end(ADMIN, made.id, made.end + timedelta(hours=1))

    assert longer.end == made.end + timedelta(hours=1)
    assert await rig.published() == ["created", "extended"]


async def test_a_start_a_little_in_the_past_is_taken_as_now(rig: Rig) -> None:
    env = await rig.environment()

    made = await rig.service.create_reservation(
        OLIVE,
        env.id,
        "PR",
        start=rig.clock.now - timedelta(seconds=30),
        duration=timedelta(hours=1),
    )

    assert made.start == rig.clock.now
    with pytest.raises(ValidationFailed, match="past"):
        await rig.service.create_reservation(
            OLIVE, env.id, "PR", start=rig.clock.now - timedelta(minutes=2), end=made.end
        )


async def test_the_gate_follows_the_policy(rig: Rig) -> None:
    advisory = await rig.environment("adv")
    exclusive = await rig.environment("exc", reservation_policy=ReservationPolicy.EXCLUSIVE)
    none = await rig.environment("none", reservation_policy=ReservationPolicy.NONE)
    for env in (advisory, exclusive, none):
        await rig.service.create_reservation(OLIVE, env.id, "PR 5", duration=timedelta(hours=1))

    (warning,) = await rig.gate.check(OSCAR, advisory, "restart")
    assert "reserved by olive" in warning
    assert "PR 5" in warning
    assert await rig.gate.check(OLIVE, exclusive, "restart") == []
    assert await rig.gate.check(OSCAR, none, "restart") == []
    with pytest.raises(Reserved) as refused:
        await rig.gate.check(OSCAR, exclusive, "restart", force=True)
    assert refused.value.details["holder"] == "olive"
    with pytest.raises(Reserved):
        await rig.gate.check(ADMIN, exclusive, "upgrade")
    (forced,) = await rig.gate.check(ADMIN, exclusive, "upgrade", force=True)
    assert "forced by ada" in forced
    (override,) = await rig.entries("reservation_override")
    assert override.username == "ada"


async def test_a_claim_takes_a_healthy_free_match_by_name(rig: Rig) -> None:
    healthy = Status(health=HealthState.HEALTHY)
    await rig.environment("qa-3", tags=["qa"], status=healthy)
    second = await rig.environment("qa-2", tags=["qa"], status=healthy)
    await rig.environment("qa-1", tags=["qa"])  # unknown health
    await rig.environment("web-1", tags=["web"], status=healthy)

    first, env = await rig.service.claim(OLIVE, "CI", timedelta(hours=2), tags=["qa"])
    again, env2 = await rig.service.claim(OSCAR, "CI", timedelta(hours=1), tags=["qa"])
    with pytest.raises(NoneAvailable) as none:
        await rig.service.claim(OSCAR, "CI", timedelta(hours=1), tags=["qa"])

    assert (env.name, env2.name) == ("qa-2", "qa-3")
    assert first.environment_id == second.id
    assert none.value.details["nextFreeAt"] == again.end.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    loose, env3 = await rig.service.claim(
        OSCAR, "CI", timedelta(hours=1), tags=["qa"], require_healthy=False
    )
    assert env3.name == "qa-1"
    assert loose.holder.username == "oscar"


async def test_a_short_reservation_is_not_reminded_but_an_extended_one_is_again(rig: Rig) -> None:
    env = await rig.environment()
    short = await rig.service.create_reservation(
        OLIVE, env.id, "quick", duration=timedelta(minutes=10)
    )

    assert await rig.expiry.run_once() == 1  # pending -> reminded, silently
    assert rig.outbox.announced == []
    await rig.service.set_end(OLIVE, short.id, short.end + timedelta(hours=1))
    rig.clock.advance(minutes=56)  # 14 minutes left of the new end
    assert await rig.expiry.run_once() == 1

    assert rig.outbox.events() == [NotificationEvent.RESERVATION_EXPIRING]


async def test_an_ended_reservation_cannot_be_released_broken_or_extended(rig: Rig) -> None:
    env = await rig.environment()
    made = await rig.service.create_reservation(OLIVE, env.id, "PR", duration=timedelta(hours=1))
    rig.clock.advance(hours=2)

    with pytest.raises(ValidationFailed, match="over"):
        await rig.service.release(OLIVE, made.id)
    with pytest.raises(ValidationFailed, match="over"):
        await rig.service.break_reservation(ADMIN, made.id, "late")
    with pytest.raises(ValidationFailed, match="over"):
        await rig.service.set_end(OLIVE, made.id, rig.clock.now + timedelta(hours=1))


async def test_parallel_claims_among_named_environments_each_get_another(rig: Rig) -> None:
    healthy = Status(health=HealthState.HEALTHY)
    named = [await rig.environment(f"ci-{i}", status=healthy) for i in range(3)]
    await rig.environment("ci-other", status=healthy)
    ids = [env.id for env in named]

    results = await asyncio.gather(
        *(
            rig.service.claim(OLIVE, f"run {i}", timedelta(hours=1), environment_ids=ids)
            for i in range(6)
        ),
        return_exceptions=True,
    )

    won = [r for r in results if isinstance(r, tuple)]
    assert sorted(env.name for _, env in won) == ["ci-0", "ci-1", "ci-2"]
    assert sum(isinstance(r, NoneAvailable) for r in results) == 3
