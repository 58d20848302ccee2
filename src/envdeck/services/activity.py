"""The activity log's write path: entries are recorded at once and stored in batches.

`record()` never waits for storage, so a request or a health check is not slowed by the audit
trail. A background writer stores what is pending every `flush_interval` (or sooner when a batch
fills up). A batch that storage refuses stays pending, in order, and is tried again; `close()`
writes everything still pending, so a clean stop loses nothing.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogEntry, LogLevel, LogType
from envdeck.domain.user import User
from envdeck.repositories.base import LogRepository
from envdeck.services.events import EventBus, LogRecorded

log = structlog.get_logger(__name__)

MAX_RETRY_DELAY = 5.0


class ActivityLog:
    """Records activity-log entries and writes them to storage in batches."""

    def __init__(
        self,
        repository: LogRepository,
        bus: EventBus,
        *,
        flush_interval: float = 0.2,
        batch_size: int = 500,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._bus = bus
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._clock = clock
        self._pending: list[LogEntry] = []
        self._write_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """Return how many recorded entries are not stored yet."""
        return len(self._pending)

    def record(
        self,
        *,
        type: LogType,
        action: str,
        message: str,
        level: LogLevel = LogLevel.INFO,
        environment_id: str | None = None,
        environment_name: str | None = None,
        user_id: str | None = None,
        username: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> LogEntry:
        """Queue one entry for storage and return it, already named by its id."""
        entry = LogEntry(
            id=new_id(),
            timestamp=self._clock(),
            type=type,
            level=level,
            action=action,
            message=message,
            environment_id=environment_id,
            environment_name=environment_name,
            user_id=user_id,
            username=username,
            details=details or {},
        )
        self._pending.append(entry)
        if len(self._pending) >= self._batch_size:
            self._wake.set()
        return entry

    def record_by(
        self,
        user: User,
        *,
        action: str,
        message: str,
        type: LogType = LogType.AUTH,
        level: LogLevel = LogLevel.INFO,
        details: dict[str, Any] | None = None,
    ) -> LogEntry:
        """Record an entry done by (or, for logins, about) this user."""
        return self.record(
            type=type,
            action=action,
            message=message,
            level=level,
            user_id=user.id,
            username=user.username,
            details=details,
        )

    async def run_once(self) -> int:
        """Store one batch of pending entries; return how many were stored."""
        async with self._write_lock:
            batch = self._pending[: self._batch_size]
            if not batch:
                return 0
            stored = await self._repository.create_many(batch)
            # Only now drop them: a failed write leaves the batch pending, in order.
            del self._pending[: len(batch)]
        for entry in stored:
            self._bus.publish(LogRecorded(entry=entry))
        return len(stored)

    async def flush(self) -> None:
        """Store everything pending now; raise StorageUnavailable if storage refuses."""
        while self._pending:
            await self.run_once()

    def start(self) -> None:
        """Start the background writer."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="activity-log-writer")

    async def close(self) -> None:
        """Stop the background writer and store everything still pending."""
        if self._task is not None:
            # Not cancelled: a write cancelled mid-flight may still commit, and would then be
            # written twice. The writer finishes its current write and returns.
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        try:
            await self.flush()
        except StorageUnavailable:
            log.error("activity_log_unflushed", pending=len(self._pending))

    async def _run(self) -> None:
        delay = self._flush_interval
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.flush()
                delay = self._flush_interval
            except StorageUnavailable:
                delay = min(max(delay * 2, self._flush_interval), MAX_RETRY_DELAY)
                log.warning("activity_log_write_failed", pending=len(self._pending), retry_in=delay)
