"""The instance registry: this process's heartbeat, and what every instance's record says.

Each app lifespan is one instance, with an id new at every start. Once storage answers, a
heartbeat (host, pid, version, backend, started, last seen) is written every
`cluster.heartbeatInterval`; a graceful shutdown records the stop. Listed, an instance is
`live` (seen within `cluster.instanceTtl`), `stopped`, or `lost` (neither: killed, crashed or
cut off). Records not seen for `KEPT_FOR` are purged. Times are each instance's own clock:
instances are expected to keep theirs in sync (NTP), within the TTL's slack over two heartbeats.
"""

import asyncio
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from envdeck import __version__
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.ids import new_id
from envdeck.domain.instance import Instance, InstanceStatus
from envdeck.repositories.base import InstanceRepository
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.cluster.shards import is_health_shard

log = structlog.get_logger(__name__)

# Instances seen within this long are listed; older records are purged.
KEPT_FOR = timedelta(hours=24)
PURGE_INTERVAL = timedelta(hours=1)
# A graceful stop does not wait longer than this to be recorded (storage may be down).
STOP_TIMEOUT = 2.0


def this_process(backend: str, started_at: datetime) -> Instance:
    """Return the record of this process as a new instance, first seen as it starts."""
    return Instance(
        id=new_id(),
        host=socket.gethostname(),
        pid=os.getpid(),
        version=__version__,
        backend=backend,
        started_at=started_at,
        last_seen=started_at,
    )


@dataclass(frozen=True)
class ListedInstance:
    instance: Instance
    status: InstanceStatus
    # How many health shards (services/cluster/shards.py) it holds now; None when alone.
    health_shards: int | None = None


@dataclass(frozen=True)
class InstanceListing:
    instances: list[ListedInstance]
    # The id of the instance answering.
    self_id: str
    # Whether the instances share the work (several instances on a MongoDB replica set).
    cluster: bool = False


class InstanceRegistry:
    """Writes this instance's heartbeats (`run_once` + a thin loop) and lists every instance."""

    def __init__(
        self,
        repository: InstanceRepository,
        instance: Instance,
        clock: Callable[[], datetime],
        *,
        heartbeat_interval: timedelta,
        instance_ttl: timedelta,
        leases: LeaseKeeper | None = None,
    ) -> None:
        self._repository = repository
        self._leases = leases
        self._instance = instance
        self._clock = clock
        self._interval = heartbeat_interval.total_seconds()
        self._ttl = instance_ttl
        self._next_purge: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def instance_id(self) -> str:
        return self._instance.id

    async def run_once(self) -> None:
        """Write one heartbeat; purge records not seen for KEPT_FOR when a purge is due."""
        now = self._clock()
        await self._repository.upsert_heartbeat(
            self._instance.model_copy(update={"last_seen": now})
        )
        if self._next_purge is None or now >= self._next_purge:
            purged = await self._repository.purge_seen_before(now - KEPT_FOR)
            self._next_purge = now + PURGE_INTERVAL
            if purged:
                log.info("instances_purged", purged=purged)

    def start(self) -> None:
        """Start the heartbeats (the first at once)."""
        if self._task is None:
            log.info("instance_registered", instance_id=self.instance_id)
            self._task = asyncio.create_task(self._run(), name="instance-heartbeat")

    async def close(self) -> None:
        """Stop the heartbeats and record the stop; never started, nothing is recorded."""
        task, self._task = self._task, None
        if task is None:
            return
        await cancel_and_wait(task)
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await self._repository.mark_stopped(self.instance_id, self._clock())
        except (StorageUnavailable, TimeoutError):
            # Listed as lost once the TTL passes, which is what others can tell anyway.
            log.warning("instance_stop_unrecorded", instance_id=self.instance_id)

    async def list_instances(self) -> InstanceListing:
        """Return the instances seen within KEPT_FOR, the latest started first, with status."""
        now = self._clock()
        found = await self._repository.list_seen_since(now - KEPT_FOR)
        if self._leases is None or not self._leases.shared:
            listed = [ListedInstance(i, i.status_at(now, self._ttl)) for i in found]
            return InstanceListing(listed, self.instance_id)
        shards = Counter(
            lease.holder
            for lease in await self._leases.list_all()
            if is_health_shard(lease.name) and lease.expires_at > now
        )
        listed = [ListedInstance(i, i.status_at(now, self._ttl), shards[i.id]) for i in found]
        return InstanceListing(listed, self.instance_id, cluster=True)

    async def _run(self) -> None:
        # A storage outage must not end the heartbeats: the next beat is the retry.
        while True:
            try:
                await self.run_once()
            except StorageUnavailable:
                log.warning("instance_heartbeat_failed", retry_in=self._interval)
            except Exception:
                log.exception("instance_heartbeat_error", retry_in=self._interval)
            await asyncio.sleep(self._interval)
