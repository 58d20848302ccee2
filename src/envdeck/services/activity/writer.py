"""The activity log's write path: entries are recorded at once and stored in batches.

`record()` never waits for storage: a health check or an operation is not slowed by the audit
trail. A background writer stores what is pending every `flush_interval` (or sooner when a batch
fills up, or when someone waits for an entry). A batch that storage refuses stays pending, in
order, and the writer tries again with exponential backoff (`flush_interval` doubling up to
`max_retry_delay`) until storage is back; writes are idempotent (entries are named when
recorded), so a write whose outcome was unknown is simply written again.

Acknowledgement (group commit): an entry is *acknowledged* once storage has confirmed its
write. `wait_until_stored()` wakes the writer at once and returns when the entries recorded so
far (or up to a receipt's last one) are stored; the many callers waiting at the same moment
share one batch write. While storage refuses writes (an outage) it answers False at once
instead: the entries stay queued, and the caller says they are pending. The API waits so for
the entries a request recorded before it answers (api/audit_ack.py, `with activity.receipt()`),
so a response means "done and audited", and a `kill -9` right after it loses nothing. Entries
are stored strictly in the order recorded, so "stored up to sequence number N" is one counter.

Memory is bounded: at most `max_pending` entries wait for storage. Past that, nothing is dropped:
`record()` raises ActivityLogUnavailable (503 with Retry-After), so the action whose entry cannot
be kept is refused, and background producers `await wait_for_room()` before recording.

`close()` writes everything still pending, retrying an outage for up to `close_timeout`; what
still cannot be stored then is written to the process log, entry by entry, rather than lost
silently. After close() nothing is accepted (record() raises): nobody would store it.
"""

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from envdeck.adapters.events import EventBus, LogRecorded
from envdeck.domain.clock import utc_now
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.ids import new_id
from envdeck.domain.log import ActivityLogUnavailable, LogEntry, LogLevel, LogType
from envdeck.domain.user import User
from envdeck.repositories.base import LogRepository

log = structlog.get_logger(__name__)

DEFAULT_MAX_PENDING = 100_000
# Short: a failed try against a storage that is down costs nothing (the storage breaker refuses
# it at once), and the log must resume within seconds of storage returning (tests/faults).
MAX_RETRY_DELAY = 2.0
CLOSE_TIMEOUT = 10.0
ACK_TIMEOUT = 5.0
# Requests that change nothing, and so record nothing (HTTP's safe methods).
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Receipt:
    """The entries recorded in one unit of work (a request): the last one's sequence number.

    Open until the work answers; entries recorded later by tasks it started (an operation
    running on) are not part of it.
    """

    last: int = 0
    open: bool = True


# The receipt of the request being served, if any. A contextvar: tasks a request starts inherit
# it, which is why a receipt is closed once the request has answered.
_receipt: ContextVar[Receipt | None] = ContextVar("envdeck_activity_receipt", default=None)


