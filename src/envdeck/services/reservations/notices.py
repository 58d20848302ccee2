"""What the notification channels that route reservation events are told.

Channels are shared (a team's chat), so a message names whom it is for: the holder of a
reservation about to end or broken, the users who asked to be told when an environment is free.
Each message is recorded in the outbox under a key of its own (the reservation and the event),
so of instances noticing the same thing one sends it.
"""

from collections.abc import Callable

import structlog

from envdeck.domain.base import format_utc
from envdeck.domain.errors import EnvironmentNotFound, StorageUnavailable
from envdeck.domain.notification import NotificationEvent
from envdeck.domain.reservation import Reservation
from envdeck.repositories.base import EnvironmentRepository
from envdeck.services.notifications.outbox import Announcement, Outbox
from envdeck.services.notifications.sender import Message, MessageKind

log = structlog.get_logger(__name__)


class Notices:
    """Turns reservation events into outbox announcements (nothing without an outbox)."""

    def __init__(
        self,
        environments: EnvironmentRepository,
        outbox: Callable[[], Outbox | None] = lambda: None,
    ) -> None:
        self._environments = environments
        self._outbox = outbox

    async def expiring(self, reservation: Reservation) -> None:
        r = reservation
        await self._announce(
            r,
            NotificationEvent.RESERVATION_EXPIRING,
            Message(
                f"Reservation of {r.environment_name} ends at {format_utc(r.end)}",
                f"@{r.holder.username}: your reservation of {r.environment_name}"
                f" ({r.purpose}) ends at {format_utc(r.end)}. Extend it or release it.",
                MessageKind.WARNING,
            ),
        )

    async def ended(self, reservation: Reservation) -> None:
        r = reservation
        await self._announce(
            r,
            NotificationEvent.RESERVATION_ENDED,
            Message(
                f"Reservation of {r.environment_name} ended",
                f"@{r.holder.username}: your reservation of {r.environment_name}"
                f" ({r.purpose}) ended at {format_utc(r.end)}.",
            ),
        )

    async def broken(self, reservation: Reservation) -> None:
        r = reservation
        by = r.released_by.username if r.released_by else "an admin"
        await self._announce(
            r,
            NotificationEvent.RESERVATION_BROKEN,
            Message(
                f"Reservation of {r.environment_name} broken by {by}",
                f"@{r.holder.username}: {by} broke your reservation of {r.environment_name}"
                f" ({r.purpose}): {r.break_reason}",
                MessageKind.WARNING,
            ),
        )

    async def freed(self, reservation: Reservation) -> None:
        """Tell the users watching the reservation that its environment is free."""
        r = reservation
        if not r.watchers:
            return
        names = ", ".join(f"@{w.username}" for w in r.watchers)
        await self._announce(
            r,
            NotificationEvent.ENVIRONMENT_FREE,
            Message(
                f"{r.environment_name} is free",
                f"{names}: {r.environment_name} is free now ({r.holder.username}'s"
                f" reservation for {r.purpose} is over).",
                MessageKind.SUCCESS,
            ),
        )

    async def _announce(
        self, reservation: Reservation, event: NotificationEvent, message: Message
    ) -> None:
        outbox = self._outbox()
        if outbox is None:
            return
        try:
            tags = (await self._environments.get_by_id(reservation.environment_id)).tags
        except EnvironmentNotFound:
            tags = []
        announcement = Announcement(
            key=f"reservation:{reservation.id}:{event.value}",
            event=event,
            message=message,
            environment_id=reservation.environment_id,
            environment_name=reservation.environment_name,
            tags=tags,
        )
        try:
            await outbox.send(await outbox.record(announcement))
        except StorageUnavailable:
            log.warning(
                "reservation_notice_unsent", event=event.value, reservation_id=reservation.id
            )
