"""Alerting: which events become messages, to which channels, and when to stay quiet.

It follows the bus (health transitions, operation updates, version changes) and a tick every
`TICK_SECONDS` (reminders, the end of a flap window, the end of quiet), and hands messages to
the outbox and the delivery queue; it never sends itself. docs/notifications.md states the
rules; in short, per environment:

- **Announced state.** It remembers what it last said (healthy, or unhealthy). An unhealthy
  verdict of the health engine is announced once (`environment.unhealthy`); "recovered" is
  announced only after an announced unhealthy. Operation outcomes and version changes are
  announced as they come (an operation once, whatever repeats its final status).
- **Quiet.** While a maintenance window covers the environment, or an operation runs on it
  (its claim, `activeOperation`, is held through verification), health changes are not
  announced. When the quiet ends, the first health check after it decides: if what it shows
  differs from what was announced, that is announced, once. Except: an environment whose
  operation failed (the `operation.failed` message said it) is not announced unhealthy again
  for a failure that began before the operation ended or that the first checks after it found
  (checks are held while it runs); recovery and reminders follow as usual.
- **Reminders.** While an announced unhealthy environment stays unhealthy and is not quiet,
  `reminderInterval` after the last alert another `environment.unhealthy` goes out.
- **Flap damping.** An unhealthy announcement opens a `flapWindow`; within it at most that and
  one recovered are announced. Later changes are held back; when the window ends, the current
  state is announced if it differs from the announced one (which may open a new window).

**Several instances, one decision.** The state lives in storage (`alert_state.py`), read when
an event for the environment is handled and written back by compare-and-set; on a conflict
(another instance, or the tick, changed it meanwhile) the event is decided again on what is
stored now (`decisions.py`). Only events published on this instance are decided (`origin`
None): a health transition is published by the one instance that checked, an operation's
outcome by the one that ran it; relayed operation updates are followed for quiet only. Each
message is recorded in the outbox under a key derived from what it announces before it is
queued (`outbox.py`), so an announcement decided twice (two instances, a retried decision, a
restarted instance) is sent once; what is recorded is always sent. The tick runs on one
instance at a time (the lease `job:alerting-tick`) over the states due, whichever instance
made them.

This module says when to decide and what each event means for the state; the rules it applies
have their own modules: `health_announcements` (what a health change calls for saying),
`quiet`, `reminders` and `flap_damping`, over the state of `domain/alerting.py`.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import structlog

from envdeck.adapters.events import (
    EnvironmentChanged,
    Event,
    EventBus,
    OperationUpdated,
    StatusChanged,
    Subscription,
    VersionChanged,
)
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.alerting import AlertState, announcement_key
from envdeck.domain.environment import Environment, EnvironmentListOptions, HealthState, Status
from envdeck.domain.errors import EnvironmentNotFound, StorageUnavailable
from envdeck.domain.notification import NotificationEvent
from envdeck.domain.operation import FINISHED_STATUSES, Operation, OperationStatus
from envdeck.repositories.base import Storage
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.notifications.alert_state import AlertStates
from envdeck.services.notifications.decisions import AlertDecisions, Decide, Decision
from envdeck.services.notifications.flap_damping import FlapDamping
from envdeck.services.notifications.health_announcements import HealthAnnouncements, refresh
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.outbox import Announcement, Outbox
from envdeck.services.notifications.quiet import QuietRules
from envdeck.services.notifications.reminders import Reminders

log = structlog.get_logger(__name__)

TICK_SECONDS = 1.0
LEASE = "job:alerting-tick"
_LOAD_PAGE = 200
# How often the tick looks for unhealthy environments whose transition nobody decided.
SWEEP_INTERVAL = timedelta(seconds=30)


class Alerting:
    """See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        bus: EventBus,
        maintenance: MaintenanceService,
        outbox: Outbox,
        messages: Messages,
        clock: Callable[[], datetime],
        *,
        reminder_interval: timedelta,
        flap_window: timedelta,
        leases: LeaseKeeper | None = None,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self._storage = storage
        self._bus = bus
        self._outbox = outbox
        self._messages = messages
        self._clock = clock
        self._quiet = QuietRules(storage, maintenance, clock)
        self._reminders = Reminders(reminder_interval)
        self._flaps = FlapDamping(flap_window)
        self._states = AlertStates(storage.alert_states, self._reminders, self._flaps)
        self._decisions = AlertDecisions(self._states, outbox, clock)
        self._announcements = HealthAnnouncements(messages, self._flaps)
        self._leases = leases
        self._tick_seconds = tick_seconds
        self._lock = asyncio.Lock()
        self._loaded = False
        self._next_sweep: datetime | None = None
        self._subscription: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Follow the bus and start the tick."""
        if self._subscription is None:
            topics = {
                StatusChanged.topic,
                OperationUpdated.topic,
                VersionChanged.topic,
                EnvironmentChanged.topic,
            }
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
        if isinstance(event, OperationUpdated):
            # Relayed ones too: an operation running on another instance is quiet here.
            self._quiet.follow(event.operation)
        if event.origin is not None:
            return  # decided by the instance that published it
        if isinstance(event, StatusChanged) and not event.transition:
            return  # a refresh (same health): most of the traffic, nothing to decide
        if isinstance(event, EnvironmentChanged) and event.action != "deleted":
            return
        async with self._lock:
            try:
                if isinstance(event, StatusChanged):
                    await self._on_status(event)
                elif isinstance(event, OperationUpdated):
                    await self._on_operation(event.operation)
                elif isinstance(event, VersionChanged):
                    await self._on_version(event)
                elif isinstance(event, EnvironmentChanged):
                    await self._states.delete(event.environment.id)
            except StorageUnavailable:
                # Skipped: once storage answers, the tick finds an unhealthy environment whose
                # state missed its transition (within SWEEP_INTERVAL) and a missed recovery
                # (within RECHECK); an operation's outcome or a version change is lost.
                log.warning("alerting_event_skipped", topic=event.topic, reason="storage")

    async def _on_status(self, event: StatusChanged) -> None:
        status = event.status
        decide = self._status_decider(status, event.environment_name, event.occurred_at)
        # Nothing was said and nothing is wrong: nothing to remember (the common case).
        remember = status.health is HealthState.UNHEALTHY
        await self._decisions.make(
            event.environment_id, decide, name=event.environment_name or "", create=remember
        )

    def _status_decider(self, status: Status, name: str | None, at: datetime) -> Decide:
        """Return the decision on a health verdict (a transition, or one found missed)."""

        async def decide(state: AlertState) -> Decision:
            state.name = name or state.name
            return await self._decide_status(state, status, at)

        return decide

    async def _decide_status(self, state: AlertState, status: Status, at: datetime) -> Decision:
        state.observe(status)
        if status.health is HealthState.HEALTHY:
            state.failed_operation_at = None
        if state.wanted() is None:
            return []
        quiet, env = await self._quiet.check(state.environment_id, at)
        if env is None:
            return None
        refresh(state, env)
        self._note_ended_operation(state)
        if quiet:
            state.pending = True
            state.quiet_seen_at = max(state.quiet_seen_at or at, at)
            return []
        if state.began_in_quiet():
            state.pending = True  # a check that started in the quiet: the next one decides
            return []
        state.pending = False
        return self._announcements.reconcile(state, self._clock())

    async def _on_operation(self, op: Operation) -> None:
        if op.status not in FINISHED_STATUSES:
            return
        finished = op.finished_at or self._clock()
        succeeded = op.status is OperationStatus.SUCCEEDED
        event = (
            NotificationEvent.OPERATION_SUCCEEDED
            if succeeded
            else NotificationEvent.OPERATION_FAILED
        )

        async def decide(state: AlertState) -> Decision:
            # Remembered a while: a check that began during the operation may end after it.
            state.note_operation_end(finished, failed=not succeeded)
            tags = await self._tags(state)
            # Once per operation: a rollback re-saves its parent's final status (same key).
            key = announcement_key("operation", op.id, op.status.value)
            message = self._messages.operation(op)
            return [Announcement(key, event, message, op.environment_id, op.environment_name, tags)]

        await self._decisions.make(op.environment_id, decide, name=op.environment_name)

    async def _on_version(self, event: VersionChanged) -> None:
        if not event.previous or event.previous == event.version:
            return

        async def decide(state: AlertState) -> Decision:
            if state.reported_version == event.version:
                return []  # the health engine and an upgrade's verification may both report it
            state.reported_version = event.version
            state.version_changes += 1
            # Per change: the same version may come back later (a rollback, a re-upgrade).
            key = announcement_key(
                "env", event.environment_id, "version", event.version, str(state.version_changes)
            )
            message = self._messages.version_changed(
                event.environment_id,
                event.environment_name,
                event.previous,
                event.version,
                event.occurred_at,
            )
            tags = await self._tags(state)
            event_name = NotificationEvent.VERSION_CHANGED
            return [
                Announcement(
                    key, event_name, message, event.environment_id, event.environment_name, tags
                )
            ]

        await self._decisions.make(event.environment_id, decide, name=event.environment_name)

    # ---- the tick --------------------------------------------------------------------------

    async def run_once(self) -> None:
        """One tick over the states due: quiet ends, flap windows end, reminders.

        Runs on one instance at a time (the lease); alone it always runs.
        """
        if self._leases is not None and not await self._leases.acquire(LEASE):
            return
        if not self._loaded:
            async with self._lock:
                await self._load()
        now = self._clock()
        if self._next_sweep is None or now >= self._next_sweep:
            self._next_sweep = now + SWEEP_INTERVAL
            await self._sweep_unhealthy(now)
        seen: set[str] = set()
        async for state in self._states.due(now):
            if state.environment_id in seen:
                continue  # written back due again (still pending): next tick
            seen.add(state.environment_id)
            async with self._lock:
                await self._decisions.make(
                    state.environment_id,
                    lambda s: self._tick(s, now),
                    create=False,
                    stored=state,
                )

    async def _tick(self, state: AlertState, now: datetime) -> Decision:
        window_ended = self._flaps.end_if_over(state, now)
        if state.pending or (window_ended and state.held):
            return await self._settle(state, now)
        reminder_due = self._reminders.due(state, now)
        if reminder_due or state.health is HealthState.UNHEALTHY:
            quiet, env = await self._quiet.check(state.environment_id, now)
            if env is None:
                return None
            if _missed(state, env):
                # Its transition was never decided (its instance died first): decide it now.
                return await self._decide_status(state, env.status, now)
            if reminder_due and not quiet:
                refresh(state, env)
                return [self._announcements.remind(state, now)]
        return []

    async def _settle(self, state: AlertState, now: datetime) -> Decision:
        """Decide a pending or held change once the quiet is over and a check is fresh."""
        quiet, env = await self._quiet.check(state.environment_id, now)
        if env is None:
            return None
        refresh(state, env)
        if quiet:
            state.pending, state.quiet_seen_at = True, now
            return []
        if state.pending:
            checked = env.status.last_check
            fresh = checked is not None and (
                state.quiet_seen_at is None or checked > state.quiet_seen_at
            )
            if not fresh and env.health_check.enabled:
                return []  # the first check after the quiet decides
            state.pending = False
            state.observe(env.status)
            refresh(state, env)
        state.held = False
        return self._announcements.reconcile(state, now)

    async def _load(self) -> None:
        """On a store with no alert state at all (the first start of a version that keeps it
        in storage), count the environments stored unhealthy as announced.

        A version that kept this state in memory announced them (its rule: stored unhealthy
        counts as announced after a restart). Once that is done, an unhealthy environment
        without a state is a transition nobody decided, which `_sweep_unhealthy` announces.
        """
        if await self._states.count() == 0:
            now = self._clock()
            async for env in self._unhealthy_environments():
                state = AlertState(environment_id=env.id, name=env.name)
                state.observe(env.status)
                refresh(state, env)
                state.announced, state.announced_since = HealthState.UNHEALTHY, state.since
                state.last_alert_at = now
                await self._states.save(state, now)  # a first revision: only where none is
        self._loaded = True

    async def _sweep_unhealthy(self, now: datetime) -> None:
        """Decide the unhealthy environments whose state has not seen their current status.

        The instance that checked one published its transition and died before its alerting
        decided (or stored) it: nobody else would ever see that transition. Deciding it here
        is safe also when that decision is only late: it is keyed like the original.
        """
        async for env in self._unhealthy_environments():
            state = await self._states.get(env.id)
            if state is not None and not _missed(state, env):
                continue
            at = env.status.last_check or now
            async with self._lock:
                await self._decisions.make(
                    env.id, self._status_decider(env.status, env.name, at), name=env.name
                )

    async def _unhealthy_environments(self) -> AsyncIterator[Environment]:
        options = EnvironmentListOptions(status=HealthState.UNHEALTHY, limit=_LOAD_PAGE)
        while True:
            page, _ = await self._storage.environments.list(options)
            for env in page:
                yield env
            if len(page) < options.limit:
                return
            options = options.model_copy(update={"page": options.page + 1})

    # ---- what a decision reads besides the state -------------------------------------------

    def _note_ended_operation(self, state: AlertState) -> None:
        """Take in an operation that ended before its own instance stored that in the state
        (it ran on another instance: its outcome reached this one relayed, or from storage)."""
        op = self._quiet.ended(state.environment_id)
        if op is None or op.finished_at is None:
            return
        if state.quiet_seen_at is not None and state.quiet_seen_at >= op.finished_at:
            return  # already taken in
        state.note_operation_end(op.finished_at, failed=op.status is not OperationStatus.SUCCEEDED)

    async def _tags(self, state: AlertState) -> list[str]:
        if not state.tags:
            try:
                env = await self._storage.environments.get_by_id(state.environment_id)
                state.tags = list(env.tags)
            except EnvironmentNotFound:
                return []
        return list(state.tags)

    # ---- for tests and diagnostics ---------------------------------------------------------

    def bus_queue(self) -> "asyncio.Queue[Event] | None":
        """Return the queue of bus events not handled yet (None before start)."""
        return None if self._subscription is None else self._subscription.queue

    async def state_of(self, environment_id: str) -> AlertState | None:
        """Return what alerting remembers about an environment (None: nothing)."""
        return await self._states.get(environment_id)


def _missed(state: AlertState, env: Environment) -> bool:
    """Tell whether the stored status is a verdict the state never took in (its transition
    was never decided); a pending state takes it in when it settles."""
    status = env.status
    if state.pending or status.health is HealthState.UNKNOWN:
        return False
    return status.health is not state.health or status.since != state.since
