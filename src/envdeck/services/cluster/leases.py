"""This instance's leases (domain/lease.py): taken, renewed, given up, and known held.

With several instances (a ClusterStore), leases are stored and one instance at a time holds
each; an instance counts a lease as its own only until `duration` after the start of the call
that last took or renewed it, which is never later than the expiry others read (the expiry
is computed before that call). Alone (SQLite, or MongoDB without a replica set), there is
nobody to share with: every lease is this instance's, nothing is stored.
"""

import asyncio
import builtins
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from envdeck.domain.lease import Lease
from envdeck.repositories.base import LeaseRepository


class LeaseKeeper:
    """Takes, renews and gives up this instance's leases; see the module docstring."""

    def __init__(
        self,
        repository: LeaseRepository | None,
        holder: str,
        clock: Callable[[], datetime],
        duration: timedelta,
    ) -> None:
        self._repository = repository
        self.holder = holder
        self._clock = clock
        self.duration = duration
        # Lease name -> loop time until which it is held here.
        self._held_until: dict[str, float] = {}

    @property
    def shared(self) -> bool:
        """Tell whether leases are shared with other instances (stored)."""
        return self._repository is not None

    def use(self, repository: LeaseRepository) -> None:
        """Share leases through repository from now on (once cluster mode is confirmed)."""
        self._repository = repository

    def holds(self, name: str) -> bool:
        """Tell whether this instance holds lease `name` now."""
        if self._repository is None:
            return True
        until = self._held_until.get(name)
        return until is not None and until > _now()

    def held(self) -> set[str]:
        """Return the names of the leases this instance holds now."""
        return {name for name in self._held_until if self.holds(name)}

    async def acquire(self, name: str) -> bool:
        """Take (or renew) lease `name`; tell whether this instance holds it now."""
        if self._repository is None:
            return True
        started = _now()
        now = self._clock()
        if await self._repository.acquire(name, self.holder, now, now + self.duration):
            self._held_until[name] = started + self.duration.total_seconds()
            return True
        self._held_until.pop(name, None)
        return False

    async def renew(self, names: Iterable[str]) -> set[str]:
        """Renew those of names still held; return them (the others are no longer held)."""
        wanted = sorted(names)
        if self._repository is None:
            return set(wanted)
        started = _now()
        now = self._clock()
        renewed = await self._repository.renew(wanted, self.holder, now, now + self.duration)
        for name in wanted:
            if name in renewed:
                self._held_until[name] = started + self.duration.total_seconds()
            else:
                self._held_until.pop(name, None)
        return renewed

    async def release(self, names: Iterable[str]) -> None:
        """Give up leases (others may take them at once)."""
        given = sorted(names)
        for name in given:
            self._held_until.pop(name, None)
        if self._repository is not None and given:
            await self._repository.release(given, self.holder)

    async def list_all(self) -> builtins.list[Lease]:
        """Return every stored lease (none when alone)."""
        if self._repository is None:
            return []
        return await self._repository.list_all()


def _now() -> float:
    return asyncio.get_running_loop().time()
