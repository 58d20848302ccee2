"""A log repository that refuses writes while `down` is set: a storage outage, on demand.

Wraps a real repository (never a mock database): every write that is let through is stored.
"""

from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.log import LogEntry
from envdeck.repositories.base import LogRepository


class FlakyLogRepository:
    def __init__(self, inner: LogRepository) -> None:
        self.inner = inner
        self.down = False
        self.refused = 0

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        if self.down:
            self.refused += 1
            raise StorageUnavailable()
        return await self.inner.create_many(entries)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)
