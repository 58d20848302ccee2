"""Health history: charts, uptime percentages, recent checks and card sparklines.

Every answer reads one environment's index range (or a few environments' for sparklines):
the short ranges from raw samples, the long ones and uptime from hourly rollups, so the cost
never grows with the number of samples kept. Deleting an environment forgets its samples
(this service listens for EnvironmentChanged on the bus; the environment service needs no
knowledge of it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import structlog

from envdeck.adapters.events import EnvironmentChanged, Event, EventBus, Subscription
from envdeck.domain.base import DomainModel
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.health import HealthPoint, HealthSample
from envdeck.repositories.base import Storage
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.retention import PURGE_INTERVAL, RETRY_INTERVAL, PeriodicRetention

log = structlog.get_logger(__name__)

MAX_SPARKLINE_IDS = 200
SPARKLINE_SPAN = timedelta(hours=1)
SPARKLINE_BUCKET = timedelta(minutes=2)
MAX_RECENT_CHECKS = 100
_HOUR = timedelta(hours=1)
_MS = timedelta(milliseconds=1)


class HistoryRange(StrEnum):
    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"


class UptimeRange(StrEnum):
    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"
    QUARTER = "90d"


@dataclass(frozen=True)
class ChartPlan:
    """Where a chart's points come from and how wide each is (≤ ~300 points a chart)."""

    span: timedelta
    bucket: timedelta
    from_rollups: bool


CHART_PLANS = {
    HistoryRange.HOUR: ChartPlan(timedelta(hours=1), timedelta(seconds=12), False),  # 300
    HistoryRange.DAY: ChartPlan(timedelta(hours=24), timedelta(minutes=5), False),  # 288
    HistoryRange.WEEK: ChartPlan(timedelta(days=7), timedelta(hours=1), True),  # 168
    HistoryRange.MONTH: ChartPlan(timedelta(days=30), timedelta(hours=3), True),  # 240
}
UPTIME_SPANS = {
    UptimeRange.DAY: timedelta(hours=24),
    UptimeRange.WEEK: timedelta(days=7),
    UptimeRange.MONTH: timedelta(days=30),
    UptimeRange.QUARTER: timedelta(days=90),
}


class HealthHistory(DomainModel):
    range: HistoryRange
    bucket_seconds: int
    points: list[HealthPoint]


class UptimeWindow(DomainModel):
    range: UptimeRange
    # Percent of checks that found the environment healthy, 2 decimals; None: no checks.
    uptime: float | None
    checks: int
    healthy_checks: int


class Uptime(DomainModel):
    windows: list[UptimeWindow]


def uptime_percent(checks: int, healthy_checks: int) -> float | None:
    """Return the share of healthy checks in percent, rounded to 2 decimals (None: no checks)."""
    if checks <= 0:
        return None
    return round(100.0 * healthy_checks / checks, 2)


def window_start(now: datetime, span: timedelta) -> datetime:
    """Return the first hour of a window of whole hours ending with the current hour."""
    return now.replace(minute=0, second=0, microsecond=0) - (span - _HOUR)


class HealthHistoryService:
    """Reads of the samples and rollups the health engine records."""

    def __init__(self, storage: Storage, bus: EventBus, clock: Callable[[], datetime]) -> None:
        self._storage = storage
        self._bus = bus
        self._clock = clock
        self._subscription: Subscription | None = None

    async def history(self, environment_id: str, range_: HistoryRange) -> HealthHistory:
        """Return an environment's chart over range_ (raw samples or hourly rollups)."""
        await self._storage.environments.get_by_id(environment_id)
        plan = CHART_PLANS[range_]
        now = self._clock()
        start, end = now - plan.span, now + _MS
        samples = self._storage.health_samples
        read = samples.rollup_history if plan.from_rollups else samples.history
        points = await read(environment_id, start, end, plan.bucket)
        return HealthHistory(
            range=range_, bucket_seconds=int(plan.bucket.total_seconds()), points=points
        )

    async def uptime(self, environment_id: str) -> Uptime:
        """Return the uptime of an environment over 24 h, 7 d, 30 d and 90 d (whole hours)."""
        await self._storage.environments.get_by_id(environment_id)
        now = self._clock()
        windows = []
        for range_, span in UPTIME_SPANS.items():
            checks, healthy = await self._storage.health_samples.uptime(
                environment_id, window_start(now, span)
            )
            windows.append(
                UptimeWindow(
                    range=range_,
                    uptime=uptime_percent(checks, healthy),
                    checks=checks,
                    healthy_checks=healthy,
                )
            )
        return Uptime(windows=windows)

    async def recent_checks(self, environment_id: str, limit: int) -> list[HealthSample]:
        """Return an environment's newest checks, newest first."""
        await self._storage.environments.get_by_id(environment_id)
        return await self._storage.health_samples.latest(
            environment_id, min(max(limit, 1), MAX_RECENT_CHECKS)
        )

    async def sparklines(self, environment_ids: list[str]) -> dict[str, list[HealthPoint]]:
        """Return the last hour of each environment in 2-minute buckets (unknown ids: empty)."""
        ids = list(dict.fromkeys(environment_ids))
        if len(ids) > MAX_SPARKLINE_IDS:
            raise ValidationFailed(
                f"at most {MAX_SPARKLINE_IDS} environments at once",
                details={"field": "ids", "max": MAX_SPARKLINE_IDS},
            )
        since = self._clock() - SPARKLINE_SPAN
        return await self._storage.health_samples.recent(ids, since, SPARKLINE_BUCKET)

    def start(self) -> None:
        """Forget the samples of each environment deleted from now on."""
        if self._subscription is None:
            self._subscription = self._bus.subscribe(
                "health-history", self._on_event, {EnvironmentChanged.topic}
            )

    async def close(self) -> None:
        if self._subscription is not None:
            await self._bus.unsubscribe(self._subscription)
            self._subscription = None

    async def _on_event(self, event: Event) -> None:
        # The instance that deleted it forgets (origin None); the others hear of it relayed.
        if (
            isinstance(event, EnvironmentChanged)
            and event.action == "deleted"
            and event.origin is None
        ):
            await self.forget(event.environment.id)

    async def forget(self, environment_id: str) -> None:
        """Delete every sample and rollup of an environment."""
        await self._storage.health_samples.delete_for_environment(environment_id)
        log.info("health_history_forgotten", environment_id=environment_id)


class HealthSampleRetention(PeriodicRetention):
    """Keeps samples to `health.rawRetentionDays` and rollups to `rollupRetentionDays`.

    MongoDB expires both through TTL indexes, set (or changed) on the first run. SQLite has
    no expiry: it is purged at start and then every `interval` (hourly), in chunks.
    """

    name = "health"

    def __init__(
        self,
        storage: Storage,
        raw_retention: timedelta,
        rollup_retention: timedelta,
        clock: Callable[[], datetime],
        *,
        interval: float = PURGE_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
        leases: LeaseKeeper | None = None,
    ) -> None:
        super().__init__(clock, interval=interval, retry_interval=retry_interval, leases=leases)
        self._storage = storage
        self._raw_retention = raw_retention
        self._rollup_retention = rollup_retention

    async def _expire(self) -> bool:
        return await self._storage.health_samples.expire_after(
            self._raw_retention, self._rollup_retention
        )

    async def _purge(self, now: datetime) -> int:
        return await self._storage.health_samples.delete_before(
            now - self._raw_retention, now - self._rollup_retention
        )
