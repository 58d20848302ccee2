"""Activity-log retention: entries older than `logs.retentionDays` go.

MongoDB expires them itself through a TTL index, set (or changed) when retention starts. SQLite
has no expiry, so the log is purged once at start and then every `interval` (hourly), in chunks
that let the activity-log writer in between.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from envdeck.repositories.base import LogRepository
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.retention import PURGE_INTERVAL, RETRY_INTERVAL, PeriodicRetention


class LogRetention(PeriodicRetention):
    """Keeps the activity log to its retention period."""

    name = "log"

    def __init__(
        self,
        repository: LogRepository,
        retention: timedelta,
        clock: Callable[[], datetime],
        *,
        interval: float = PURGE_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
        leases: LeaseKeeper | None = None,
    ) -> None:
        super().__init__(clock, interval=interval, retry_interval=retry_interval, leases=leases)
        self._repository = repository
        self._retention = retention

    async def _expire(self) -> bool:
        return await self._repository.expire_after(self._retention)

    async def _purge(self, now: datetime) -> int:
        return await self._repository.delete_before(now - self._retention)
