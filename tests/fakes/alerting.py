"""Alerting's shared memory in memory: alert states (compare-and-set on revision) and the
notification outbox (unique ids, conditional updates)."""

import builtins
from collections.abc import Sequence
from datetime import datetime

from envdeck.domain.alerting import AlertState, OutboxEntry, OutboxStatus
from tests.fakes.documents import Outage, to_ms


class FakeAlertStateRepository:
    def __init__(self, outage: Outage | None = None) -> None:
        self.outage = outage or Outage()
        self._states: dict[str, AlertState] = {}

    async def get(self, environment_id: str) -> AlertState | None:
        self.outage.check()
        state = self._states.get(environment_id)
        return None if state is None else state.model_copy(deep=True)

    async def save(self, state: AlertState) -> bool:
        self.outage.check()
        stored = self._states.get(state.environment_id)
        if (0 if stored is None else stored.revision) != state.revision - 1:
            return False
        # Validated again, as storage keeps it: times cut to the millisecond.
        self._states[state.environment_id] = AlertState.model_validate(state.model_dump())
        return True

    async def list_due(
        self, now: datetime, limit: int, after: tuple[datetime, str] | None = None
    ) -> builtins.list[AlertState]:
        self.outage.check()
        due = sorted(
            (to_ms(s.due_at), s.environment_id, s)
            for s in self._states.values()
            if s.due_at is not None and to_ms(s.due_at) <= to_ms(now)
        )
        if after is not None:
            cursor = (to_ms(after[0]), after[1])
            due = [item for item in due if (item[0], item[1]) > cursor]
        return [state.model_copy(deep=True) for _, _, state in due[:limit]]

    async def delete(self, environment_id: str) -> None:
        self.outage.check()
        self._states.pop(environment_id, None)

    async def count(self) -> int:
        self.outage.check()
        return len(self._states)


class FakeNotificationOutboxRepository:
    def __init__(self, outage: Outage | None = None) -> None:
        self.outage = outage or Outage()
        self._entries: dict[str, OutboxEntry] = {}

    def all(self) -> builtins.list[OutboxEntry]:
        """Return copies of every entry, in the order recorded (tests read them)."""
        return [entry.model_copy(deep=True) for entry in self._entries.values()]

    async def claim(self, entries: Sequence[OutboxEntry]) -> set[str]:
        self.outage.check()
        stored = set()
        for entry in entries:
            if entry.id not in self._entries:
                self._entries[entry.id] = OutboxEntry.model_validate(entry.model_dump())
                stored.add(entry.id)
        return stored

    async def finish(self, entry_id: str, status: OutboxStatus, at: datetime) -> bool:
        self.outage.check()
        entry = self._entries.get(entry_id)
        if entry is None or entry.status is not OutboxStatus.PENDING:
            return False
        entry.status, entry.finished_at = status, at
        return True

    async def list_pending(
        self, live_owners: Sequence[str], limit: int
    ) -> builtins.list[OutboxEntry]:
        self.outage.check()
        pending = sorted(
            (to_ms(e.created_at), e.id, e)
            for e in self._entries.values()
            if e.status is OutboxStatus.PENDING and e.owner not in live_owners
        )
        return [entry.model_copy(deep=True) for _, _, entry in pending[:limit]]

    async def take_over(self, entry_id: str, previous_owner: str, owner: str) -> bool:
        self.outage.check()
        entry = self._entries.get(entry_id)
        if entry is None or entry.status is not OutboxStatus.PENDING:
            return False
        if entry.owner != previous_owner:
            return False
        entry.owner = owner
        return True

    async def purge_before(self, cutoff: datetime) -> int:
        self.outage.check()
        gone = [i for i, e in self._entries.items() if to_ms(e.created_at) < to_ms(cutoff)]
        for entry_id in gone:
            del self._entries[entry_id]
        return len(gone)
