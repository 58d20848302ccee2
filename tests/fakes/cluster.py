"""What several instances share, in memory: leases and an event stream that every FakeStorage
built on one FakeCluster sees (instances in one test process)."""

import asyncio
import builtins
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from envdeck.domain.lease import Lease
from tests.fakes.documents import Outage


class FakeLeaseRepository:
    def __init__(self, outage: Outage | None = None) -> None:
        self.outage = outage or Outage()
        self._leases: dict[str, Lease] = {}

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        self.outage.check()
        current = self._leases.get(name)
        if current is not None and current.holder != holder and current.expires_at > now:
            return False
        self._leases[name] = Lease(name=name, holder=holder, expires_at=until)
        return True

    async def renew(
        self, names: Sequence[str], holder: str, now: datetime, until: datetime
    ) -> set[str]:
        self.outage.check()
        renewed = set()
        for name in names:
            current = self._leases.get(name)
            if current is not None and current.holder == holder:
                self._leases[name] = current.model_copy(update={"expires_at": until})
                renewed.add(name)
        return renewed

    async def release(self, names: Sequence[str], holder: str) -> None:
        self.outage.check()
        for name in names:
            current = self._leases.get(name)
            if current is not None and current.holder == holder:
                del self._leases[name]

    async def list_all(self) -> builtins.list[Lease]:
        self.outage.check()
        return [self._leases[name] for name in sorted(self._leases)]


class FakeEventStream:
    def __init__(self) -> None:
        self._followers: list[asyncio.Queue[dict[str, Any]]] = []

    async def append(self, documents: Sequence[Mapping[str, Any]]) -> None:
        for document in documents:
            for queue in self._followers:
                queue.put_nowait(dict(document))

    async def follow(
        self, on_open: Callable[[], object] | None = None, skip_origin: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._followers.append(queue)
        if on_open is not None:
            on_open()
        try:
            while True:
                document = await queue.get()
                if skip_origin is None or document.get("origin") != skip_origin:
                    yield document
        finally:
            self._followers.remove(queue)


class FakeCluster:
    def __init__(self) -> None:
        self.leases = FakeLeaseRepository()
        self.events = FakeEventStream()
