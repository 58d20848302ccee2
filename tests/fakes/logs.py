"""LogRepository in memory: idempotent batches, the filters, newest first, keyset batches."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from envdeck.domain.attention import needs_attention
from envdeck.domain.errors import LogNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogBatch, LogCounts, LogEntry, LogFilter, LogListOptions
from tests.fakes.documents import FakeRepository, Outage, page, to_ms
from tests.fakes.tally import Tally


def matches(entry: LogEntry, log_filter: LogFilter) -> bool:
    """Tell whether an entry is selected by a filter (its fields combine with AND)."""
    equalities = [
        (log_filter.environment_id, entry.environment_id),
        (log_filter.user_id, entry.user_id),
        (log_filter.action, entry.action),
        (log_filter.type, entry.type),
        (log_filter.level, entry.level),
    ]
    if any(wanted is not None and wanted != value for wanted, value in equalities):
        return False
    if entry.action in log_filter.exclude_actions:
        return False
    if log_filter.attention and not needs_attention(entry):
        return False
    if log_filter.start_date is not None and entry.timestamp < log_filter.start_date:
        return False
    if log_filter.end_date is not None and entry.timestamp > log_filter.end_date:
        return False
    if log_filter.q:
        # Both backends search the message, the environment and the user, in any case.
        texts = (entry.message, entry.environment_name or "", entry.username or "")
        return any(log_filter.q.lower() in text.lower() for text in texts)
    return True


def _newest_first(entry: LogEntry) -> tuple[datetime, str]:
    return entry.timestamp, entry.id


class FakeLogRepository(FakeRepository[LogEntry]):
    not_found = LogNotFound

    def __init__(self, outage: Outage | None = None, *, expires_by_itself: bool = False) -> None:
        super().__init__(outage)
        # True: storage expires entries itself, as MongoDB's TTL index does.
        self.expires_by_itself = expires_by_itself
        self.retention: timedelta | None = None
        self.batches = 0  # create_many calls that stored something
        self.stored = Tally()  # entries stored so far

    def _selected(self, log_filter: LogFilter) -> list[LogEntry]:
        found = [e for e in self.docs.all() if matches(e, log_filter)]
        return sorted(found, key=_newest_first, reverse=True)

    async def create(self, entry: LogEntry) -> LogEntry:
        stored = entry if entry.id else entry.model_copy(update={"id": new_id()})
        created = self.docs.insert(stored.id, stored)
        self.stored.add()
        return created

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        self.outage.check()
        stored = [e if e.id else e.model_copy(update={"id": new_id()}) for e in entries]
        for entry in stored:
            if not self.docs.has(entry.id):  # a retried batch is stored once
                self.docs.put(entry.id, entry)
                self.stored.add()
        if stored:
            self.batches += 1
        return stored

    async def list(self, options: LogListOptions) -> tuple[list[LogEntry], int]:
        return page(self._selected(options), options)

    async def count(self, log_filter: LogFilter) -> int:
        return len(self._selected(log_filter))

    async def iterate(self, log_filter: LogFilter, batch_size: int) -> AsyncIterator[LogBatch]:
        after: tuple[datetime, str] | None = None
        while True:
            # Keyset: each batch continues after the last entry of the one before.
            rest = [
                e for e in self._selected(log_filter) if after is None or _newest_first(e) < after
            ]
            batch = rest[:batch_size]
            if batch:
                yield batch
            if len(batch) < batch_size:
                return
            after = _newest_first(batch[-1])

    async def summarize(self, log_filter: LogFilter) -> LogCounts:
        groups: dict[tuple[str, str], int] = {}
        for entry in self._selected(log_filter):
            key = (entry.type.value, entry.level.value)
            groups[key] = groups.get(key, 0) + 1
        return LogCounts.of(groups)

    async def count_unread(
        self,
        since: datetime | None,
        user_id: str,
        cap: int,
        exclude_actions: tuple[str, ...] = (),
        *,
        attention: bool = False,
    ) -> int:
        unread = [
            e
            for e in self.docs.all()
            if e.user_id != user_id
            and (since is None or e.timestamp > to_ms(since))
            and e.action not in exclude_actions
            and (not attention or needs_attention(e))
        ]
        return min(len(unread), cap)

    async def delete_before(self, cutoff: datetime) -> int:
        return self.docs.delete_where(lambda e: e.timestamp < to_ms(cutoff))

    async def expire_after(self, retention: timedelta) -> bool:
        self.outage.check()
        if self.expires_by_itself:
            self.retention = retention
        return self.expires_by_itself
