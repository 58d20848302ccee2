"""Delivering messages to channels: a bounded queue, worker tasks, retries with backoff.

Nothing that produces a message waits for it to be sent: `submit()` only queues (and drops,
logged and counted, when `queueSize` deliveries already wait). Each channel has a lane: its
messages are sent one at a time in the order they were queued, so "recovered" never overtakes
the "unhealthy" it answers, while different channels are sent in parallel. Workers send with
tenacity: `retryAttempts` attempts in all, each bounded by `sendTimeout`, `retryBaseDelay`
doubling between them. Each delivery ends in exactly one activity-log entry
(`notification_sent` or `notification_failed`, with the attempts and the masked error), the
channel's `lastDelivery`, and one count in `envdeck_notification_deliveries`; a job alerting
recorded in the outbox (`outbox.py`) has its entry marked sent or failed.

At shutdown (`close`), no retry starts any more and what is queued or in flight gets
`SHUTDOWN_GRACE` seconds; a delivery cut short is recorded as failed, what never started is
logged as undelivered: their outbox entries stay pending, for a survivor or the next start to
send (outbox.py); those cut short are marked failed, as their activity entries say.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from envdeck.adapters.metrics import Metrics
from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError, bound_to
from envdeck.domain.alerting import OutboxStatus
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.log import ActivityLogUnavailable, LogLevel, LogType
from envdeck.domain.notification import TEST_MESSAGE, Delivery, DeliveryEvent, DeliveryStatus
from envdeck.domain.user import User
from envdeck.repositories.base import NotificationChannelRepository, NotificationOutboxRepository
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.notifications.sender import AppriseSender, Message, SendResult

log = structlog.get_logger(__name__)

WORKERS = 4
SHUTDOWN_GRACE = 5.0
# At shutdown, marking the deliveries cut short as failed gets this long (storage may be down).
MARK_TIMEOUT = 2.0
UNDECRYPTABLE = (
    "the channel's URL cannot be decrypted with the current encryption key: set it again"
)


def channel_url_context(channel_id: str) -> str:
    """Return what a channel's sealed URL is bound to."""
    return bound_to("notificationChannel", channel_id, "url")


@dataclass(frozen=True)
class Job:
    """One message for one channel; the URL stays sealed until the moment it is sent."""

    channel_id: str
    channel_name: str
    service: str
    sealed_url: str = field(repr=False)
    event: DeliveryEvent
    message: Message
    environment_id: str | None = None
    environment_name: str | None = None
    # A reminder of an environment that stays unhealthy (event environment.unhealthy).
    reminder: bool = False
    # The outbox entry it was recorded as (None: a test message).
    outbox_id: str | None = None


@dataclass
class DeliveryStats:
    submitted: int = 0
    dropped: int = 0
    sent: int = 0
    failed: int = 0


