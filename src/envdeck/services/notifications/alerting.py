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

This module decides and hands over; the rules it applies have their own modules: `alert_state`
(what is known and was said about one environment), `quiet`, `reminders` and `flap_damping`.
"""

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
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
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.environment import Environment, EnvironmentListOptions, HealthState
from envdeck.domain.errors import EnvironmentNotFound, StorageUnavailable
from envdeck.domain.notification import NotificationEvent
from envdeck.domain.operation import FINISHED_STATUSES, Operation, OperationStatus
from envdeck.repositories.base import Storage
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications.alert_state import EnvState
from envdeck.services.notifications.channels import NotificationChannelService
from envdeck.services.notifications.delivery import DeliveryQueue, Job
from envdeck.services.notifications.flap_damping import FlapDamping
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.quiet import QuietRules
from envdeck.services.notifications.reminders import Reminders
from envdeck.services.notifications.sender import Message

log = structlog.get_logger(__name__)

TICK_SECONDS = 1.0
# Operation outcomes already announced (a rollback re-saves its parent's final status).
_REMEMBERED_OPERATIONS = 1000
_LOAD_PAGE = 200


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
        self._channels = channels
        self._deliveries = deliveries
        self._messages = messages
        self._clock = clock
        self._quiet = QuietRules(storage, maintenance, clock)
        self._reminders = Reminders(reminder_interval)
        self._flaps = FlapDamping(flap_window)
        self._tick_seconds = tick_seconds
        self._states: dict[str, EnvState] = {}
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
        await cancel_and_wait(self._task)
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
        quiet, env = await self._quiet.check(state.id, event.occurred_at)
        if env is None:
            self._states.pop(state.id, None)
            return
        self._refresh(state, env)
        if quiet:
            state.pending = True
            state.quiet_seen_at = max(state.quiet_seen_at or event.occurred_at, event.occurred_at)
            return
        if state.began_in_quiet():
            state.pending = True  # a check that started in the quiet: the next one decides
            return
        state.pending = False
        await self._reconcile(state, now)

    async def _on_operation(self, op: Operation) -> None:
        self._quiet.follow(op)
        if op.status not in FINISHED_STATUSES:
            return
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
        window_ended = self._flaps.end_if_over(state, now)
        if state.pending or (window_ended and state.held):
            await self._settle(state, now)
        elif self._reminders.due(state, now):
            quiet, env = await self._quiet.check(state.id, now)
            if env is None:
                self._states.pop(state.id, None)
                return
            if not quiet:
                self._refresh(state, env)
                await self._remind(state, now)
        self._forget_if_idle(state, now)

    async def _settle(self, state: EnvState, now: datetime) -> None:
        """Decide a pending or held change once the quiet is over and a check is fresh."""
        quiet, env = await self._quiet.check(state.id, now)
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
        if wanted is NotificationEvent.ENVIRONMENT_UNHEALTHY and state.covered():
            # The operation's failure was the announcement; say no more until it changes.
            state.announced, state.announced_since, state.last_alert_at = (
                HealthState.UNHEALTHY,
                state.since,
                now,
            )
            return
        if self._flaps.holds_back(state, wanted, now):
            state.held = True
            return
        await self._announce(state, wanted, now)

    async def _announce(self, state: EnvState, wanted: NotificationEvent, now: datetime) -> None:
        self._flaps.count(state, wanted, now)
        if wanted is NotificationEvent.ENVIRONMENT_UNHEALTHY:
            message = self._messages.unhealthy(state.id, state.name, state.since, state.error)
            state.announced, state.announced_since = HealthState.UNHEALTHY, state.since
            state.last_alert_at = now
        else:
            message = self._messages.recovered(
                state.id, state.name, state.since, state.announced_since
            )
            state.announced = HealthState.HEALTHY
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
                event=event,
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
