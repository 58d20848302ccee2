"""Activity-log retention: entries older than `logs.retentionDays` go.

MongoDB expires them itself through a TTL index, set (or changed) when retention starts. SQLite
has no expiry, so the log is purged once at start and then every `interval` (hourly), in chunks
that let the activity-log writer in between.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from envdeck.domain.errors import StorageUnavailable
from envdeck.repositories.base import LogRepository

log = structlog.get_logger(__name__)

PURGE_INTERVAL = 3600.0
# After a failure (storage down), try again sooner than a full interval.
RETRY_INTERVAL = 60.0


class LogRetention:
    """Keeps the activity log to its retention period."""

    def __init__(
        self,
        repository: LogRepository,
        retention: timedelta,
        clock: Callable[[], datetime],
        *,
        interval: float = PURGE_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
    ) -> None:
        self._repository = repository
        self._retention = retention
        self._clock = clock
        self._interval = interval
        self._retry_interval = retry_interval
        self._storage_expires: bool | None = None  # unknown until the first run
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Apply the retention once; return how many entries were purged here."""
        if self._storage_expires is None:
            self._storage_expires = await self._repository.expire_after(self._retention)
            log.info(
                "log_retention_set",
                retention_days=self._retention.days,
                by="storage" if self._storage_expires else "purge",
            )
        if self._storage_expires:
            return 0
        deleted = await self._repository.delete_before(self._clock() - self._retention)
        if deleted:
            log.info("log_retention_purged", deleted=deleted)
        return deleted

    def start(self) -> None:
        """Start applying the retention now and then every interval."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="log-retention")

    async def close(self) -> None:
        """Stop; a purge cut short is harmless (each chunk is its own transaction)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
                delay = self._interval
            except StorageUnavailable:
                log.warning("log_retention_failed", retry_in=self._retry_interval)
                delay = self._retry_interval
            except Exception:
                log.exception("log_retention_error", retry_in=self._retry_interval)
                delay = self._retry_interval
            if self._storage_expires:
                return  # storage does it from now on
            await asyncio.sleep(delay)