class DeliveryQueue:
    """See the module docstring."""

    def __init__(
        self,
        channels: NotificationChannelRepository,
        box: SecretBox,
        sender: AppriseSender,
        activity: ActivityLog,
        clock: Callable[[], datetime],
        *,
        attempts: int,
        base_delay: float,
        send_timeout: float,
        queue_size: int,
        metrics: Metrics | None = None,
        outbox: NotificationOutboxRepository | None = None,
        workers: int = WORKERS,
        shutdown_grace: float = SHUTDOWN_GRACE,
    ) -> None:
        self._channels = channels
        self._box = box
        self._sender = sender
        self._activity = activity
        self._clock = clock
        self._attempts = attempts
        self._base_delay = base_delay
        self.send_timeout = send_timeout
        self._metrics = metrics
        self._outbox = outbox
        self._workers = workers
        self._grace = shutdown_grace
        self._queue_size = queue_size
        # channel id -> its waiting jobs. A channel has a lane while it is queued or in flight,
        # and its id is in `_ready` at most once: one worker at a time per channel.
        self._lanes: dict[str, deque[Job]] = {}
        self._ready: asyncio.Queue[str] = asyncio.Queue()
        self._waiting = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = asyncio.Event()
        # Recorded jobs whose delivery shutdown cut short: marked failed once workers stopped.
        self._cut_short: list[Job] = []
        self.stats = DeliveryStats()

    @property
    def depth(self) -> int:
        """Return how many deliveries wait to be sent."""
        return self._waiting

    def start(self) -> None:
        """Start the workers."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"notifications:{n}")
                for n in range(self._workers)
            ]

    def submit(self, job: Job) -> bool:
        """Queue a delivery; never waits. Return False when it was dropped (full or closing)."""
        if self._closing.is_set():
            self._drop(job, "shutting down")
            return False
        if self._waiting >= self._queue_size:
            self._drop(job, "queue full")
            return False
        lane = self._lanes.get(job.channel_id)
        if lane is None:
            lane = self._lanes[job.channel_id] = deque()
            self._ready.put_nowait(job.channel_id)
        lane.append(job)
        self._waiting += 1
        self.stats.submitted += 1
        return True

    async def join(self) -> None:
        """Wait until every queued delivery has ended (tests, and close)."""
        await self._ready.join()

    async def close(self) -> None:
        """Stop retrying, give what is queued or in flight the grace, then stop the workers."""
        self._closing.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._grace):
                await self._ready.join()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self._mark_cut_short()
        left = self._waiting
        if left:
            log.warning("notifications_undelivered", count=left, reason="shutdown")

    # ---- sending ---------------------------------------------------------------------------

    async def deliver(self, job: Job) -> Delivery:
        """Send one job with retries and record its outcome."""
        attempts = 0

        async def attempt() -> SendResult:
            nonlocal attempts
            attempts += 1
            return await self._send_once(job)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._base_delay, min=0),
            retry=retry_if_result(self._should_retry),
            retry_error_callback=_last_result,
            sleep=self._sleep,
        )
        try:
            result: SendResult = await retrying(attempt)
        except asyncio.CancelledError:
            self._finish(job, SendResult(False, "Envdeck shut down before it was sent"), attempts)
            if job.outbox_id is not None:
                self._cut_short.append(job)
            raise
        return await self._record(job, result, attempts)

    async def send_test(self, job: Job, actor: User) -> Delivery:
        """Send a channel's test message: one attempt, recorded as done by actor."""
        result = await self._send_once(job)
        return await self._record(job, result, 1, actor)

    async def _send_once(self, job: Job) -> SendResult:
        try:
            url = self._box.open(job.sealed_url, channel_url_context(job.channel_id))
        except SecretDecryptionError:
            return SendResult(False, UNDECRYPTABLE)
        return await self._sender.send(url, job.message, self.send_timeout)

    def _should_retry(self, result: SendResult) -> bool:
        return not result.ok and not self._closing.is_set()

    async def _sleep(self, seconds: float) -> None:
        # Backoff ends early at shutdown (the stop rule then ends the retries).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._closing.wait()

    async def _record(
        self, job: Job, result: SendResult, attempts: int, actor: User | None = None
    ) -> Delivery:
        delivery = self._finish(job, result, attempts, actor)
        try:
            await self._channels.set_last_delivery(job.channel_id, delivery)
        except StorageUnavailable:
            log.warning("notification_last_delivery_unsaved", channel=job.channel_name)
        if job.outbox_id is not None:
            await self._mark(job.outbox_id, delivery.status, delivery.at)
        return delivery

    async def _mark(self, outbox_id: str, status: DeliveryStatus, at: datetime) -> None:
        """Mark the job's outbox entry sent or failed."""
        if self._outbox is None:
            return
        done = OutboxStatus.SENT if status is DeliveryStatus.SENT else OutboxStatus.FAILED
        try:
            await self._outbox.finish(outbox_id, done, at)
        except StorageUnavailable:
            # Left pending: should this instance die, a survivor would send it again.
            log.warning("notification_outcome_unsaved", entry=outbox_id, status=done.value)

    async def _mark_cut_short(self) -> None:
        jobs, self._cut_short = self._cut_short, []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(MARK_TIMEOUT):
                for job in jobs:
                    if job.outbox_id is not None:
                        await self._mark(job.outbox_id, DeliveryStatus.FAILED, self._clock())

    def _finish(
        self, job: Job, result: SendResult, attempts: int, actor: User | None = None
    ) -> Delivery:
        """Count, log and record one ended delivery (no await: safe while cancelled)."""
        status = DeliveryStatus.SENT if result.ok else DeliveryStatus.FAILED
        delivery = Delivery(
            at=self._clock(),
            event=job.event,
            status=status,
            attempts=attempts,
            error=None if result.ok else result.error,
            environment_id=job.environment_id,
            environment_name=job.environment_name,
        )
        if result.ok:
            self.stats.sent += 1
        else:
            self.stats.failed += 1
        if self._metrics is not None:
            self._metrics.count_delivery(status.value)
        emit = log.info if result.ok else log.warning
        emit(
            "notification_delivered" if result.ok else "notification_failed",
            channel=job.channel_name,
            service=job.service,
            notification_event=str(job.event),
            attempts=attempts,
            environment_id=job.environment_id,
        )
        self._write_entry(job, delivery, actor)
        return delivery

    def _write_entry(self, job: Job, delivery: Delivery, actor: User | None) -> None:
        sent = delivery.status is DeliveryStatus.SENT
        what = "test message" if job.event == TEST_MESSAGE else str(job.event)
        if job.reminder:
            what += " reminder"
        if sent:
            message = f"Notification {what} sent to channel {job.channel_name}"
        else:
            tries = "1 attempt" if delivery.attempts == 1 else f"{delivery.attempts} attempts"
            message = (
                f"Notification {what} to channel {job.channel_name} failed after {tries}: "
                f"{delivery.error}"
            )
        details: dict[str, Any] = {
            "channelId": job.channel_id,
            "channel": job.channel_name,
            "service": job.service,
            "event": str(job.event),
            "environmentId": job.environment_id,
            "environmentName": job.environment_name,
            "attempts": delivery.attempts,
            "error": delivery.error,
        }
        if job.reminder:
            details["reminder"] = True
        fields: dict[str, Any] = {
            "type": LogType.ACTION if sent else LogType.ERROR,
            "level": LogLevel.SUCCESS if sent else LogLevel.ERROR,
            "action": "notification_sent" if sent else "notification_failed",
            "message": message[:4000],
            "details": details,
        }
        try:
            if actor is not None:
                self._activity.record_by(actor, **fields)
            else:
                self._activity.record(
                    environment_id=job.environment_id,
                    environment_name=job.environment_name,
                    **fields,
                )
        except ActivityLogUnavailable:
            log.warning("notification_entry_skipped", channel=job.channel_name, reason="log full")

    def _drop(self, job: Job, reason: str) -> None:
        self.stats.dropped += 1
        if self._metrics is not None:
            self._metrics.count_delivery(DeliveryStatus.FAILED.value)
        log.warning(
            "notification_dropped",
            channel=job.channel_name,
            notification_event=str(job.event),
            environment_id=job.environment_id,
            reason=reason,
        )

    async def _work(self) -> None:
        while True:
            channel_id = await self._ready.get()
            lane = self._lanes[channel_id]
            job = lane.popleft()
            self._waiting -= 1
            try:
                await self.deliver(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification_worker_failed", channel=job.channel_name)
            finally:
                # Queued again before task_done, so join() cannot end while the lane has work.
                if lane:
                    self._ready.put_nowait(channel_id)
                else:
                    del self._lanes[channel_id]
                self._ready.task_done()


def _last_result(state: RetryCallState) -> SendResult:
    # Retries exhausted (or stopped at shutdown): the last attempt's result is the outcome.
    assert state.outcome is not None
    result: SendResult = state.outcome.result()
    return result
