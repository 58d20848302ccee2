"""Operations whose instance is gone: found at start-up and by a sweep, each closed once.

Each operation records the instance that runs it (`ownerInstance`, services/cluster). An
unfinished operation that no task of this process runs is an orphan when its owner is listed
`lost` (its heartbeats stopped: killed, crashed, cut off) or `stopped`, when it has no owner
(written by a version before instance ids), or when its owner is not listed at all (purged)
and the operation is older than the instance TTL: a new instance may start one a moment
before its first heartbeat can be read. An operation whose owner is live is left to it.
Outside cluster mode (SQLite, whose data dir one process holds at a time, or MongoDB without
a replica set) this instance is alone: every other instance is gone, however recently seen (a
predecessor killed a moment ago), so what it left is interrupted at once.

Every instance looks at start-up and then every `cluster.heartbeatInterval`. No lease is
needed: an orphan is closed by a conditional update (`close_unfinished`), so of instances
sweeping at once (or a sweep and a cancel) exactly one closes each, and only that one logs
it, frees its environment and publishes. The sweep costs one indexed read of the unfinished
operations (usually none) and, when there are some, one read of the instance list.
"""

import contextlib
from collections.abc import Callable, Container, Sequence
from datetime import datetime, timedelta
from typing import Protocol

import structlog

from envdeck.adapters.events import EnvironmentChanged, EventBus, OperationUpdated
from envdeck.adapters.metrics import Metrics
from envdeck.domain.errors import EnvdeckError
from envdeck.domain.instance import Instance, InstanceStatus
from envdeck.domain.operation import Operation, OperationError, OperationStatus
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster.registry import InstanceListing
from envdeck.services.inventory.environments import masked
from envdeck.services.operations.records import count_finished, record_finished

log = structlog.get_logger(__name__)

INTERRUPTED = "INTERRUPTED"
# The reason given when nothing names the instance (an operation without an owner).
SERVER_STOPPED = "the server stopped while this operation ran"


class InstanceDirectory(Protocol):
    """Who this instance is, and every instance's status (services/cluster: InstanceRegistry)."""

    @property
    def instance_id(self) -> str: ...

    async def list_instances(self) -> InstanceListing: ...


def describe(instance: Instance) -> str:
    """Return how log entries name an instance: `instance web-1 (pid 41)`."""
    return f"instance {instance.host} (pid {instance.pid})"


class Owners:
    """What the instance list said at one moment: whose operations may still be running."""

    def __init__(
        self,
        listing: InstanceListing | None,
        now: datetime,
        ttl: timedelta,
        *,
        alone: bool = False,
    ) -> None:
        self._listed = {} if listing is None else {i.instance.id: i for i in listing.instances}
        self.self_id = None if listing is None else listing.self_id
        self._now = now
        self._ttl = ttl
        self._alone = alone or listing is None

    def other_runner(self, op: Operation) -> str | None:
        """Return the name of the other instance that may still run op (`instance web-1
        (pid 41)`), or None when no other live instance does."""
        owner = op.owner_instance
        if owner is None or owner == self.self_id or self.gone_reason(op) is not None:
            return None
        listed = self._listed.get(owner)
        # Not listed yet: a new instance, known by its id alone.
        return f"instance {owner}" if listed is None else describe(listed.instance)

    def gone_reason(self, op: Operation) -> str | None:
        """Return why op's owner can no longer run it (the error recorded), or None when it
        may still run it. This instance's own operations are never gone here: whether one
        still runs is for the caller to tell (its task registry)."""
        owner = op.owner_instance
        if owner is None:
            return SERVER_STOPPED
        if owner == self.self_id:
            return None
        listed = self._listed.get(owner)
        if self._alone:
            if listed is None:
                return SERVER_STOPPED
            return f"{describe(listed.instance)} stopped while this operation ran"
        if listed is None:
            created = op.created_at or self._now
            if self._now - created <= self._ttl:
                return None
            return f"instance {owner} stopped answering while this operation ran"
        if listed.status is InstanceStatus.LIVE:
            return None
        if listed.status is InstanceStatus.STOPPED:
            return f"{describe(listed.instance)} stopped while this operation ran"
        return f"{describe(listed.instance)} stopped answering while this operation ran"


class OrphanedOperations:
    """Closes operations no live instance runs: as orphans of a gone instance (`interrupt`),
    or one at a time on request (`close`, a cancel); see the module docstring."""

    def __init__(
        self,
        storage: Storage,
        bus: EventBus,
        activity: ActivityLog,
        clock: Callable[[], datetime],
        running_here: Container[str],
        directory: InstanceDirectory | None,
        *,
        instance_ttl: timedelta,
        clustered: Callable[[], bool] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._storage = storage
        self._bus = bus
        self._activity = activity
        self._clock = clock
        self._running_here = running_here
        self._directory = directory
        self._ttl = instance_ttl
        self._clustered = clustered or (lambda: True)
        self._metrics = metrics

    @property
    def instance_id(self) -> str | None:
        """Return this instance's id (what new operations record as owner); None when alone
        without a registry."""
        return None if self._directory is None else self._directory.instance_id

    async def owners(self) -> Owners:
        """Read the instance list now. Without a directory, or outside cluster mode, this
        process is alone: no other instance runs anything."""
        listing = None if self._directory is None else await self._directory.list_instances()
        return Owners(listing, self._clock(), self._ttl, alone=not self._clustered())

    async def interrupt(self) -> list[Operation]:
        """Mark `interrupted` the unfinished operations whose instance is gone; return those
        this call closed (each logged, its environment freed, both published)."""
        unfinished = [
            op
            for op in await self._storage.operations.list_unfinished()
            if op.id not in self._running_here
        ]
        if not unfinished:
            return []
        owners = await self.owners()
        by_reason: dict[str, list[str]] = {}
        for op in unfinished:
            reason = owners.gone_reason(op)
            if reason is not None:
                by_reason.setdefault(reason, []).append(op.id)
        closed: list[Operation] = []
        now = self._clock()
        for reason, ids in by_reason.items():
            error = OperationError(code=INTERRUPTED, message=reason)
            closed += await self._storage.operations.close_unfinished(
                ids, OperationStatus.INTERRUPTED, error, now
            )
        if closed:
            log.warning(
                "operations_interrupted",
                count=len(closed),
                owners=sorted({op.owner_instance or "" for op in closed}),
            )
            await self._announce(closed)
        return closed

    async def close(self, op: Operation, status: OperationStatus, error: OperationError) -> bool:
        """Close op (unfinished, run by no live instance) with status and error; tell whether
        this call closed it (False: it had finished meanwhile)."""
        closed = await self._storage.operations.close_unfinished(
            [op.id], status, error, self._clock()
        )
        if not closed:
            return False
        op.status, op.error, op.finished_at = status, error, closed[0].finished_at
        await self._announce(closed)
        return True

    async def _announce(self, closed: Sequence[Operation]) -> None:
        for op in closed:
            record_finished(self._activity, op)
            count_finished(self._metrics, op)
            self._bus.publish(OperationUpdated(operation=op.model_copy()))
        # As when an operation finishes: its outcome is in the log before its environment is
        # free (bounded: an outage leaves the entries queued, and the claim is freed anyway).
        await self._activity.wait_until_stored()
        for op in closed:
            await self._storage.environments.clear_active_operation(op.environment_id, op.id)
            with contextlib.suppress(EnvdeckError):
                env = await self._storage.environments.get_by_id(op.environment_id)
                self._bus.publish(EnvironmentChanged(action="updated", environment=masked(env)))
