"""Reservations in memory: each check-and-write runs without awaiting, so it is atomic on the
event loop as the backends' transactions and locks make it."""

import builtins
from collections.abc import Sequence
from datetime import datetime

from envdeck.domain.reservation import (
    CurrentAndNext,
    ExpiryState,
    Holder,
    Reservation,
    ReservationListOptions,
    ReservationNotFound,
    Reserved,
    current_and_next,
)
from tests.fakes.documents import FakeRepository, page


class FakeReservationRepository(FakeRepository[Reservation]):
    not_found = ReservationNotFound

    def _overlapping(
        self, environment_id: str, start: datetime, end: datetime, exclude: str = ""
    ) -> Reservation | None:
        found = [
            r
            for r in self.docs.all()
            if r.environment_id == environment_id and r.id != exclude and r.overlaps(start, end)
        ]
        return min(found, key=lambda r: r.start) if found else None

    async def create(self, reservation: Reservation) -> Reservation:
        self.outage.check()
        conflict = self._overlapping(reservation.environment_id, reservation.start, reservation.end)
        if conflict is not None:
            raise Reserved.by(conflict)
        return self.insert_new(reservation, "created_at")

    async def list(self, options: ReservationListOptions) -> tuple[builtins.list[Reservation], int]:
        at = options.at or self._now()

        def wanted(r: Reservation) -> bool:
            return (
                options.environment_id in (None, r.environment_id)
                and options.holder_id in (None, r.holder.user_id)
                and options.holder_username in (None, r.holder.username)
                and options.active in (None, r.holds_at(at))
                and (options.from_ is None or r.end > options.from_)
                and (options.to is None or r.start < options.to)
            )

        items = sorted(
            (r for r in self.docs.all() if wanted(r)), key=lambda r: (r.start, r.id), reverse=True
        )
        return page(items, options)

    async def set_end(self, reservation_id: str, end: datetime) -> Reservation:
        current = self.docs.get(reservation_id)
        if current.released_at is not None:
            raise ReservationNotFound
        conflict = self._overlapping(current.environment_id, current.start, end, reservation_id)
        if conflict is not None:
            raise Reserved.by(conflict)
        changed = current.model_copy(update={"end": end, "expiry": ExpiryState.PENDING})
        return self.docs.put(reservation_id, changed)

    async def release(
        self, reservation_id: str, at: datetime, by: Holder, reason: str | None = None
    ) -> Reservation | None:
        current = self.docs.get(reservation_id)
        if current.released_at is not None:
            return None
        change = {"released_at": at, "released_by": by}
        if reason is not None:
            change["break_reason"] = reason
        return self.docs.put(reservation_id, current.model_copy(update=change))

    async def current_and_next(
        self, environment_ids: Sequence[str], now: datetime
    ) -> dict[str, CurrentAndNext]:
        wanted = set(environment_ids)
        found = [
            r
            for r in self.docs.all()
            if r.environment_id in wanted and r.released_at is None and r.end > now
        ]
        return current_and_next(sorted(found, key=lambda r: r.start), now)

    async def reserved_between(self, start: datetime, end: datetime) -> set[str]:
        return {r.environment_id for r in self.docs.all() if r.overlaps(start, end)}

    async def add_watcher(self, reservation_id: str, watcher: Holder) -> Reservation:
        current = self.docs.get(reservation_id)
        if watcher in current.watchers:
            return current
        watchers = [*current.watchers, watcher]
        return self.docs.put(reservation_id, current.model_copy(update={"watchers": watchers}))

    async def list_expiring(self, cutoff: datetime, limit: int) -> builtins.list[Reservation]:
        found = [
            r
            for r in self.docs.all()
            if r.released_at is None and r.expiry is not ExpiryState.ENDED and r.end <= cutoff
        ]
        return sorted(found, key=lambda r: (r.end, r.id))[:limit]

    async def advance_expiry(
        self, reservation_id: str, expected: ExpiryState, new: ExpiryState
    ) -> bool:
        if not self.docs.has(reservation_id):
            return False
        current = self.docs.get(reservation_id)
        if current.expiry is not expected:
            return False
        self.docs.put(reservation_id, current.model_copy(update={"expiry": new}))
        return True
