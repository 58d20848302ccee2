"""Reservations end by themselves: the expiry job.

Every `reservations.expiryInterval`, on one instance at a time (the lease `job:reservations`),
`run_once()` reads the reservations due a reminder (`reminderBefore` before their end) or past
their end. Each step is taken by a compare-and-set on the reservation's `expiry`
(pending → reminded → ended), so a reminder or an end is announced once even when a lease
changes hands mid-run: the end as an activity entry, a `reservation_update` message and the
`reservation.ended` event; the reminder as `reservation.expiring`; watchers get
`environment.free`.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog

from envdeck.adapters.metrics import Metrics
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.config import ReservationsSettings
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.reservation import ExpiryState, Reservation, ReservationListOptions
from envdeck.repositories.base import ReservationRepository
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.reservations.notices import Notices
from envdeck.services.reservations.service import ReservationService

log = structlog.get_logger(__name__)

LEASE = "job:reservations"
BATCH = 200


class ReservationExpiry:
    def __init__(
        self,
        service: ReservationService,
        repository: ReservationRepository,
        notices: Notices,
        clock: Callable[[], datetime],
        settings: ReservationsSettings,
        *,
        leases: LeaseKeeper | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._service = service
        self._repository = repository
        self._notices = notices
        self._clock = clock
        self._settings = settings
        self._leases = leases
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Remind and end what is due now; return how many steps were taken here."""
        if self._leases is not None and not await self._leases.acquire(LEASE):
            return 0
        now = self._clock()
        steps = 0
        due = await self._repository.list_expiring(now + self._settings.reminder_before, BATCH)
        for reservation in due:
            if reservation.end <= now:
                # The compare-and-set makes this run the one that announces the end.
                if await self._repository.advance_expiry(
                    reservation.id, reservation.expiry, ExpiryState.ENDED
                ):
                    steps += 1
                    self._service.announce_ended(reservation)
                    await self._notices.ended(reservation)
                    await self._notices.freed(reservation)
            elif (
                reservation.expiry is ExpiryState.PENDING
                and await self._repository.advance_expiry(
                    reservation.id, ExpiryState.PENDING, ExpiryState.REMINDED
                )
            ):
                steps += 1
                if self._worth_a_reminder(reservation):
                    await self._notices.expiring(reservation)
        if self._metrics is not None:
            _, active = await self._repository.list(
                ReservationListOptions(active=True, at=now, limit=1)
            )
            self._metrics.set_active_reservations(active)
        return steps

    def _worth_a_reminder(self, reservation: Reservation) -> bool:
        """A reservation made less than reminderBefore before its end is not reminded: its
        holder just chose that end."""
        made = reservation.created_at
        return made is None or made < reservation.end - self._settings.reminder_before

    def start(self) -> None:
        """Start the job (the first run at once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="reservations-expiry")

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except StorageUnavailable:
                log.warning("reservation_expiry_skipped", reason="storage unavailable")
            except Exception:
                log.exception("reservation_expiry_failed")
            await asyncio.sleep(self._settings.expiry_interval.total_seconds())
