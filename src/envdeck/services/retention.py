"""What every retention (activity log, health samples) does: expire or purge, start to stop.

A backend that expires documents itself (MongoDB TTL indexes) is told the retention once;
one that cannot (SQLite) is purged at start and then every `interval`, and sooner again after
a failure such as storage being down. With several instances, one at a time applies it: the
one holding the job's lease (`job:<name>-retention`) when a run is due.
"""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

import structlog

from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.errors import StorageUnavailable
from envdeck.services.cluster.leases import LeaseKeeper

log = structlog.get_logger(__name__)

PURGE_INTERVAL = 3600.0
# After a failure (storage down), try again sooner than a full interval.
RETRY_INTERVAL = 60.0


class PeriodicRetention(ABC):
    """Applies one retention; subclasses say how storage expires and how it purges."""

    # Names the process-log events: "<name>_retention_set", "<name>_retention_purged".
    name: ClassVar[str]

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        interval: float = PURGE_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
        leases: LeaseKeeper | None = None,
    ) -> None:
        self._clock = clock
        self._leases = leases
        self._interval = interval
        self._retry_interval = retry_interval
        self._storage_expires: bool | None = None  # unknown until the first run
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def _expire(self) -> bool:
        """Hand the retention to storage; return False when storage cannot expire by itself."""

    @abstractmethod
    async def _purge(self, now: datetime) -> int:
        """Delete what is past the retention at `now`; return how much went."""

    async def run_once(self) -> int:
        """Apply the retention once; return how much was purged here."""
        if self._storage_expires is None:
            self._storage_expires = await self._expire()
            log.info(
                f"{self.name}_retention_set",
                by="storage" if self._storage_expires else "purge",
            )
        if self._storage_expires:
            return 0
        deleted = await self._purge(self._clock())
        if deleted:
            log.info(f"{self.name}_retention_purged", deleted=deleted)
        return deleted

    def start(self) -> None:
        """Start applying the retention now and then every interval."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"{self.name}-retention")

    async def close(self) -> None:
        """Stop; a purge cut short is harmless (each chunk is its own transaction)."""
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                if self._leases is not None and not await self._leases.acquire(
                    f"job:{self.name}-retention"
                ):
                    await asyncio.sleep(self._interval)  # another instance runs it
                    continue
                await self.run_once()
                delay = self._interval
            except StorageUnavailable:
                log.warning(f"{self.name}_retention_failed", retry_in=self._retry_interval)
                delay = self._retry_interval
            except Exception:
                log.exception(f"{self.name}_retention_error", retry_in=self._retry_interval)
                delay = self._retry_interval
            if self._storage_expires:
                return  # storage does it from now on
            await asyncio.sleep(delay)
