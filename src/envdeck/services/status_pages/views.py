"""What a status page shows: each environment's health, version and uptime per UTC day.

Built from the environment documents and the hourly health rollups only, and copied field by
field into StatusPageEnvironment, so nothing else of an environment (its URL, target, headers,
metadata, check messages that may name hosts) can reach a reader.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from envdeck.domain.base import MAX_PAGE_LIMIT
from envdeck.domain.environment import Environment, EnvironmentListOptions, HealthState
from envdeck.domain.health import HealthPoint
from envdeck.domain.status_page import (
    MAX_STATUS_PAGE_ENVIRONMENTS,
    STATUS_PAGE_DAYS,
    StatusPage,
    StatusPageEnvironment,
    StatusPageView,
    UptimeDay,
)
from envdeck.repositories.base import EnvironmentRepository, HealthSampleRepository
from envdeck.services.health.history import uptime_percent

_DAY = timedelta(days=1)
_MS = timedelta(milliseconds=1)
# Worst first: the page's overall health is the first of these any environment has.
_SEVERITY = (HealthState.UNHEALTHY, HealthState.UNKNOWN, HealthState.HEALTHY)


def first_day(now: datetime, days: int = STATUS_PAGE_DAYS) -> datetime:
    """Return midnight (UTC) of the first of `days` days ending today."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - (days - 1) * _DAY


def uptime_days(points: list[HealthPoint], start: datetime, days: int) -> list[UptimeDay]:
    """Return one bar per day from start, a day without checks having no uptime."""
    by_day = {point.timestamp.date(): point for point in points}
    bars = []
    for n in range(days):
        day = (start + n * _DAY).date()
        point = by_day.get(day)
        checks = point.checks if point else 0
        healthy = point.healthy_checks if point else 0
        bars.append(
            # Built from computed values of the right types: 90 a row, validation is wasted.
            UptimeDay.model_construct(
                date=day.isoformat(), uptime=uptime_percent(checks, healthy), checks=checks
            )
        )
    return bars


def overall_health(environments: list[StatusPageEnvironment]) -> HealthState:
    """Return the worst health among the environments (unknown when there are none)."""
    states = {environment.health for environment in environments}
    return next((state for state in _SEVERITY if state in states), HealthState.UNKNOWN)


class StatusPageViews:
    """Builds the view of a status page from storage (the caller caches it)."""

    def __init__(
        self,
        environments: EnvironmentRepository,
        samples: HealthSampleRepository,
        clock: Callable[[], datetime],
    ) -> None:
        self._environments = environments
        self._samples = samples
        self._clock = clock

    async def build(self, page: StatusPage) -> StatusPageView:
        """Return the page as readers see it now."""
        now = self._clock()
        found = await self._in_scope(page)
        shown = found[:MAX_STATUS_PAGE_ENVIRONMENTS]
        start = first_day(now)
        environments = list(
            await asyncio.gather(*(self._environment(env, start, now) for env in shown))
        )
        return StatusPageView(
            slug=page.slug,
            title=page.title,
            description=page.description,
            public=page.public,
            generated_at=now,
            overall=overall_health(environments),
            environments=environments,
            left_off=len(found) - len(shown),
        )

    async def _in_scope(self, page: StatusPage) -> list[Environment]:
        """Return the environments the page's scope names, by name (one more than shown at
        most per source, enough to tell that some are left off)."""
        found: dict[str, Environment] = {}
        sources = [EnvironmentListOptions(tag=tag) for tag in page.scope.tags]
        if page.scope.environment_ids:
            sources.append(EnvironmentListOptions(ids=page.scope.environment_ids))
        for options in sources:
            await self._collect(options, found)
        return sorted(found.values(), key=lambda environment: environment.name)

    async def _collect(
        self, options: EnvironmentListOptions, found: dict[str, Environment]
    ) -> None:
        options = options.model_copy(update={"limit": MAX_PAGE_LIMIT, "sort": "name"})
        seen = 0
        while seen <= MAX_STATUS_PAGE_ENVIRONMENTS:
            batch = await self._environments.find(options)
            found.update((environment.id, environment) for environment in batch)
            seen += len(batch)
            if len(batch) < options.limit:
                return
            options = options.model_copy(update={"page": options.page + 1})

    async def _environment(
        self, environment: Environment, start: datetime, now: datetime
    ) -> StatusPageEnvironment:
        points = await self._samples.rollup_history(environment.id, start, now + _MS, _DAY)
        checks = sum(point.checks for point in points)
        healthy = sum(point.healthy_checks for point in points)
        status = environment.status
        return StatusPageEnvironment(
            name=environment.name,
            health=status.health,
            since=status.since,
            last_check=status.last_check,
            version=environment.system_info.app_version or None,
            uptime=uptime_percent(checks, healthy),
            days=uptime_days(points, start, STATUS_PAGE_DAYS),
        )
