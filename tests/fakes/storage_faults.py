"""A log repository that refuses writes while `down` is set: a storage outage, on demand.

Wraps a repository (an in-memory fake or a real one, never a mock database): every write that
is let through is stored. `refuse_next` refuses that many writes and then lets writes through
again (a short outage that ends by itself); `broken` makes the next write fail with an
unexpected error (a bug). `refusals` counts refused writes; a test awaits
`refusals.reaches(n)` to know the writer has tried, instead of sleeping.
"""

from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.log import LogEntry
from envdeck.repositories.base import LogRepository
from tests.fakes.tally import Tally


class FlakyLogRepository:
    def __init__(self, inner: LogRepository) -> None:
        self.inner = inner
        self.down = False
        self.broken = False
        self.refuse_next = 0
        self.refusals = Tally()

    @property
    def refused(self) -> int:
        return self.refusals.value

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        if self.broken:
            self.broken = False
            self.refusals.add()
            raise RuntimeError("an unexpected failure")
        if self.refuse_next > 0:
            self.refuse_next -= 1
            self.refusals.add()
            raise StorageUnavailable()
        if self.down:
            self.refusals.add()
            raise StorageUnavailable()
        return await self.inner.create_many(entries)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)
