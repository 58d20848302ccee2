"""The health scheduler: one task, a due-time heap, bounded concurrency.

Each environment with an enabled check has an entry: its configuration (header secrets still
sealed), its in-memory health state and its next due time. Entries are loaded once at start
(paged) and then follow `EnvironmentChanged` on the bus: nothing is reloaded on a tick.

- Spread: at start each environment's first check falls at a random point of its interval, so
  ten thousand environments with a 10 s interval make an even thousand checks a second. After
  a create or a check edit the first check comes within a couple of seconds.
- No drift: the next due time is the previous due time plus the interval, not "finished + the
  interval", so a slow check does not push its environment's schedule back.
- Never two checks of one environment at once: a check still running when its environment is
  due again is skipped (counted in stats.skipped), and check-now joins a running check.
- Shared out: with several instances, each checks only the environments of the shards it
  holds (services/cluster/shards.py calls `take` and `give_up`); every instance follows every
  environment, so a shard taken over is scheduled at once, at its previous phase.
- Bounded: at most `concurrency` scheduled checks are in flight; past that the loop waits for a
  slot and checks start late (stats.lateness shows how late). Check-now does not take a slot:
  it must not queue behind a full engine.
- Held during operations: while an operation (restart, upgrade, rollback) holds an environment
  (its `activeOperation`), its scheduled checks are not run (counted in stats.held) and a
  result that comes back after one started is not recorded (stats.discarded): an environment
  restarting is expected to fail its checks, and the operation verifies its health itself.
  When the claim is cleared the environment is checked within FIRST_CHECK_WITHIN, and then on
  its interval from there.
"""

import asyncio
import contextlib
import heapq
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import structlog
from pydantic import HttpUrl, ValidationError

from envdeck.adapters.events import (
    EnvironmentChanged,
    Event,
    EventBus,
    StatusChanged,
    Subscription,
)
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.base import MAX_PAGE_LIMIT
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import (
    Environment,
    EnvironmentListOptions,
    HealthCheckConfig,
    Status,
)
from envdeck.domain.errors import EnvironmentNotFound, StorageUnavailable, ValidationFailed
from envdeck.domain.ids import new_id
from envdeck.repositories.base import Storage
from envdeck.services.cluster.shards import shard_of
from envdeck.services.health.checker import CheckResult, HealthChecker
from envdeck.services.health.recorder import HealthRecorder, Tracked
from envdeck.services.inventory.sealing import SecretScope, kept_paths, seal_environment

log = structlog.get_logger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A created or edited environment is first checked within this many seconds.
FIRST_CHECK_WITHIN = 2.0
# Start lateness samples kept for stats (the newest).
LATENESS_SAMPLES = 100_000


@dataclass(slots=True)
class Entry:
    tracked: Tracked
    config: HealthCheckConfig
    scope: SecretScope  # what its sealed values are bound to
    base_url: HttpUrl | None  # environmentURL, which a path endpoint is resolved against
    interval: float  # seconds, time_scale applied
    busy: bool = False  # an operation holds the environment: checks are held
    generation: int = 0
    running: "asyncio.Task[CheckResult] | None" = None


@dataclass
class SchedulerStats:
    started: int = 0
    finished: int = 0
    skipped: int = 0  # due while its previous check still ran
    overlaps: int = 0  # two checks of one environment at once: must stay 0
    held: int = 0  # due while an operation held the environment: not run
    discarded: int = 0  # finished after an operation took the environment: not recorded
    lateness: deque[float] = field(default_factory=lambda: deque(maxlen=LATENESS_SAMPLES))


def _origin(url: object | None) -> tuple[str, str, int | None] | None:
    if url is None:
        return None
    parts = urlsplit(str(url))
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def checks_enabled(env: Environment) -> bool:
    return env.health_check.enabled and env.health_check.endpoint is not None


