"""What a check result changes: the status, a sample, and on a transition the log and the bus.

Results are applied at once in memory (the threshold rule, `since`, transitions) and written in
batches: every `flush_interval` one `update_statuses` and one `health_samples.record`, so ten
thousand environments checked every ten seconds cost two writes a second, not a thousand.
A batch that storage refuses is kept (the newest status of each environment wins, samples up
to a cap) and written with the next one.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from envdeck.adapters.events import EventBus, StatusChanged, VersionChanged
from envdeck.adapters.metrics import Metrics
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.environment import Environment, HealthState, Status, SystemInfo
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.health import HealthSample
from envdeck.domain.log import ActivityLogUnavailable, LogLevel, LogType
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.health.checker import CheckResult

log = structlog.get_logger(__name__)

# Samples waiting for a storage outage to end; past this the oldest are dropped (counted).
MAX_PENDING_SAMPLES = 200_000
_LEVELS = {HealthState.HEALTHY: LogLevel.SUCCESS, HealthState.UNHEALTHY: LogLevel.ERROR}


def _result_label(result: CheckResult) -> str:
    if result.ok:
        return "healthy"
    # No response at all (timeout, refused, TLS): an error, not an unhealthy answer.
    return "unhealthy" if result.status_code is not None else "error"


@dataclass(slots=True)
class Tracked:
    """The health state of one environment that the threshold rule needs, kept in memory."""

    id: str
    name: str
    health: HealthState
    failures: int
    since: datetime | None
    # systemInfo as last read or written: a new version is written without reading it first.
    system_info: SystemInfo

    @property
    def version(self) -> str:
        return self.system_info.app_version

    @classmethod
    def of(cls, env: Environment) -> "Tracked":
        status = env.status
        return cls(
            env.id,
            env.name,
            status.health,
            status.consecutive_failures,
            status.since,
            env.system_info,
        )


@dataclass
class RecorderStats:
    applied: int = 0
    transitions: int = 0
    flushes: int = 0
    failed_flushes: int = 0
    dropped_samples: int = 0


class HealthRecorder:
    def __init__(
        self,
        storage: Storage,
        activity: ActivityLog,
        bus: EventBus,
        clock: Callable[[], datetime],
        *,
        flush_interval: float,
        metrics: Metrics | None = None,
    ) -> None:
        self._storage = storage
        self._metrics = metrics
        self._activity = activity
        self._bus = bus
        self._clock = clock
        self._flush_interval = flush_interval
        self._statuses: dict[str, Status] = {}
        self._samples: list[HealthSample] = []
        # The status each environment's transition event carried since the last flush: a
        # later check before the flush still gets its refresh.
        self._announced: dict[str, Status] = {}
        # Discovered versions waiting for the flush: (state, the version stored before).
        self._versions: dict[str, tuple[Tracked, str]] = {}
        self._task: asyncio.Task[None] | None = None
        self.stats = RecorderStats()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="health-recorder")

    async def close(self) -> None:
        """Stop the flush loop and write what is pending (one last try)."""
        await cancel_and_wait(self._task)
        self._task = None
        await self.flush()

    async def apply(self, tracked: Tracked, threshold: int, result: CheckResult) -> Status:
        """Apply one check result to an environment's state; return its new status."""
        previous = tracked.health
        if result.ok:
            tracked.failures = 0
            health = HealthState.HEALTHY
        else:
            tracked.failures += 1
            health = HealthState.UNHEALTHY if tracked.failures >= threshold else previous
        if health is not previous:
            tracked.health = health
            tracked.since = result.checked_at
        status = Status(
            health=health,
            last_check=result.checked_at,
            message=result.message,
            response_time=result.response_time,
            status_code=result.status_code,
            since=tracked.since,
            consecutive_failures=tracked.failures,
        )
        self._statuses[tracked.id] = status
        self._add_sample(tracked.id, result)
        self.stats.applied += 1
        if self._metrics is not None:
            self._metrics.observe_check(_result_label(result), result.duration)
        if health is not previous:
            await self._announce(tracked, status, previous)
        if result.version and result.version != tracked.version:
            self._discover_version(tracked, result.version)
        return status

    async def set_unknown(self, tracked: Tracked, message: str) -> None:
        """Mark an environment's health unknown (its check was turned off)."""
        if tracked.health is HealthState.UNKNOWN:
            return
        previous = tracked.health
        tracked.health, tracked.failures, tracked.since = HealthState.UNKNOWN, 0, self._clock()
        status = Status(health=HealthState.UNKNOWN, message=message, since=tracked.since)
        self._statuses[tracked.id] = status
        await self._announce(tracked, status, previous)

    def pending_status(self, environment_id: str) -> Status | None:
        """Return the status recorded for an environment and not written yet, if any."""
        return self._statuses.get(environment_id)

    def forget(self, environment_id: str) -> None:
        """Drop what is pending for a deleted environment."""
        self._statuses.pop(environment_id, None)
        self._announced.pop(environment_id, None)
        self._versions.pop(environment_id, None)

    def _add_sample(self, environment_id: str, result: CheckResult) -> None:
        if len(self._samples) >= MAX_PENDING_SAMPLES:
            del self._samples[0]
            self.stats.dropped_samples += 1
        self._samples.append(
            HealthSample(
                environment_id=environment_id,
                timestamp=result.checked_at,
                health=HealthState.HEALTHY if result.ok else HealthState.UNHEALTHY,
                response_time=result.response_time,
                status_code=result.status_code,
                message=result.message,
            )
        )

    async def _announce(self, tracked: Tracked, status: Status, previous: HealthState) -> None:
        self.stats.transitions += 1
        self._announced[tracked.id] = status
        health = status.health.value
        message = f"{tracked.name} is {health}"
        if status.health is not HealthState.HEALTHY and status.message:
            message += f": {status.message}"
        await self._record_log(
            tracked,
            message,
            _LEVELS.get(status.health, LogLevel.WARNING),
            {
                "previous": previous.value,
                "health": health,
                "message": status.message,
                "responseTime": status.response_time,
                "statusCode": status.status_code,
            },
        )
        self._bus.publish(
            StatusChanged(
                environment_id=tracked.id,
                status=status,
                previous=previous,
                transition=True,
                environment_name=tracked.name,
            )
        )
        # A first verdict (from unknown) is routine: ten thousand of them at start-up.
        emit = log.debug if previous is HealthState.UNKNOWN else log.info
        emit("health_transition", environment_id=tracked.id, previous=previous.value, health=health)

    def _discover_version(self, tracked: Tracked, version: str) -> None:
        # Written with the next flush, off the check's path (ten thousand at start-up).
        before = self._versions[tracked.id][1] if tracked.id in self._versions else tracked.version
        tracked.system_info = tracked.system_info.model_copy(
            update={"app_version": version, "last_updated": self._clock()}
        )
        self._versions[tracked.id] = (tracked, before)

    async def _write_versions(self) -> None:
        versions, self._versions = self._versions, {}
        infos = {
            environment_id: tracked.system_info for environment_id, (tracked, _) in versions.items()
        }
        try:
            await self._storage.environments.update_system_infos(infos)
        except StorageUnavailable:
            self._versions = versions | self._versions
            return
        for tracked, before in versions.values():
            if before and before != tracked.version:
                await self._record_log(
                    tracked,
                    f"{tracked.name}: version changed {before} → {tracked.version}",
                    LogLevel.INFO,
                    {"from": before, "to": tracked.version},
                )
                self._bus.publish(
                    VersionChanged(
                        environment_id=tracked.id,
                        environment_name=tracked.name,
                        previous=before,
                        version=tracked.version,
                    )
                )

    async def _record_log(
        self, tracked: Tracked, message: str, level: LogLevel, details: dict[str, object]
    ) -> None:
        try:
            await self._activity.wait_for_room()
            self._activity.record(
                type=LogType.HEALTH_CHECK,
                action="check_health",
                level=level,
                message=message,
                environment_id=tracked.id,
                environment_name=tracked.name,
                details=details,
            )
        except ActivityLogUnavailable:
            log.warning("health_log_skipped", environment_id=tracked.id, reason="log closed")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval)
            try:
                await self.flush()
            except Exception:
                # An unexpected failure loses this batch, not the recorder.
                log.exception("health_flush_crashed")

    async def flush(self) -> None:
        """Write pending statuses and samples, one write each; publish the refreshes."""
        statuses, self._statuses = self._statuses, {}
        samples, self._samples = self._samples, []
        announced, self._announced = self._announced, {}
        if self._versions:
            await self._write_versions()
        if not statuses and not samples:
            return
        self.stats.flushes += 1
        try:
            if statuses:
                await self._storage.environments.update_statuses(statuses)
        except StorageUnavailable:
            self._keep(statuses, samples)
            return
        try:
            if samples:
                await self._storage.health_samples.record(samples)
        except StorageUnavailable:
            self._keep({}, samples)
        for environment_id, status in statuses.items():
            if announced.get(environment_id) is not status:
                self._bus.publish(
                    StatusChanged(
                        environment_id=environment_id,
                        status=status,
                        previous=status.health,
                        transition=False,
                    )
                )

    def _keep(self, statuses: dict[str, Status], samples: list[HealthSample]) -> None:
        self.stats.failed_flushes += 1
        log.warning("health_flush_failed", statuses=len(statuses), samples=len(samples))
        # Newer results recorded meanwhile win over the batch that failed.
        self._statuses = statuses | self._statuses
        kept = samples + self._samples
        overflow = len(kept) - MAX_PENDING_SAMPLES
        if overflow > 0:
            del kept[:overflow]
            self.stats.dropped_samples += overflow
        self._samples = kept
