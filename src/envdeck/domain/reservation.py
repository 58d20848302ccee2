"""Reservations: who holds an environment, from when until when, and why.

A reservation holds one environment from `start` to `end` (UTC). It stops holding it when it is
released early or broken by an admin (`releasedAt` set) or when its end passes. Of the
reservations of one environment that are not released, no two overlap: storage refuses the
second (`Reserved`), atomically, whichever instance writes it.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime, format_utc
from envdeck.domain.errors import EnvdeckError, NotFound


class ReservationPolicy(StrEnum):
    """What a reservation means for operations on its environment."""

    # Reservations are bookkeeping only.
    NONE = "none"
    # Anyone may operate; a non-holder's operation carries a warning.
    ADVISORY = "advisory"
    # Only the holder operates (an admin may force).
    EXCLUSIVE = "exclusive"


class ReservationStatus(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDED = "ended"
    RELEASED = "released"
    BROKEN = "broken"


class ExpiryState(StrEnum):
    """How far the expiry job got with one reservation (each step taken once, by one instance)."""

    PENDING = "pending"
    REMINDED = "reminded"
    ENDED = "ended"


class Holder(DomainModel):
    """A user (an API token acts as its owner)."""

    user_id: str
    username: str


class Reservation(DomainModel):
    id: str = ""
    environment_id: str
    environment_name: str = ""
    holder: Holder
    purpose: str = Field(min_length=1, max_length=200)
    start: UtcDatetime
    end: UtcDatetime
    created_at: UtcDatetime | None = None
    released_at: UtcDatetime | None = None
    released_by: Holder | None = None
    break_reason: str | None = None
    # Kept for the expiry job; not part of the API's reservation.
    expiry: ExpiryState = ExpiryState.PENDING
    # Users to tell when this reservation stops holding its environment ("notify me when free").
    watchers: list[Holder] = Field(default_factory=list)

    def status_at(self, now: datetime) -> ReservationStatus:
        """Return the status at `now`: released/broken first, then by the clock."""
        if self.released_at is not None:
            if self.break_reason is not None:
                return ReservationStatus.BROKEN
            return ReservationStatus.RELEASED
        if now < self.start:
            return ReservationStatus.UPCOMING
        if now < self.end:
            return ReservationStatus.ACTIVE
        return ReservationStatus.ENDED

    def holds_at(self, now: datetime) -> bool:
        """Tell whether this reservation holds its environment at `now`."""
        return self.status_at(now) is ReservationStatus.ACTIVE

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Tell whether this (not released) reservation overlaps [start, end)."""
        return self.released_at is None and self.start < end and start < self.end


class ReservationView(DomainModel):
    """A reservation as the API and the WebSocket show it: with its status at that moment."""

    id: str
    environment_id: str
    environment_name: str
    holder: Holder
    purpose: str
    start: UtcDatetime
    end: UtcDatetime
    created_at: UtcDatetime | None
    released_at: UtcDatetime | None
    released_by: Holder | None
    break_reason: str | None
    status: ReservationStatus

    @classmethod
    def of(cls, reservation: Reservation, now: datetime) -> "ReservationView":
        fields = reservation.model_dump(exclude={"expiry", "watchers"})
        return cls(**fields, status=reservation.status_at(now))


class ReservationNotFound(NotFound):
    default_message = "reservation not found"


class Reserved(EnvdeckError):
    """The environment is reserved by someone else for (part of) that time."""

    code = "RESERVED"
    status = 409
    default_message = "the environment is reserved"

    @classmethod
    def by(cls, reservation: Reservation) -> "Reserved":
        """Return the error naming the holder and the end of the reservation in the way."""
        end = format_utc(reservation.end)
        holder = reservation.holder.username
        details: dict[str, Any] = {
            "reservationId": reservation.id,
            "holder": holder,
            "end": end,
        }
        return cls(
            f"{reservation.environment_name or 'the environment'} is reserved by"
            f" {holder} until {end}",
            details,
        )


class NoneAvailable(EnvdeckError):
    code = "NONE_AVAILABLE"
    status = 409
    default_message = "no matching environment is free"


class CurrentAndNext(DomainModel):
    """An environment's reservation holding it now, and the next one to come."""

    current: Reservation | None = None
    next: Reservation | None = None


def current_and_next(reservations: list[Reservation], now: datetime) -> dict[str, CurrentAndNext]:
    """Pick, per environment, the reservation holding it at `now` and the first starting after
    `now`, from its not-released reservations ending after `now` in start order."""
    found: dict[str, CurrentAndNext] = {}
    for reservation in reservations:
        entry = found.setdefault(reservation.environment_id, CurrentAndNext())
        if reservation.start <= now:
            entry.current = entry.current or reservation
        elif entry.next is None:
            entry.next = reservation
    return found


class ReservationListOptions(PageOptions):
    """Filters of the reservation list; newest start first."""

    environment_id: str | None = None
    holder_id: str | None = None
    holder_username: str | None = None
    # True: holding its environment at `at`; False: not.
    active: bool | None = None
    at: UtcDatetime | None = None
    # Overlapping [from, to).
    from_: UtcDatetime | None = None
    to: UtcDatetime | None = None
