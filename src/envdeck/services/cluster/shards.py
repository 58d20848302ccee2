"""Health checks shared out: the environments fall into `SHARDS` shards by id, and each shard is a
lease (`health-shard:N`) that one instance holds and checks (docs/operations.md).

Every `leaseDuration / 3` each instance renews the shards it holds, takes shards nobody holds up
to its fair share (SHARDS / the instances seen within a lease), and more only when they stayed
free a whole round (a killed instance's, once its leases expired: within about 1.3 to 1.7
leases); with none free, it gives up what it holds beyond its share, so that a joining instance
gets its share. While a lease has run out and is not renewed yet, its shard's environments stay
on the schedule but are not checked (another instance may take it); but an instance with no
other seen in its last round goes on checking through a storage outage (nobody could take a
shard over). A lease that ran out but that nobody took is still its holder's: renewed once
storage answers, with no handover. A shard changes hands
without overlap: the giver stops scheduling it, waits for its checks in flight and writes their
results, then releases the lease; the taker schedules each environment at its previous due time
(the last check plus the interval), so the handover adds no more than one round to an
environment's gap. Outside cluster mode an instance holds every shard and none of this runs.
"""

import asyncio
import hashlib
import math
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol

import structlog

from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.errors import StorageUnavailable
from envdeck.repositories.base import InstanceRepository
from envdeck.services.cluster.leases import LeaseKeeper

log = structlog.get_logger(__name__)

SHARDS = 32
# After a round failed (storage down), the next comes this soon.
RETRY_SECONDS = 0.5
_PREFIX = "health-shard:"


def shard_of(environment_id: str) -> int:
    """Return the shard an environment falls in (stable across instances and versions)."""
    digest = hashlib.blake2b(environment_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % SHARDS


def lease_name(shard: int) -> str:
    return f"{_PREFIX}{shard}"


def is_health_shard(name: str) -> bool:
    """Tell whether a lease name is a health shard's."""
    return name.startswith(_PREFIX)


class ShardedWork(Protocol):
    """What checks the shards (the health scheduler)."""

    async def take(self, shards: set[int]) -> None: ...

    async def give_up(self, shards: set[int]) -> None: ...


class ShardLeases:
    """Keeps this instance's share of the health shards; see the module docstring."""

    def __init__(
        self,
        keeper: LeaseKeeper,
        instances: InstanceRepository,
        work: ShardedWork,
        clock: Callable[[], datetime],
    ) -> None:
        self._keeper = keeper
        self._instances = instances
        self._work = work
        self._clock = clock
        self._mine: set[int] = set()
        # Shards seen free in the previous round.
        self._free_before: set[int] = set()
        # No other instance seen in the last round: nobody can take a shard over.
        self._alone = False
        self._taking: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> set[int]:
        return set(self._mine)

    def holds(self, shard: int) -> bool:
        """Tell whether this instance may check `shard` now: held, and not past its lease (or
        past it, but alone)."""
        return shard in self._mine and (self._alone or self._keeper.holds(lease_name(shard)))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="health-shards")

    async def close(self) -> None:
        """Stop, and hand every shard back at once (the others take them in a round)."""
        await cancel_and_wait(self._task)
        self._task = None
        for task in list(self._taking):
            await cancel_and_wait(task)
        if self._mine:
            mine, self._mine = set(self._mine), set()
            await self._work.give_up(mine)
            try:
                async with asyncio.timeout(2):
                    await self._keeper.release(lease_name(s) for s in mine)
            except (StorageUnavailable, TimeoutError):
                log.warning("health_shards_unreleased", shards=len(mine))

    async def run_once(self) -> None:
        """One round: renew, take what nobody holds, give up what is beyond a fair share."""
        renewed = await self._keeper.renew(lease_name(s) for s in self._mine)
        lost = {s for s in self._mine if lease_name(s) not in renewed}
        if lost:
            # Not renewed before it expired (storage slow or down): another may have it now.
            log.warning("health_shards_lost", shards=sorted(lost))
            await self._give_up(lost, release=False)
        now = self._clock()
        leases = {lease.name: lease for lease in await self._keeper.list_all()}
        free = [
            s
            for s in range(SHARDS)
            if s not in self._mine
            and ((lease := leases.get(lease_name(s))) is None or lease.expires_at <= now)
        ]
        share = math.ceil(SHARDS / await self._participants())
        room = max(0, share - len(self._mine))
        # Up to its share, any free shard; beyond it, only shards free for a whole round (a
        # dead instance's): what another instance just gave up is left to the one short of
        # its share, so that shards do not bounce between instances.
        wanted = free[:room] + [s for s in free[room:] if s in self._free_before]
        taken = {s for s in wanted if await self._keeper.acquire(lease_name(s))}
        self._free_before = set(free) - taken
        if taken:
            self._mine |= taken
            # Off the round: reading the environments must not hold up the next renewal.
            self._start(self._work.take(taken))
            log.info("health_shards_taken", shards=len(taken), held=len(self._mine))
        elif len(self._mine) > share and not free:
            extra = set(sorted(self._mine)[share:])
            await self._give_up(extra, release=True)
            log.info("health_shards_given_up", shards=len(extra), held=len(self._mine))

    async def settle(self) -> None:
        """Wait until the shards taken so far are scheduled (tests)."""
        while self._taking:
            await asyncio.gather(*self._taking, return_exceptions=True)

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work, name="health-shards-take")
        self._taking.add(task)
        task.add_done_callback(self._taken)

    def _taken(self, task: "asyncio.Task[None]") -> None:
        self._taking.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("health_shards_take_failed", error=repr(task.exception()))

    async def _participants(self) -> int:
        # Instances seen within one lease: a killed one stops counting about when its leases
        # expire, so its share goes to the others instead of waiting for it.
        since = self._clock() - self._keeper.duration
        seen = await self._instances.list_seen_since(since)
        others = sum(1 for i in seen if i.stopped_at is None and i.id != self._keeper.holder)
        self._alone = others == 0
        return others + 1

    async def _give_up(self, shards: set[int], *, release: bool) -> None:
        self._mine -= shards
        await self._work.give_up(shards)
        if release:
            await self._keeper.release(lease_name(s) for s in shards)

    async def _run(self) -> None:
        interval = self._keeper.duration.total_seconds() / 3
        while True:
            delay = interval
            try:
                await self.run_once()
            except StorageUnavailable:
                # Soon again: once storage is back, the shards are taken again at once (they
                # expired meanwhile if the outage outlasted a lease), and checks resume.
                delay = min(interval, RETRY_SECONDS)
                log.warning("health_shards_round_failed", retry_in=delay)
            except Exception:
                log.exception("health_shards_round_error", retry_in=interval)
            await asyncio.sleep(delay)
