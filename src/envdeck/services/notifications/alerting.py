"""Alerting: which events become messages, to which channels, and when to stay quiet.

It follows the bus (health transitions, operation updates, version changes) and a tick every
`TICK_SECONDS` (reminders, the end of a flap window, the end of quiet), and hands messages to
the delivery queue; it never sends itself. docs/notifications.md states the rules; in short,
per environment:

- **Announced state.** It remembers what it last said (healthy, or unhealthy). An unhealthy
  verdict of the health engine is announced once (`environment.unhealthy`); "recovered" is
  announced only after an announced unhealthy. Operation outcomes and version changes are
  announced as they come (an operation once, whatever repeats its final status).
- **Quiet.** While a maintenance window covers the environment, or an operation runs on it
  (its claim, `activeOperation`, is held through verification), health changes are not
  announced. When the quiet ends, the first health check after it decides: if what it shows
  differs from what was announced, that is announced, once. Except: an environment whose
  operation failed (the `operation.failed` message said it) is not announced unhealthy again
  for a failure that began before the operation ended; recovery and reminders follow as usual.
- **Reminders.** While an announced unhealthy environment stays unhealthy and is not quiet,
  `reminderInterval` after the last alert another `environment.unhealthy` goes out.
- **Flap damping.** An unhealthy announcement opens a `flapWindow`; within it at most that and
  one recovered are announced. Later changes are held back; when the window ends, the current
  state is announced if it differs from the announced one (which may open a new window).

State is per process, in memory: after a restart, environments stored unhealthy count as
announced (reminders resume an interval later); a flap window or a pending quiet end is lost.
"""

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from envdeck.adapters.events import (
    Event,
    EventBus,
    OperationUpdated,
    StatusChanged,
    Subscription,
    VersionChanged,
)
from envdeck.domain.environment import Environment, EnvironmentListOptions, HealthState, Status
from envdeck.domain.errors import EnvironmentNotFound, OperationNotFound, StorageUnavailable
from envdeck.domain.notification import DeliveryEvent, NotificationEvent
from envdeck.domain.operation import FINISHED_STATUSES, Operation, OperationStatus
from envdeck.repositories.base import Storage
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications.channels import NotificationChannelService
from envdeck.services.notifications.delivery import DeliveryQueue, Job
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.sender import Message

log = structlog.get_logger(__name__)

TICK_SECONDS = 1.0
# How long an environment's last operation (and its failure) is remembered once all is calm.
KEEP_OPERATION = timedelta(hours=1)
# Operation outcomes already announced (a rollback re-saves its parent's final status).
_REMEMBERED_OPERATIONS = 1000
_LOAD_PAGE = 200


@dataclass(slots=True)
class EnvState:
    """What alerting knows and has said about one environment."""

    id: str
    name: str
    tags: list[str]
    health: HealthState = HealthState.UNKNOWN
    since: datetime | None = None
    error: str = ""
    failures: int = 0
    # When the current failing streak began (about: the check before the threshold's first).
    streak_start: datetime | None = None
    # What was last announced: HEALTHY (nothing wrong said) or UNHEALTHY.
    announced: HealthState = HealthState.HEALTHY
    announced_since: datetime | None = None
    # The last unhealthy announcement or reminder: the reminder clock.
    last_alert_at: datetime | None = None
    # Flap damping: the open window's start, whether its recovered was sent, a held change.
    window_start: datetime | None = None
    window_recovered: bool = False
    held: bool = False
    # A change happened while quiet: decide at the first check after the quiet.
    pending: bool = False
    # The last moment the environment was seen quiet (an operation's end, a window's tick).
    quiet_seen_at: datetime | None = None
    # finished_at of the last failed operation (its message covers the failure).
    failed_operation_at: datetime | None = None

    def wanted(self) -> NotificationEvent | None:
        """Return the announcement the current health calls for, if any."""
        if self.health is HealthState.UNHEALTHY and self.announced is not HealthState.UNHEALTHY:
            return NotificationEvent.ENVIRONMENT_UNHEALTHY
        if self.health is HealthState.HEALTHY and self.announced is HealthState.UNHEALTHY:
            return NotificationEvent.ENVIRONMENT_RECOVERED
        return None

    def observe(self, status: Status) -> None:
        """Take the health engine's verdict as the current health."""
        self.health, self.since, self.error = status.health, status.since, status.message
        self.failures = status.consecutive_failures

    def idle(self, now: datetime) -> bool:
        """Tell whether nothing is left to remember (the state can be dropped)."""
        recent = [at for at in (self.failed_operation_at, self.quiet_seen_at) if at is not None]
        return (
            self.announced is not HealthState.UNHEALTHY
            and self.health is not HealthState.UNHEALTHY
            and not self.pending
            and not self.held
            and self.window_start is None
            and all(now - at > KEEP_OPERATION for at in recent)
        )


