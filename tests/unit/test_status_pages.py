"""Status pages as a service, on the in-memory storage: who may read which page, the cache
that holds a refresh storm, and the days of uptime."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio

from envdeck.adapters.events import EventBus
from envdeck.domain.auth import Principal
from envdeck.domain.environment import Environment, HealthState, Status, SystemInfo
from envdeck.domain.errors import Unauthorized
from envdeck.domain.health import HealthSample
from envdeck.domain.status_page import StatusPageNotFound, StatusPageSpec
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.status_pages.service import (
    CACHE_SECONDS,
    STALE_SECONDS,
    StatusPageService,
)
from tests.fakes.clock import FakeClock
from tests.fakes.storage import FakeStorage
from tests.unit.test_operation_service import ADMIN, VIEWER


class Timer:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    storage: FakeStorage
    clock: FakeClock
    timer: Timer
    service: StatusPageService
    reads: list[str]

    async def environment(self, name: str, version: str = "1.0", **fields: Any) -> Environment:
        created = await self.storage.environments.create(
            Environment(name=name, tags=["shop"], **fields)
        )
        await self.set_version(created.id, version)
        return created

    async def set_version(self, environment_id: str, version: str) -> None:
        await self.storage.environments.update_system_info(
            environment_id, SystemInfo(app_version=version)
        )

    async def page(self, **fields: Any) -> None:
        spec = {"slug": "shop", "title": "Shop", "scope": {"tags": ["shop"]}, "public": True}
        await self.service.create_page(ADMIN, StatusPageSpec.model_validate(spec | fields))


async def anonymous() -> Principal:
    raise Unauthorized("sign in")


async def signed_in() -> Principal:
    return VIEWER


@pytest_asyncio.fixture
async def rig() -> AsyncIterator[Rig]:
    clock = FakeClock()
    storage = FakeStorage(clock)
    bus = EventBus()
    activity = ActivityLog(storage.logs, bus, flush_interval=3600, clock=clock)
    timer = Timer()
    service = StatusPageService(storage, activity, clock, timer=timer)
    reads: list[str] = []
    get_by_slug = storage.status_pages.get_by_slug

    async def counted(slug: str) -> Any:
        reads.append(slug)
        await asyncio.sleep(0)  # a real read yields; concurrent readers arrive meanwhile
        return await get_by_slug(slug)

    storage.status_pages.get_by_slug = counted  # type: ignore[method-assign]
    yield Rig(storage, clock, timer, service, reads)
    await activity.close()
    await bus.close()


async def test_a_public_page_is_read_without_signing_in(rig: Rig) -> None:
    await rig.environment("shop-prod", "2.4.1")
    await rig.page()

    view = await rig.service.read("shop", anonymous)

    assert [(e.name, e.version) for e in view.environments] == [("shop-prod", "2.4.1")]


async def test_a_private_page_or_none_needs_signing_in(rig: Rig) -> None:
    await rig.page(public=False)

    with pytest.raises(Unauthorized):
        await rig.service.read("shop", anonymous)
    with pytest.raises(Unauthorized):
        await rig.service.read("nothing", anonymous)
    with pytest.raises(StatusPageNotFound):
        await rig.service.read("nothing", signed_in)
    assert (await rig.service.read("shop", signed_in)).public is False


async def test_readers_share_one_build_until_it_expires(rig: Rig) -> None:
    env = await rig.environment("shop-prod", "1.0")
    await rig.page()

    storm = await asyncio.gather(*(rig.service.read("shop", anonymous) for _ in range(50)))
    await rig.set_version(env.id, "2.0")
    rig.timer.now += CACHE_SECONDS - 1
    cached = await rig.service.read("shop", anonymous)

    assert rig.reads == ["shop"]
    assert {view.environments[0].version for view in storm} == {"1.0"}
    assert cached.environments[0].version == "1.0"


async def test_an_expired_view_is_served_while_one_rebuild_runs(rig: Rig) -> None:
    env = await rig.environment("shop-prod", "1.0")
    await rig.page()
    await rig.service.read("shop", anonymous)
    await rig.set_version(env.id, "2.0")
    rig.timer.now += CACHE_SECONDS + 1

    during = await asyncio.gather(*(rig.service.read("shop", anonymous) for _ in range(20)))
    for _ in range(10):  # let the rebuild finish
        await asyncio.sleep(0)
    after = await rig.service.read("shop", anonymous)

    assert {view.environments[0].version for view in during} == {"1.0"}
    assert after.environments[0].version == "2.0"
    assert rig.reads == ["shop", "shop"]


async def test_a_view_too_old_to_serve_is_waited_for(rig: Rig) -> None:
    env = await rig.environment("shop-prod", "1.0")
    await rig.page()
    await rig.service.read("shop", anonymous)
    await rig.set_version(env.id, "2.0")
    rig.timer.now += CACHE_SECONDS + STALE_SECONDS + 1

    assert (await rig.service.read("shop", anonymous)).environments[0].version == "2.0"


async def test_days_are_utc_days_oldest_first_with_gaps_unchecked(rig: Rig) -> None:
    env = await rig.environment("shop-prod")
    await rig.page()
    today = rig.clock.now.replace(hour=0, minute=0, second=0, microsecond=0)
    samples = [
        HealthSample(
            environment_id=env.id,
            timestamp=today - timedelta(days=2) + timedelta(minutes=n),
            health=HealthState.HEALTHY if n else HealthState.UNHEALTHY,
        )
        for n in range(4)
    ] + [HealthSample(environment_id=env.id, timestamp=today, health=HealthState.HEALTHY)]
    await rig.storage.health_samples.record(samples)

    days = (await rig.service.read("shop", anonymous)).environments[0].days

    assert len(days) == 90
    assert days[-1].date == today.date().isoformat()
    assert [(d.uptime, d.checks) for d in days[-3:]] == [(75.0, 4), (None, 0), (100.0, 1)]
    assert (await rig.service.read("shop", anonymous)).environments[0].uptime == 80.0


async def test_the_overall_health_is_the_worst_shown(rig: Rig) -> None:
    healthy = await rig.environment("a")
    await rig.storage.environments.update_status(healthy.id, Status(health=HealthState.HEALTHY))
    await rig.environment("b")  # never checked: unknown
    await rig.page()

    assert (await rig.service.read("shop", anonymous)).overall is HealthState.UNKNOWN


async def test_a_disabled_page_is_not_found(rig: Rig) -> None:
    await rig.page(enabled=False)

    with pytest.raises(StatusPageNotFound):
        await rig.service.read("shop", signed_in)
