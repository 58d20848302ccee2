"""One Prometheus scrape: the process's counters plus what its parts hold right now.

Values that are cheap to read at any time (environments by health, sockets, the activity log's
queue, the storage breaker) are read here when Prometheus scrapes (docs/metrics.md).
"""

from envdeck.adapters.metrics import Metrics, Sample
from envdeck.domain.errors import StorageUnavailable
from envdeck.repositories.breaker import StorageBreaker
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.views import EnvironmentViews
from envdeck.services.realtime import RealtimeHub


class MetricsScrape:
    def __init__(
        self,
        metrics: Metrics,
        views: EnvironmentViews,
        realtime: RealtimeHub,
        activity: ActivityLog,
        breaker: StorageBreaker,
    ) -> None:
        self._metrics = metrics
        self._views = views
        self._realtime = realtime
        self._activity = activity
        self._breaker = breaker

    async def render(self) -> bytes:
        """Return the text exposition of every metric, sampled now."""
        return self._metrics.render(await self.sample())

    async def sample(self) -> Sample:
        """Read the values that are sampled at scrape time."""
        try:
            # Cached like the inventory views: until an environment changes (or a second passes).
            by_health = await self._views.count_by_health()
        except StorageUnavailable:
            by_health = None
        # Read after the call above, which may have probed storage and closed the breaker.
        breaker = self._breaker
        return Sample(
            environments_by_health=by_health,
            websocket_connections=self._realtime.connection_count,
            activity_queue_depth=self._activity.pending,
            activity_write_failures=self._activity.write_failures,
            storage_breaker_open=breaker.is_open,
            storage_breaker_opens=breaker.trips,
        )