class HealthScheduler:
    """Schedules every environment's checks and runs check-now; see the module docstring."""

    def __init__(
        self,
        storage: Storage,
        bus: EventBus,
        checker: HealthChecker,
        recorder: HealthRecorder,
        *,
        concurrency: int,
        enabled: bool = True,
        time_scale: float = 1.0,
    ) -> None:
        self._storage = storage
        self._bus = bus
        self._checker = checker
        self.recorder = recorder
        self._concurrency = concurrency
        self._enabled = enabled
        # Test seam: intervals are multiplied by this (the model forbids intervals under 10 s).
        self._time_scale = time_scale
        self._entries: dict[str, Entry] = {}
        self._heap: list[tuple[float, int, str, int]] = []
        self._sequence = 0
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._running_ids: set[str] = set()
        self._subscription: Subscription | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._started = False
        # The shards this instance checks (None: all of them, alone), as take() and give_up()
        # hand them over, and whether each one's lease is still good now; see share().
        self._shards: set[int] | None = None
        self._lease_good: Callable[[int], bool] = lambda _: True
        # take() and give_up() one at a time: a shard is never taken and given up at once.
        self._handover = asyncio.Lock()
        self.stats = SchedulerStats()

    def share(self, lease_good: Callable[[int], bool]) -> None:
        """Check only the environments of shards handed over by take() (none yet), and only
        while lease_good(shard) says their lease has not run out."""
        self._shards = set()
        self._lease_good = lease_good

    def checks(self, environment_id: str) -> bool:
        """Tell whether this instance schedules this environment's checks."""
        return environment_id in self._entries and self._mine(environment_id)

    def _mine(self, environment_id: str) -> bool:
        return self._shards is None or shard_of(environment_id) in self._shards

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start recording, and when enabled load the environments and start scheduling."""
        if self._started:
            return
        self._started = True
        self.recorder.start()
        if not self._enabled:
            return
        # Subscribed before loading: a change made during the load is applied, not lost.
        self._subscription = self._bus.subscribe(
            "health-scheduler",
            self._on_event,
            topics={EnvironmentChanged.topic, StatusChanged.topic},
        )
        # Running while the pages load: the first entries may fall due before the last page.
        self._loop_task = asyncio.create_task(self._run(), name="health-scheduler")
        await self.load()
        log.info("health_scheduler_started", environments=len(self._entries))

    async def close(self) -> None:
        """Stop scheduling, cancel checks in flight, and write what is pending."""
        await cancel_and_wait(self._loop_task)
        self._loop_task = None
        if self._subscription is not None:
            await self._bus.unsubscribe(self._subscription)
            self._subscription = None
        running = [e.running for e in self._entries.values() if e.running is not None]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        if self._started:
            await self.recorder.close()
        self._started = False

    async def load(self) -> None:
        """Add every environment whose check is enabled, one page at a time."""
        page = 1
        while True:
            options = EnvironmentListOptions(page=page, limit=MAX_PAGE_LIMIT, sort="createdAt")
            items, total = await self._storage.environments.list(options)
            for env in items:
                # An entry the bus already brought in is newer than this page.
                if env.id not in self._entries and checks_enabled(env):
                    interval = env.health_check.interval * self._time_scale
                    self._add(env, random.uniform(0, interval))
            self._wake.set()
            if page * MAX_PAGE_LIMIT >= total or not items:
                break
            page += 1

    @property
    def environment_count(self) -> int:
        return len(self._entries)

    # --- following the inventory ---------------------------------------------------------

    async def _on_event(self, event: Event) -> None:
        if isinstance(event, EnvironmentChanged):
            await self.follow(event.action, event.environment.id)
        elif isinstance(event, StatusChanged) and event.origin is not None:
            self._adopt(event.environment_id, event.status)

    def _adopt(self, environment_id: str, status: Status) -> None:
        """Take a status another instance recorded (a check-now there) for an environment
        checked here, so that the next check here counts from it (no second transition)."""
        entry = self._entries.get(environment_id)
        if entry is None or not self._mine(environment_id) or status.last_check is None:
            return
        if self.recorder.pending_status(environment_id) is not None:
            return  # a newer result of this instance is on its way to storage
        tracked = entry.tracked
        tracked.health, tracked.failures = status.health, status.consecutive_failures
        tracked.since = status.since

    async def follow(self, action: str, environment_id: str) -> None:
        """Apply one inventory change (created, updated, deleted) to the schedule."""
        if action == "deleted":
            self._remove(environment_id)
            self.recorder.forget(environment_id)
            return
        try:
            # The event carries the masked environment: the check needs the sealed headers.
            env = await self._storage.environments.get_by_id(environment_id)
        except EnvironmentNotFound:
            self._remove(environment_id)
            return
        entry = self._entries.get(environment_id)
        if not checks_enabled(env):
            if entry is not None:
                self._remove(environment_id)
                await self.recorder.set_unknown(entry.tracked, "health check disabled")
            return
        if entry is None:
            self._add(env, random.uniform(0, FIRST_CHECK_WITHIN))
        else:
            was_busy, entry.busy = entry.busy, env.active_operation is not None
            entry.tracked.name = env.name
            # systemInfo is written whole from this copy when a new version is seen: take what
            # others stored (osVersion from a probe, an upgrade's appVersion).
            entry.tracked.system_info = env.system_info
            entry.scope = SecretScope.of(env)
            if env.health_check != entry.config or env.environment_url != entry.base_url:
                entry.config = env.health_check
                entry.base_url = env.environment_url
                entry.interval = env.health_check.interval * self._time_scale
                entry.generation += 1
                if self._mine(environment_id):
                    self._push(entry, self._now() + random.uniform(0, FIRST_CHECK_WITHIN))
            elif was_busy and not entry.busy and self._mine(environment_id):
                # An operation ended: its environment is checked at once (its card and its
                # alerts follow what the operation left), then on a new phase from there.
                entry.generation += 1
                self._push(entry, self._now() + random.uniform(0, FIRST_CHECK_WITHIN))
        self._wake.set()

    def _add(self, env: Environment, offset: float) -> None:
        interval = env.health_check.interval * self._time_scale
        entry = Entry(
            Tracked.of(env),
            env.health_check,
            SecretScope.of(env),
            env.environment_url,
            interval,
            busy=env.active_operation is not None,
        )
        self._entries[env.id] = entry
        if self._mine(env.id):
            self._push(entry, self._now() + min(offset, interval))

    def _remove(self, environment_id: str) -> None:
        # Its heap items go stale and are skipped when they come up; a running check's result
        # is dropped (the environment is gone).
        self._entries.pop(environment_id, None)

    def _push(self, entry: Entry, due: float) -> None:
        self._sequence += 1
        item = (due, self._sequence, entry.tracked.id, entry.generation)
        heapq.heappush(self._heap, item)

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    # --- the loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self.run_due()
            self._wake.clear()
            delay = self._heap[0][0] - self._now() if self._heap else None
            if delay is not None and delay <= 0:
                continue
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
            # arrives as the event is set (a change announced at shutdown), and close() hung.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def run_due(self) -> int:
        """Start every check that is due now (waiting for free slots); return how many."""
        started = 0
        heap = self._heap
        while heap and heap[0][0] <= self._now():
            due, _, environment_id, generation = heapq.heappop(heap)
            entry = self._entries.get(environment_id)
            if entry is None or entry.generation != generation:
                continue  # deleted or re-scheduled meanwhile
            if not self._mine(environment_id):
                continue  # its shard went to another instance (give_up re-pushes nothing)
            now = self._now()
            next_due = due + entry.interval
            if next_due <= now:
                # Overloaded: whole intervals went by. Keep the phase, drop the backlog.
                missed = int((now - due) // entry.interval)
                next_due = due + entry.interval * (missed + 1)
                self.stats.skipped += missed
            self._push(entry, next_due)
            if entry.busy:
                self.stats.held += 1
                continue
            if entry.running is not None or not self._lease_good(shard_of(environment_id)):
                # Still running; or its lease ran out (a renewal is late): not now, since
                # another instance may take the shard, but it stays on the schedule.
                self.stats.skipped += 1
                continue
            await self._slots.acquire()
            if self._entries.get(environment_id) is not entry or entry.running is not None:
                self._slots.release()
                continue
            self.stats.lateness.append(self._now() - due)
            entry.running = asyncio.create_task(self._check(entry, slot=True))
            started += 1
        return started

    async def _check(self, entry: Entry, *, slot: bool) -> CheckResult:
        environment_id = entry.tracked.id
        if environment_id in self._running_ids:
            self.stats.overlaps += 1
        self._running_ids.add(environment_id)
        self.stats.started += 1
        try:
            result = await self._checker.check(entry.config, entry.scope, entry.base_url)
            if entry.busy:
                # An operation started while it ran: what it saw may be the restart itself.
                self.stats.discarded += 1
            elif self._entries.get(environment_id) is entry and self._mine(environment_id):
                await self.recorder.apply(entry.tracked, entry.config.failure_threshold, result)
            return result
        finally:
            self._running_ids.discard(environment_id)
            entry.running = None
            self.stats.finished += 1
            if slot:
                self._slots.release()

    # --- shards ---------------------------------------------------------------------------

    async def take(self, shards: set[int]) -> None:
        """Start checking the environments of these shards, as stored now (another instance
        checked them until it gave them up), each at its previous phase."""
        async with self._handover:
            if self._shards is not None:
                self._shards |= shards
            await self._take_stored(shards)

    async def _take_stored(self, shards: set[int]) -> None:
        page = 1
        while True:
            options = EnvironmentListOptions(page=page, limit=MAX_PAGE_LIMIT, sort="createdAt")
            items, total = await self._storage.environments.list(options)
            for env in items:
                if shard_of(env.id) in shards and checks_enabled(env):
                    self._take_over(env)
            if page * MAX_PAGE_LIMIT >= total or not items:
                break
            page += 1
        self._wake.set()

    def _take_over(self, env: Environment) -> None:
        entry = self._entries.get(env.id)
        if entry is None:
            self._add(env, random.uniform(0, FIRST_CHECK_WITHIN))
            return
        pending = self.recorder.pending_status(env.id)
        if pending is None:
            # What the previous holder recorded (failures so far, health since) is the truth.
            entry.tracked = Tracked.of(env)
        # Else this instance held it last, and its results are not written yet (storage was
        # down): they are newer than what is stored, and its own state stays.
        last_check = env.status.last_check if pending is None else pending.last_check
        entry.config = env.health_check
        entry.scope = SecretScope.of(env)
        entry.base_url = env.environment_url
        entry.interval = env.health_check.interval * self._time_scale
        entry.busy = env.active_operation is not None
        entry.generation += 1
        self._push(entry, self._now() + self._phase_delay(last_check, entry.interval))

    @staticmethod
    def _phase_delay(last_check: datetime | None, interval: float) -> float:
        """Seconds until an environment last checked at last_check is due again (soon, spread
        over a couple of seconds, when it is overdue or was never checked)."""
        if last_check is not None:
            delay = (last_check - utc_now()).total_seconds() + interval
            if 0 < delay <= interval:
                return delay
        return random.uniform(0, FIRST_CHECK_WITHIN)

    async def give_up(self, shards: set[int]) -> None:
        """Stop checking these shards' environments: checks in flight are cancelled, and what
        the recorder holds is written, before another instance may take them."""
        async with self._handover:
            if self._shards is not None:
                self._shards -= shards
            await self._stop_checking(shards)

    async def _stop_checking(self, shards: set[int]) -> None:
        running: list[asyncio.Task[CheckResult]] = []
        for environment_id, entry in self._entries.items():
            if shard_of(environment_id) in shards:
                entry.generation += 1
                if entry.running is not None:
                    entry.running.cancel()
                    running.append(entry.running)
        await asyncio.gather(*running, return_exceptions=True)
        with contextlib.suppress(StorageUnavailable):
            await self.recorder.flush()

    # --- check now -----------------------------------------------------------------------

    async def check_now(self, environment_id: str) -> CheckResult:
        """Check one environment at once (joining a check in flight) and record the result
        (unless an operation holds the environment: then it is only returned).

        Raise EnvironmentNotFound, or ValidationFailed when it has no health check endpoint.
        """
        entry = self._entries.get(environment_id)
        if entry is None or not self._mine(environment_id):
            # Not scheduled here (another instance checks it): checked from what is stored,
            # recorded and written at once; the instance that checks it follows the status.
            return await self._check_unscheduled(environment_id)
        if entry.running is None:
            entry.running = asyncio.create_task(self._check(entry, slot=False))
        # Shielded: a client that gives up must not cancel a check others may be joining.
        return await asyncio.shield(entry.running)

    async def _check_unscheduled(self, environment_id: str) -> CheckResult:
        env = await self._storage.environments.get_by_id(environment_id)
        if env.health_check.endpoint is None:
            raise ValidationFailed(
                "this environment has no health check endpoint",
                {"field": "healthCheck.endpoint"},
            )
        result = await self._checker.check(
            env.health_check, SecretScope.of(env), env.environment_url
        )
        if env.active_operation is not None:
            return result  # as a scheduled one: not recorded while an operation holds it
        # Checked while not scheduled (check off, or the engine disabled): recorded all the same,
        # and written at once, since the next such check reads its state back from storage.
        await self.recorder.apply(Tracked.of(env), env.health_check.failure_threshold, result)
        await self.recorder.flush()
        return result

    async def test_check(
        self,
        config: HealthCheckConfig,
        environment_id: str | None = None,
        environment_url: HttpUrl | None = None,
    ) -> CheckResult:
        """Run a check of an unsaved configuration; nothing is recorded.

        A path endpoint is resolved against environment_url (the form's environmentURL).
        Values "********" are taken from the stored environment environment_id (the form shows
        secrets masked); without it they are refused. They are only sent to that
        environment's own origin (the scheme, host and port its stored health check requests):
        a test of another URL that would carry them is refused (ValidationFailed), so a form
        cannot be pointed elsewhere to collect them.
        """
        if config.endpoint is None:
            raise ValidationFailed(
                "healthCheck.endpoint: give an endpoint to test", {"field": "healthCheck.endpoint"}
            )
        if environment_id is not None:
            stored = await self._storage.environments.get_by_id(environment_id)
        else:
            stored = Environment(id=new_id(), name="unsaved")
        # Sealed as if saved on the stored environment, so that masks take its values; then
        # opened for this one request by the checker, like a scheduled check.
        try:
            unsaved = Environment(
                id=stored.id,
                name=stored.name,
                environment_url=environment_url,
                health_check=config,
                secret_names=stored.secret_names,
            )
        except ValidationError as exc:
            raise ValidationFailed(
                f"healthCheck.endpoint: {exc.errors()[0]['msg']}",
                {"field": "healthCheck.endpoint"},
            ) from None
        if kept_paths(unsaved, stored) and _origin(unsaved.health_check_url()) != _origin(
            stored.health_check_url_or_none()
        ):
            raise ValidationFailed(
                "healthCheck.endpoint: the stored secrets are only sent to this environment's own"
                " health check origin (its scheme, host and port); type them again to test"
                " another endpoint",
                {"field": "healthCheck.endpoint"},
            )
        ready = seal_environment(unsaved, stored, self._checker.box)
        return await self._checker.check(
            ready.health_check, SecretScope.of(ready, stored), ready.environment_url
        )
