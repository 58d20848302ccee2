"""Reservations: reserve, extend, release, break, claim a free environment, and read them.

Overlaps are refused by storage itself (ReservationRepository.create and set_end check and write
atomically), so this service never reads-then-writes to decide one: a claim tries the
candidates in name order and moves on when storage says one is taken.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta

import structlog

from envdeck.adapters.events import EventBus, ReservationUpdated
from envdeck.adapters.metrics import Metrics
from envdeck.config import ReservationsSettings
from envdeck.domain.auth import Principal
from envdeck.domain.base import format_utc
from envdeck.domain.environment import Environment, EnvironmentListOptions, HealthState
from envdeck.domain.errors import Forbidden, ValidationFailed
from envdeck.domain.ids import is_valid_id
from envdeck.domain.log import LogLevel, LogType
from envdeck.domain.reservation import (
    CurrentAndNext,
    Holder,
    NoneAvailable,
    Reservation,
    ReservationListOptions,
    ReservationStatus,
    ReservationView,
    Reserved,
)
from envdeck.domain.user import Role
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.reservations.notices import Notices

log = structlog.get_logger(__name__)

# A start this far in the past is taken as "now" (clocks and typing differ); further is refused.
PAST_GRACE = timedelta(minutes=1)
# Candidates a claim considers at most, read this many at a time.
MAX_CANDIDATES = 10_000
CLAIM_PAGE = 16


def holder_of(actor: Principal) -> Holder:
    return Holder(user_id=actor.user_id, username=actor.username)


def _new(
    env: Environment, actor: Principal, purpose: str, start: datetime, end: datetime
) -> Reservation:
    return Reservation(
        environment_id=env.id,
        environment_name=env.name,
        holder=holder_of(actor),
        purpose=purpose,
        start=start,
        end=end,
    )


def _refuse_viewers(actor: Principal) -> None:
    if actor.role is Role.VIEWER:
        raise Forbidden("viewers cannot reserve environments")


class ReservationService:
    def __init__(
        self,
        storage: Storage,
        activity: ActivityLog,
        bus: EventBus,
        clock: Callable[[], datetime],
        settings: ReservationsSettings,
        notices: Notices,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self._storage = storage
        self._reservations = storage.reservations
        self._activity = activity
        self._bus = bus
        self._clock = clock
        self._settings = settings
        self._notices = notices
        self._metrics = metrics
        # Writes made here: environment views that show reservations re-read after one.
        self.version = 0
        # Environments that a claim of this process is trying to reserve right now, and how
        # many claims are under way here.
        self._claiming: set[str] = set()
        self._in_flight = 0

    # ---- reading ---------------------------------------------------------------------------

    def view(self, reservation: Reservation) -> ReservationView:
        """Return the reservation as the API shows it, with its status now."""
        return ReservationView.of(reservation, self._clock())

    async def get_reservation(self, reservation_id: str) -> Reservation:
        """Return the reservation with this id."""
        return await self._reservations.get_by_id(reservation_id)

    async def list_reservations(
        self, options: ReservationListOptions, holder: str | None = None
    ) -> tuple[list[Reservation], int]:
        """Return one page of reservations, newest start first; holder is a user id or name."""
        if holder is not None:
            if is_valid_id(holder):
                options = options.model_copy(update={"holder_id": holder})
            else:
                options = options.model_copy(update={"holder_username": holder})
        if options.active is not None and options.at is None:
            options = options.model_copy(update={"at": self._clock()})
        return await self._reservations.list(options)

    async def current_and_next(self, environment_ids: Sequence[str]) -> dict[str, CurrentAndNext]:
        """Return each environment's reservation holding it now and its next one."""
        return await self._reservations.current_and_next(environment_ids, self._clock())

    async def reserved_ids(self, for_: timedelta | None = None) -> set[str]:
        """Return the ids of environments reserved now, or at any time in the next `for_`."""
        now = self._clock()
        span = max(for_ or timedelta(0), timedelta(milliseconds=1))
        return await self._reservations.reserved_between(now, now + span)

    # ---- writing ---------------------------------------------------------------------------

    async def create_reservation(
        self,
        actor: Principal,
        environment_id: str,
        purpose: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        duration: timedelta | None = None,
    ) -> Reservation:
        """Reserve an environment for actor; Reserved (409) when another reservation overlaps."""
        _refuse_viewers(actor)
        env = await self._storage.environments.get_by_id(environment_id)
        start, end = self._span(start, end, duration)
        reservation = await self._reservations.create(_new(env, actor, purpose, start, end))
        self._changed("created", reservation, actor, f"reserved {env.name}")
        return reservation

    def _span(
        self, start: datetime | None, end: datetime | None, duration: timedelta | None
    ) -> tuple[datetime, datetime]:
        now = self._clock()
        if (end is None) == (duration is None):
            raise ValidationFailed("give exactly one of end and duration", {"field": "end"})
        start = start or now
        if start < now - PAST_GRACE:
            raise ValidationFailed("start is in the past", {"field": "start"})
        start = max(start, now)
        end = end if end is not None else start + (duration or timedelta(0))
        self._check_length(start, end)
        return start, end

    def _check_length(self, start: datetime, end: datetime) -> None:
        if end <= start:
            raise ValidationFailed("end must be after start", {"field": "end"})
        longest = self._settings.max_duration
        if end - start > longest:
            raise ValidationFailed(
                f"a reservation lasts at most {_words(longest)} (reservations.maxDuration)",
                {"field": "end", "maxDuration": int(longest.total_seconds())},
            )

    async def set_end(self, actor: Principal, reservation_id: str, end: datetime) -> Reservation:
        """Extend or shorten a reservation (its holder or an admin)."""
        current = await self._reservations.get_by_id(reservation_id)
        self._refuse_unless_holder_or_admin(actor, current)
        now = self._clock()
        self._refuse_if_over(current)
        if end <= now:
            raise ValidationFailed("end must be in the future", {"field": "end"})
        self._check_length(current.start, end)
        changed = await self._reservations.set_end(reservation_id, end)
        self._changed(
            "extended",
            changed,
            actor,
            f"moved the end of the reservation of {changed.environment_name} to {format_utc(end)}",
        )
        return changed

    async def release(self, actor: Principal, reservation_id: str) -> Reservation:
        """Release a reservation early (its holder or an admin)."""
        current = await self._reservations.get_by_id(reservation_id)
        self._refuse_unless_holder_or_admin(actor, current)
        self._refuse_if_over(current)
        released = await self._reservations.release(reservation_id, self._clock(), holder_of(actor))
        if released is None:
            raise ValidationFailed("the reservation was released already")
        self._changed("released", released, actor, f"released {released.environment_name}")
        await self._notices.freed(released)
        return released

    async def break_reservation(
        self, actor: Principal, reservation_id: str, reason: str
    ) -> Reservation:
        """Break someone's reservation (admins), with a reason the holder is told."""
        if actor.role is not Role.ADMIN:
            raise Forbidden("only admins may break a reservation")
        self._refuse_if_over(await self._reservations.get_by_id(reservation_id))
        broken = await self._reservations.release(
            reservation_id, self._clock(), holder_of(actor), reason=reason
        )
        if broken is None:
            raise ValidationFailed("the reservation was released already")
        message = (
            f"broke {broken.holder.username}'s reservation of {broken.environment_name}: {reason}"
        )
        self._changed("broken", broken, actor, message, level=LogLevel.WARNING)
        await self._notices.broken(broken)
        await self._notices.freed(broken)
        return broken

    async def watch(self, actor: Principal, environment_id: str) -> Reservation:
        """Have actor told (environment.free) when the environment's current reservation ends."""
        env = await self._storage.environments.get_by_id(environment_id)
        found = (await self.current_and_next([env.id])).get(env.id)
        if found is None or found.current is None:
            raise ValidationFailed(f"{env.name} is free now", {"field": "environmentId"})
        return await self._reservations.add_watcher(found.current.id, holder_of(actor))

    # ---- claims ------------------------------------------------------------------------------

    async def claim(
        self,
        actor: Principal,
        purpose: str,
        duration: timedelta,
        *,
        tags: Sequence[str] = (),
        environment_ids: Sequence[str] = (),
        require_healthy: bool = True,
    ) -> tuple[Reservation, Environment]:
        """Reserve one free matching environment now for `duration`, or raise NoneAvailable
        with when the first matching one frees up."""
        _refuse_viewers(actor)
        now = self._clock()
        start, end = now, now + duration
        self._check_length(start, end)
        taken = await self._reservations.reserved_between(start, end)
        # Free ones only (a claim that lost the race for one tries the next): what the query
        # can filter, storage does; a page at a time, so a claim reads few of many.
        matching = EnvironmentListOptions(
            tag=tags[0] if tags else None,
            status=HealthState.HEALTHY if require_healthy else None,
            ids=list(environment_ids) or None,
            sort="name",
            limit=CLAIM_PAGE,
        )
        self._in_flight += 1
        try:
            found = await self._claim_first_free(matching, taken, tags, actor, purpose, start, end)
        finally:
            self._in_flight -= 1
        if found is not None:
            return found
        self._count_claim("none_available")
        # Read again: claims racing this one took what was free when it started.
        wanted = set(environment_ids)
        now_taken = await self._reservations.reserved_between(start, end)
        reserved = [i for i in sorted(now_taken) if not wanted or i in wanted]
        held = [
            e.id async for e in self._matching(matching.model_copy(update={"ids": reserved}), tags)
        ]
        raise NoneAvailable(details={"nextFreeAt": await self._next_free_at(held)})

    async def _claim_first_free(
        self,
        matching: EnvironmentListOptions,
        taken: set[str],
        tags: Sequence[str],
        actor: Principal,
        purpose: str,
        start: datetime,
        end: datetime,
    ) -> tuple[Reservation, Environment] | None:
        """Reserve the first free environment that matching selects and that carries tags.

        In a burst, the k-th claim in flight here first tries the k-th free environment, so
        parallel claims spread instead of all racing for the first. Then each look (a page of
        what is free) skips what is reserved, tried, or being tried by another claim of this
        process right now (most likely taken); those are tried last, in case their claim lost.
        """
        position = self._in_flight - 1
        at_position = matching.model_copy(
            update={"exclude_ids": sorted(taken), "page": position + 1, "limit": 1}
        )
        skipped: set[str] = set()
        tried: set[str] = set()
        for env in await self._storage.environments.find(at_position):
            if env.id not in self._claiming and set(tags) <= set(env.tags):
                tried.add(env.id)
                created = await self._try_claim(env, actor, purpose, start, end)
                if created is not None:
                    return created, env
        for look in range(MAX_CANDIDATES // CLAIM_PAGE):
            if look or tried:  # what parallel claims reserved meanwhile
                taken = await self._reservations.reserved_between(start, end)
            busy = self._claiming - tried
            skip = sorted({*taken, *tried, *busy})
            page = await self._storage.environments.find(
                matching.model_copy(update={"exclude_ids": skip})
            )
            if not page:
                break
            for env in page:
                if env.id in self._claiming:
                    skipped.add(env.id)
                    continue
                tried.add(env.id)
                if not set(tags) <= set(env.tags):
                    continue
                created = await self._try_claim(env, actor, purpose, start, end)
                if created is not None:
                    return created, env
            skipped.update(busy)
        left = skipped - tried
        if matching.ids is not None:
            left &= set(matching.ids)
        if left:
            last = matching.model_copy(update={"ids": sorted(left)})
            async for env in self._matching(last, tags):
                created = await self._try_claim(env, actor, purpose, start, end)
                if created is not None:
                    return created, env
        return None

    async def _try_claim(
        self, env: Environment, actor: Principal, purpose: str, start: datetime, end: datetime
    ) -> Reservation | None:
        self._claiming.add(env.id)
        try:
            created = await self._reservations.create(_new(env, actor, purpose, start, end))
        except Reserved:
            return None  # another claim got it first: the next one
        finally:
            self._claiming.discard(env.id)
        self._count_claim("claimed")
        self._changed("created", created, actor, f"claimed {env.name}")
        return created

    async def _matching(
        self, options: EnvironmentListOptions, tags: Sequence[str]
    ) -> AsyncIterator[Environment]:
        """Yield the environments options select that carry every tag, page by page."""
        seen = 0
        while seen < MAX_CANDIDATES:
            items, total = await self._storage.environments.list(options)
            for env in items:
                if set(tags) <= set(env.tags):
                    yield env
            seen += len(items)
            if not items or options.offset + len(items) >= total:
                return
            options = options.model_copy(update={"page": options.page + 1})

    async def _next_free_at(self, environment_ids: list[str]) -> str | None:
        held = await self.current_and_next(environment_ids)
        ends = [entry.current.end for entry in held.values() if entry.current is not None]
        return format_utc(min(ends)) if ends else None

    def _count_claim(self, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.count_claim(outcome)

    # ---- shared --------------------------------------------------------------------------------

    def _refuse_if_over(self, reservation: Reservation) -> None:
        status = reservation.status_at(self._clock())
        if status in (
            ReservationStatus.ENDED,
            ReservationStatus.RELEASED,
            ReservationStatus.BROKEN,
        ):
            raise ValidationFailed(f"the reservation is over ({status.value})")

    def _refuse_unless_holder_or_admin(self, actor: Principal, reservation: Reservation) -> None:
        if actor.role is Role.ADMIN:
            return
        if actor.role is Role.VIEWER or reservation.holder.user_id != actor.user_id:
            raise Forbidden("only the holder or an admin may change this reservation")

    def _changed(
        self,
        action: str,
        reservation: Reservation,
        actor: Principal | None,
        what: str,
        *,
        level: LogLevel = LogLevel.INFO,
    ) -> None:
        """Record and announce a change: activity entry, bus event, views' version."""
        self.version += 1
        who = actor.username if actor is not None else "Envdeck"
        self._activity.record(
            type=LogType.ACTION,
            action=f"reservation_{action}",
            level=level,
            message=f"{who} {what}" if actor is not None else what,
            environment_id=reservation.environment_id,
            environment_name=reservation.environment_name,
            user_id=actor.user_id if actor is not None else None,
            username=actor.username if actor is not None else None,
            details={
                "reservationId": reservation.id,
                "holder": reservation.holder.username,
                "purpose": reservation.purpose,
                "start": format_utc(reservation.start),
                "end": format_utc(reservation.end),
                **({"reason": reservation.break_reason} if reservation.break_reason else {}),
            },
        )
        self._bus.publish(ReservationUpdated(action=action, reservation=self.view(reservation)))
        log.info(
            "reservation_changed",
            action=action,
            reservation_id=reservation.id,
            environment_id=reservation.environment_id,
        )

    def announce_ended(self, reservation: Reservation) -> None:
        """Record and announce that a reservation reached its end (the expiry job)."""
        what = (
            f"{reservation.holder.username}'s reservation of {reservation.environment_name} ended"
        )
        self._changed("ended", reservation, None, what)


def _words(duration: timedelta) -> str:
    hours = duration.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    if hours >= 1 and hours == int(hours):
        return f"{int(hours)} hours"
    return f"{int(duration.total_seconds() // 60)} minutes"