class ActivityLog:
    """Records activity-log entries and writes them to storage in batches."""

    def __init__(
        self,
        repository: LogRepository,
        bus: EventBus,
        *,
        flush_interval: float = 0.2,
        batch_size: int = 500,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_retry_delay: float = MAX_RETRY_DELAY,
        close_timeout: float = CLOSE_TIMEOUT,
        ack_timeout: float = ACK_TIMEOUT,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._bus = bus
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._max_retry_delay = max_retry_delay
        self._close_timeout = close_timeout
        self.ack_timeout = ack_timeout
        self._clock = clock
        self._pending: list[LogEntry] = []
        # Sequence numbers: entries recorded so far, stored so far (a prefix: writes keep the
        # order), and given up on at exit (written to the process log instead).
        self._recorded = 0
        self._stored = 0
        self._spilled = 0
        # (sequence number, tie-breaker, future) of callers waiting for a write, lowest first.
        self._waiters: list[tuple[int, int, asyncio.Future[bool]]] = []
        self._waiter_ids = itertools.count()
        # The last write failed: waiters are answered at once until one succeeds.
        self._failing = False
        self._write_lock = asyncio.Lock()
        self._wake = asyncio.Event()  # a batch is full, or someone waits for a write
        self._stop = asyncio.Event()
        self._room = asyncio.Event()  # set while pending < max_pending
        self._room.set()
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        # Batch writes storage refused (each retried); /metrics exports it.
        self.write_failures = 0

    @property
    def pending(self) -> int:
        """Return how many recorded entries are not stored yet."""
        return len(self._pending)

    @property
    def has_room(self) -> bool:
        """Tell whether record() would accept an entry now."""
        return len(self._pending) < self._max_pending and not self._closed

    def ensure_room(self) -> None:
        """Raise ActivityLogUnavailable unless record() would accept an entry now."""
        retry_after = max(1, round(self._max_retry_delay))
        if self._closed:
            raise ActivityLogUnavailable(retry_after, self.pending, "the activity log is closed")
        if not self.has_room:
            raise ActivityLogUnavailable(retry_after, self.pending)

    def admit_request(self, method: str) -> None:
        """Refuse a request that may change something while the log could not keep its entry.

        Raise ActivityLogUnavailable (503, Retry-After) before the request does anything, so a
        change is never made unaudited; requests that only read always pass.
        """
        if method not in READ_ONLY_METHODS:
            self.ensure_room()

    async def wait_for_room(self) -> None:
        """Return once record() accepts an entry: how background producers take backpressure.

        Call record() right after (no await in between), and the entry is accepted. Raise
        ActivityLogUnavailable once the log is closed.
        """
        while not self.has_room:
            if self._closed:
                self.ensure_room()
            self._room.clear()
            await self._room.wait()

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
        """Queue one entry for storage and return it, already named by its id.

        Raise ActivityLogUnavailable when max_pending entries already wait for storage, or
        once the log is closed.
        """
        if not self.has_room:
            log.warning("activity_log_refused", pending=self.pending, action=action)
            self.ensure_room()
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
        self._recorded += 1
        receipt = _receipt.get()
        if receipt is not None and receipt.open:
            receipt.last = self._recorded
        if len(self._pending) >= self._batch_size:
            self._wake.set()
        return entry

    @contextlib.contextmanager
    def receipt(self) -> Iterator[Receipt]:
        """Note the entries recorded (in this context) until the block ends, in a Receipt."""
        receipt = Receipt()
        token = _receipt.set(receipt)
        try:
            yield receipt
        finally:
            receipt.open = False
            _receipt.reset(token)

    async def wait_until_stored(
        self,
        receipt: Receipt | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (a bound on waiting, not on work)
    ) -> bool:
        """Return True once the entries of receipt (default: every entry recorded so far) are
        stored; False if storage has not confirmed them within timeout (default ack_timeout),
        if a write failed meanwhile or the last one did (an outage: they stay queued), or if
        they were given up on at exit. Wakes the writer at once (group commit)."""
        through = self._recorded if receipt is None else receipt.last
        if through <= self._stored:
            return True
        if through <= self._spilled or self._failing:
            # Given up on, or storage is refusing writes (an outage): waiting would only delay
            # the answer; the entry stays queued and is written once storage is back.
            return False
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        heapq.heappush(self._waiters, (through, next(self._waiter_ids), future))
        self._wake.set()
        seconds = self.ack_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(seconds):
                return await future
        except TimeoutError:
            log.warning(
                "activity_log_ack_timeout", waited_s=seconds, pending=self.pending, through=through
            )
            return False
        finally:
            future.cancel()  # a no-op once it has a result

    def _release_waiters(self, stored: bool, *, everyone: bool = False) -> None:
        done_through = self._stored if stored else self._spilled
        while self._waiters and (everyone or self._waiters[0][0] <= done_through):
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(stored)

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
            try:
                stored = await self._repository.create_many(batch)
            except Exception:
                self.write_failures += 1
                # Storage is failing: whoever waits is told now, not after ack_timeout.
                self._failing = True
                self._release_waiters(stored=False, everyone=True)
                raise
            # Only now drop them: a failed write leaves the batch pending, in order.
            del self._pending[: len(batch)]
            self._stored += len(batch)
            self._failing = False
        self._release_waiters(stored=True)
        if self.has_room:
            self._room.set()
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
            self._stop.clear()
            self._task = asyncio.create_task(self._run(), name="activity-log-writer")

    async def close(self) -> None:
        """Stop the background writer and store everything still pending.

        From now on record() refuses entries (nobody would store them), and producers waiting
        for room are told so.
        """
        self._closed = True
        self._room.set()
        if self._task is not None:
            # Not cancelled: a write cancelled mid-flight may still commit. The writer finishes
            # its current write and returns.
            self._stop.set()
            self._wake.set()  # the writer may be waiting for a full batch
            await self._task
            self._task = None
        await self._flush_before_exit()

    def retry_delay(self, failures: int) -> float:
        """Return how long the writer waits after this many failed writes in a row."""
        return min(self._flush_interval * 2.0**failures, self._max_retry_delay)

    async def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            if failures == 0:
                # Every flush_interval, or as soon as a batch is full.
                await _wait(self._wake, self._flush_interval)
            else:
                # Backing off: a full batch does not hurry a retry against a storage that is down.
                await _wait(self._stop, self.retry_delay(failures))
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                await self.flush()
            except StorageUnavailable:
                failures += 1
                log.warning(
                    "activity_log_write_failed",
                    pending=self.pending,
                    failures=failures,
                    retry_in=self.retry_delay(failures),
                )
                continue
            except Exception:
                # A bug, not an outage: keep the entries and the writer alive, and say so loudly.
                failures += 1
                log.exception("activity_log_write_error", pending=self.pending)
                continue
            if failures:
                log.info("activity_log_write_recovered", failures=failures)
            failures = 0

    async def _flush_before_exit(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._close_timeout
        failures = 0
        while self._pending:
            try:
                await self.flush()
            except StorageUnavailable:
                failures += 1
                remaining = deadline - loop.time()
                if remaining <= 0:
                    self._spill()
                    return
                await asyncio.sleep(min(self.retry_delay(failures), remaining))
            except Exception:
                log.exception("activity_log_write_error", pending=self.pending)
                self._spill()
                return

    def _spill(self) -> None:
        # The last resort at exit: storage never came back, so the entries go to the process
        # log (which operators keep) instead of vanishing.
        log.error("activity_log_unflushed", pending=self.pending)
        for entry in self._pending:
            log.error(
                "activity_log_entry_unstored", entry=entry.model_dump(mode="json", by_alias=True)
            )
        self._spilled = self._stored + len(self._pending)
        self._pending.clear()
        self._release_waiters(stored=False)
        self._room.set()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Return when event is set or after seconds, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