class Alerting:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        bus: EventBus,
        maintenance: MaintenanceService,
        channels: NotificationChannelService,
        deliveries: DeliveryQueue,
        messages: Messages,
        clock: Callable[[], datetime],
        *,
        reminder_interval: timedelta,
        flap_window: timedelta,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self._storage = storage
        self._bus = bus
        self._maintenance = maintenance
        self._channels = channels
        self._deliveries = deliveries
        self._messages = messages
        self._clock = clock
        self._reminder = reminder_interval
        self._flap = flap_window
        self._tick_seconds = tick_seconds
        self._states: dict[str, EnvState] = {}
        # Operations running per environment, as the bus told (storage's claim may lag).
        self._running: dict[str, Operation] = {}
        self._announced_operations: OrderedDict[str, None] = OrderedDict()
        self._versions: dict[str, str] = {}
        self._lock = asyncio.Lock()
        self._loaded = False
        self._subscription: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Follow the bus and start the tick."""
        if self._subscription is None:
            topics = {StatusChanged.topic, OperationUpdated.topic, VersionChanged.topic}
            self._subscription = self._bus.subscribe("notifications", self.handle, topics)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="notifications-alerting")

    async def close(self, drain_seconds: float = 1.0) -> None:
        """Stop the tick; handle what the bus already queued (briefly), then unsubscribe."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._subscription is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(drain_seconds):
                    await self._subscription.queue.join()
            await self._bus.unsubscribe(self._subscription)
            self._subscription = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._tick_seconds)
            try:
                await self.run_once()
            except StorageUnavailable:
                log.warning("alerting_tick_skipped", reason="storage unavailable")
            except Exception:
                log.exception("alerting_tick_failed")

    # ---- the bus ---------------------------------------------------------------------------

    async def handle(self, event: Event) -> None:
        """Handle one bus event (in order, one at a time, with the tick)."""
        if isinstance(event, StatusChanged) and not event.transition:
            return  # a refresh (same health): most of the traffic, nothing to decide
        async with self._lock:
            try:
                if isinstance(event, StatusChanged):
                    await self._on_status(event)
                elif isinstance(event, OperationUpdated):
                    await self._on_operation(event.operation)
                elif isinstance(event, VersionChanged):
                    await self._on_version(event)
            except StorageUnavailable:
                # This event's announcement is lost; the tick's reminders and ends of quiet
                # read storage again once it answers.
                log.warning("alerting_event_skipped", topic=event.topic, reason="storage")

    async def _on_status(self, event: StatusChanged) -> None:
        status = event.status
        state = self._states.get(event.environment_id)
        if state is None:
            if status.health is not HealthState.UNHEALTHY:
                return  # nothing was said, nothing to say: the common case (start-up)
            state = self._track(event.environment_id, event.environment_name or "")
        state.name = event.environment_name or state.name
        state.observe(status)
        if status.health is HealthState.HEALTHY:
            state.failed_operation_at = None
        now = self._clock()
        if state.wanted() is None:
            self._forget_if_idle(state, now)
            return
        quiet, env = await self._quiet(state.id, event.occurred_at)
        if env is None:
            self._states.pop(state.id, None)
            return
        self._refresh(state, env)
        if quiet:
            state.pending = True
            state.quiet_seen_at = max(state.quiet_seen_at or event.occurred_at, event.occurred_at)
            return
        if self._began_in_quiet(state):
            state.pending = True  # a check that started in the quiet: the next one decides
            return
        state.pending = False
        await self._reconcile(state, now)

    async def _on_operation(self, op: Operation) -> None:
        if op.status not in FINISHED_STATUSES:
            self._running[op.environment_id] = op
            return
        running = self._running.get(op.environment_id)
        if running is not None and running.id == op.id:
            del self._running[op.environment_id]
        if op.id in self._announced_operations:
            return
        self._announced_operations[op.id] = None
        while len(self._announced_operations) > _REMEMBERED_OPERATIONS:
            self._announced_operations.popitem(last=False)
        finished = op.finished_at or self._clock()
        # Remembered a while: a check that began during the operation may end after it.
        state = self._track(op.environment_id, op.environment_name)
        state.quiet_seen_at = max(state.quiet_seen_at or finished, finished)
        if op.status is not OperationStatus.SUCCEEDED:
            state.failed_operation_at = finished
        event = (
            NotificationEvent.OPERATION_SUCCEEDED
            if op.status is OperationStatus.SUCCEEDED
            else NotificationEvent.OPERATION_FAILED
        )
        tags = await self._tags(op.environment_id)
        await self._dispatch(
            event, op.environment_id, op.environment_name, tags, self._messages.operation(op)
        )

    async def _on_version(self, event: VersionChanged) -> None:
        if not event.previous or event.previous == event.version:
            return
        if self._versions.get(event.environment_id) == event.version:
            return  # the health engine and an upgrade's verification may both report it
        self._versions[event.environment_id] = event.version
        message = self._messages.version_changed(
            event.environment_id,
            event.environment_name,
            event.previous,
            event.version,
            event.occurred_at,
        )
        tags = await self._tags(event.environment_id)
        await self._dispatch(
            NotificationEvent.VERSION_CHANGED,
            event.environment_id,
            event.environment_name,
            tags,
            message,
        )

    # ---- the tick --------------------------------------------------------------------------

    async def run_once(self) -> None:
        """One tick: quiet ends, flap windows end, reminders."""
        async with self._lock:
            if not self._loaded:
                await self._load()
            now = self._clock()
            for state in list(self._states.values()):
                await self._tick(state, now)

    async def _tick(self, state: EnvState, now: datetime) -> None:
        window_ended = state.window_start is not None and now >= state.window_start + self._flap
        if window_ended:
            state.window_start, state.window_recovered = None, False
        if state.pending or (window_ended and state.held):
            await self._settle(state, now)
        elif self._reminder_due(state, now):
            quiet, env = await self._quiet(state.id, now)
            if env is None:
                self._states.pop(state.id, None)
                return
            if not quiet:
                self._refresh(state, env)
                await self._remind(state, now)
        self._forget_if_idle(state, now)

    async def _settle(self, state: EnvState, now: datetime) -> None:
        """Decide a pending or held change once the quiet is over and a check is fresh."""
        quiet, env = await self._quiet(state.id, now)
        if env is None:
            self._states.pop(state.id, None)
            return
        self._refresh(state, env)
        if quiet:
            state.pending, state.quiet_seen_at = True, now
            return
        if state.pending:
            checked = env.status.last_check
            fresh = checked is not None and (
                state.quiet_seen_at is None or checked > state.quiet_seen_at
            )
            if not fresh and env.health_check.enabled:
                return  # the first check after the quiet decides
            state.pending = False
            state.observe(env.status)
            self._refresh(state, env)
        state.held = False
        await self._reconcile(state, now)

    def _reminder_due(self, state: EnvState, now: datetime) -> bool:
        return (
            self._reminder > timedelta(0)
            and state.announced is HealthState.UNHEALTHY
            and state.health is HealthState.UNHEALTHY
            and state.last_alert_at is not None
            and now - state.last_alert_at >= self._reminder
        )

    async def _load(self) -> None:
        """Count environments stored unhealthy as announced (this process just started)."""
        options = EnvironmentListOptions(status=HealthState.UNHEALTHY, limit=_LOAD_PAGE)
        now = self._clock()
        while True:
            page, _ = await self._storage.environments.list(options)
            for env in page:
                if env.id not in self._states:
                    state = self._track(env.id, env.name)
                    state.observe(env.status)
                    self._refresh(state, env)
                    state.announced, state.announced_since = HealthState.UNHEALTHY, state.since
                    state.last_alert_at = now
            if len(page) < options.limit:
                break
            options = options.model_copy(update={"page": options.page + 1})
        self._loaded = True

    # ---- deciding --------------------------------------------------------------------------

    async def _reconcile(self, state: EnvState, now: datetime) -> None:
        """Announce what the current health calls for, unless covered or held back."""
        wanted = state.wanted()
        if wanted is None:
            return
        if wanted is NotificationEvent.ENVIRONMENT_UNHEALTHY and self._covered(state):
            # The operation's failure was the announcement; say no more until it changes.
            state.announced, state.announced_since, state.last_alert_at = (
                HealthState.UNHEALTHY,
                state.since,
                now,
            )
            return
        if self._held(state, wanted, now):
            state.held = True
            return
        await self._announce(state, wanted, now)

    @staticmethod
    def _began_in_quiet(state: EnvState) -> bool:
        quiet = state.quiet_seen_at
        start = state.streak_start or state.since
        return quiet is not None and start is not None and start <= quiet

    @staticmethod
    def _covered(state: EnvState) -> bool:
        failed = state.failed_operation_at
        start = state.streak_start or state.since
        return failed is not None and start is not None and start <= failed

    def _held(self, state: EnvState, wanted: NotificationEvent, now: datetime) -> bool:
        if self._flap <= timedelta(0) or state.window_start is None:
            return False
        if now >= state.window_start + self._flap:
            return False
        return not (
            wanted is NotificationEvent.ENVIRONMENT_RECOVERED and not state.window_recovered
        )

    async def _announce(self, state: EnvState, wanted: NotificationEvent, now: datetime) -> None:
        window_open = state.window_start is not None and now < state.window_start + self._flap
        if wanted is NotificationEvent.ENVIRONMENT_UNHEALTHY:
            message = self._messages.unhealthy(state.id, state.name, state.since, state.error)
            state.announced, state.announced_since = HealthState.UNHEALTHY, state.since
            state.last_alert_at = now
            if self._flap > timedelta(0) and not window_open:
                state.window_start, state.window_recovered = now, False
        else:
            message = self._messages.recovered(
                state.id, state.name, state.since, state.announced_since
            )
            state.announced = HealthState.HEALTHY
            if window_open:
                state.window_recovered = True
        state.held = False
        await self._dispatch(wanted, state.id, state.name, state.tags, message)

    async def _remind(self, state: EnvState, now: datetime) -> None:
        state.last_alert_at = now
        message = self._messages.reminder(state.id, state.name, state.since, state.error, now)
        await self._dispatch(
            NotificationEvent.ENVIRONMENT_UNHEALTHY,
            state.id,
            state.name,
            state.tags,
            message,
            reminder=True,
        )

    async def _quiet(self, environment_id: str, at: datetime) -> tuple[bool, Environment | None]:
        """Tell whether alerts about this environment are quiet at `at`; also return it
        (None when it was deleted)."""
        try:
            env = await self._storage.environments.get_by_id(environment_id)
        except EnvironmentNotFound:
            return False, None
        active = env.active_operation
        if active is not None and active.started_at <= at:
            return True, env
        running = self._running.get(environment_id)
        if running is not None and await self._ran_at(running, at):
            return True, env
        return await self._maintenance.in_maintenance(env, at), env

    async def _ran_at(self, running: Operation, at: datetime) -> bool:
        """Tell whether an operation the bus said started was still running at `at`.

        Its claim is cleared just after its final status is published, so storage may show
        it gone while its final update still waits in our queue.
        """
        try:
            stored = await self._storage.operations.get_by_id(running.id)
        except OperationNotFound:
            self._running.pop(running.environment_id, None)
            return False
        if stored.status not in FINISHED_STATUSES:
            return True
        if stored.finished_at is not None and at > stored.finished_at:
            # Finished (its final update lost or still queued): not quiet any more.
            if self._clock() - stored.finished_at > KEEP_OPERATION:
                self._running.pop(running.environment_id, None)
            return False
        return True

    def _refresh(self, state: EnvState, env: Environment) -> None:
        state.name, state.tags = env.name, list(env.tags)
        if state.health is HealthState.UNHEALTHY and state.since is not None:
            # The threshold's checks before the verdict failed too: the streak began earlier.
            failures = max(state.failures, 1)
            state.streak_start = state.since - timedelta(
                seconds=env.health_check.interval * (failures - 1)
            )
        else:
            state.streak_start = None

    async def _tags(self, environment_id: str) -> list[str]:
        state = self._states.get(environment_id)
        if state is not None and state.tags:
            return state.tags
        try:
            return list((await self._storage.environments.get_by_id(environment_id)).tags)
        except EnvironmentNotFound:
            return []

    def _track(self, environment_id: str, name: str) -> EnvState:
        state = self._states.get(environment_id)
        if state is None:
            state = self._states[environment_id] = EnvState(environment_id, name, [])
        return state

    def _forget_if_idle(self, state: EnvState, now: datetime) -> None:
        if state.idle(now):
            self._states.pop(state.id, None)

    # ---- handing over ----------------------------------------------------------------------

    async def _dispatch(
        self,
        event: NotificationEvent,
        environment_id: str,
        environment_name: str,
        tags: list[str],
        message: Message,
        *,
        reminder: bool = False,
    ) -> int:
        """Queue the message for every enabled channel that wants it; return how many."""
        channels = await self._channels.enabled_channels()
        queued = 0
        for channel in channels:
            if not channel.wants(event, environment_id, tags):
                continue
            job = Job(
                channel_id=channel.id,
                channel_name=channel.name,
                service=channel.service,
                sealed_url=channel.url,
                event=DeliveryEvent(event.value),
                message=message,
                environment_id=environment_id,
                environment_name=environment_name,
                reminder=reminder,
            )
            queued += self._deliveries.submit(job)
        log.info(
            "notification_queued",
            notification_event=event.value,
            environment_id=environment_id,
            channels=queued,
            reminder=reminder,
        )
        return queued

    # ---- for tests and diagnostics ---------------------------------------------------------

    def bus_queue(self) -> "asyncio.Queue[Event] | None":
        """Return the queue of bus events not handled yet (None before start)."""
        return None if self._subscription is None else self._subscription.queue

    def state_of(self, environment_id: str) -> EnvState | None:
        """Return what alerting holds about an environment (None: nothing to remember)."""
        return self._states.get(environment_id)
