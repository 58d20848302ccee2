"""The outbox: every message is recorded before it is queued, once, whichever instance decides it.

Alerting turns what it decides into an `Announcement` with a key derived from what it announces
(an environment's transition and its `since`, an operation's outcome, a reminder and the alert
it follows). `record()` stores one entry per channel that wants it under that key
(`NotificationOutboxRepository.claim`, a unique id): of instances (or lives of one instance)
deciding the same announcement, exactly one stores each entry, and only what this call stored
is queued here. The delivery queue marks each entry sent or failed.

An entry still `pending` after its instance died (killed between deciding and sending, or
stopped with deliveries still queued) is sent by a survivor: `run_once()`, every
`SWEEP_SECONDS` on one instance at a time (the lease `job:notification-outbox`), takes over
the pending entries of instances that are not live (a conditional update, so one survivor
takes each) and queues them. An entry older than `MAX_AGE` is not sent any more: recorded
failed. A message being sent at the very moment its instance dies may arrive twice: whether
the receiver got it cannot be known.
"""

import asyncio
import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.alerting import OutboxEntry, OutboxStatus, outbox_id
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.instance import InstanceStatus
from envdeck.domain.notification import NotificationChannel, NotificationEvent
from envdeck.repositories.base import InstanceRepository, NotificationOutboxRepository
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.notifications.channels import NotificationChannelService
from envdeck.services.notifications.delivery import DeliveryQueue, Job
from envdeck.services.notifications.sender import Message, MessageKind

log = structlog.get_logger(__name__)

LEASE = "job:notification-outbox"
SWEEP_SECONDS = 5.0
SWEEP_BATCH = 200
# A message this old is stale news: a survivor records it failed instead of sending it.
MAX_AGE = timedelta(hours=1)
# Entries are kept this long (they deduplicate), then purged.
RETENTION = timedelta(days=7)
PURGE_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class Announcement:
    """One message alerting decided on, before it is recorded for its channels."""

    key: str
    event: NotificationEvent
    message: Message
    environment_id: str
    environment_name: str
    tags: list[str] = field(default_factory=list)
    # A reminder of an environment that stays unhealthy (event environment.unhealthy).
    reminder: bool = False


class Outbox:
    """See the module docstring."""

    def __init__(
        self,
        repository: NotificationOutboxRepository,
        channels: NotificationChannelService,
        deliveries: DeliveryQueue,
        clock: Callable[[], datetime],
        *,
        instance_id: str,
        instances: InstanceRepository,
        instance_ttl: timedelta,
        leases: LeaseKeeper | None = None,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self._repository = repository
        self._channels = channels
        self._deliveries = deliveries
        self._clock = clock
        self.instance_id = instance_id
        self._instances = instances
        self._ttl = instance_ttl
        self._leases = leases
        self._sweep_seconds = sweep_seconds
        self._next_purge: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    # ---- deciding instances ----------------------------------------------------------------

    async def record(self, announcement: Announcement) -> builtins.list[Job]:
        """Record the announcement for every enabled channel that wants it; return the jobs
        this call recorded (the others were recorded before, by another instance or life)."""
        a = announcement
        channels = [
            channel
            for channel in await self._channels.enabled_channels()
            if channel.wants(a.event, a.environment_id, a.tags)
        ]
        if not channels:
            return []
        now = self._clock()
        entries = {
            channel.id: OutboxEntry(
                id=outbox_id(a.key, channel.id),
                key=a.key,
                channel_id=channel.id,
                owner=self.instance_id,
                created_at=now,
                event=a.event,
                title=a.message.title,
                body=a.message.body,
                kind=a.message.kind.value,
                environment_id=a.environment_id,
                environment_name=a.environment_name,
                reminder=a.reminder,
            )
            for channel in channels
        }
        stored = await self._repository.claim(list(entries.values()))
        if len(stored) < len(entries):
            log.info("notification_deduplicated", key=a.key, channels=len(entries) - len(stored))
        return [_job(entries[c.id], c) for c in channels if entries[c.id].id in stored]

    async def send(self, jobs: builtins.list[Job]) -> int:
        """Queue recorded jobs; one the queue drops is recorded failed. Return how many went."""
        queued = 0
        for job in jobs:
            if self._deliveries.submit(job):
                queued += 1
            elif job.outbox_id is not None:
                await self._finish(job.outbox_id, OutboxStatus.FAILED)
        return queued

    # ---- survivors -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the sweep (the first one at once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="notifications-outbox")

    async def close(self) -> None:
        """Stop the sweep."""
        await cancel_and_wait(self._task)
        self._task = None

    async def run_once(self) -> int:
        """Send what instances that are not live left pending; return how many were taken.

        Runs on one instance at a time (the lease); alone it always runs.
        """
        if self._leases is not None and not await self._leases.acquire(LEASE):
            return 0
        now = self._clock()
        live = await self._live_instances(now)
        pending = await self._repository.list_pending(sorted(live), SWEEP_BATCH)
        taken = 0
        if pending:
            channels = {c.id: c for c in await self._channels.enabled_channels()}
            for entry in pending:
                if await self._take(entry, channels, now):
                    taken += 1
        await self._purge(now)
        return taken

    async def _take(
        self, entry: OutboxEntry, channels: dict[str, NotificationChannel], now: datetime
    ) -> bool:
        if not await self._repository.take_over(entry.id, entry.owner, self.instance_id):
            return False  # another survivor took it, or it ended meanwhile
        channel = channels.get(entry.channel_id)
        reason = None
        if now - entry.created_at > MAX_AGE:
            reason = "older than an hour"
        elif channel is None:
            reason = "channel deleted or disabled"
        log.info(
            "notification_taken_over",
            key=entry.key,
            channel_id=entry.channel_id,
            previous_owner=entry.owner,
            dropped=reason,
        )
        if reason is not None or channel is None:
            await self._finish(entry.id, OutboxStatus.FAILED)
            return True
        await self.send([_job(entry, channel)])
        return True

    async def _live_instances(self, now: datetime) -> set[str]:
        seen = await self._instances.list_seen_since(now - self._ttl)
        live = {i.id for i in seen if i.status_at(now, self._ttl) is InstanceStatus.LIVE}
        return live | {self.instance_id}

    async def _purge(self, now: datetime) -> None:
        if self._next_purge is not None and now < self._next_purge:
            return
        self._next_purge = now + PURGE_INTERVAL
        purged = await self._repository.purge_before(now - RETENTION)
        if purged:
            log.info("notification_outbox_purged", purged=purged)

    async def _finish(self, entry_id: str, status: OutboxStatus) -> None:
        try:
            await self._repository.finish(entry_id, status, self._clock())
        except StorageUnavailable:
            log.warning("notification_outcome_unsaved", entry=entry_id, status=status.value)

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except StorageUnavailable:
                log.warning("notification_outbox_sweep_skipped", reason="storage unavailable")
            except Exception:
                log.exception("notification_outbox_sweep_failed")
            await asyncio.sleep(self._sweep_seconds)


def _job(entry: OutboxEntry, channel: NotificationChannel) -> Job:
    return Job(
        channel_id=channel.id,
        channel_name=channel.name,
        service=channel.service,
        sealed_url=channel.url,
        event=entry.event,
        message=Message(entry.title, entry.body, MessageKind(entry.kind)),
        environment_id=entry.environment_id,
        environment_name=entry.environment_name,
        reminder=entry.reminder,
        outbox_id=entry.id,
    )
