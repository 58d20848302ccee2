"""What the notification channels that route promotion events are told.

A promotion's message goes out as one announcement, under a key of its own (the promotion and
the event), routed by the tags of its stage's environments like an environment's alert.
"""

from collections.abc import Callable

import structlog

from envdeck.domain.environment import EnvironmentListOptions
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.notification import NotificationEvent
from envdeck.domain.promotion import Promotion
from envdeck.repositories.base import EnvironmentRepository
from envdeck.services.notifications.outbox import Announcement, Outbox
from envdeck.services.notifications.sender import Message, MessageKind

log = structlog.get_logger(__name__)


class PromotionNotices:
    """Turns promotion changes into outbox announcements (nothing without an outbox)."""

    def __init__(
        self,
        environments: EnvironmentRepository,
        outbox: Callable[[], Outbox | None] = lambda: None,
    ) -> None:
        self._environments = environments
        self._outbox = outbox

    async def awaiting_approval(self, p: Promotion) -> None:
        await self._announce(
            p,
            NotificationEvent.PROMOTION_AWAITING_APPROVAL,
            Message(
                f"Promotion of {p.version} to {_where(p)} awaits approval",
                f"{p.requested_by.username} asks to promote {p.version} to {_where(p)}"
                f" ({len(p.targets)} environments). An admin other than"
                f" {p.requested_by.username} approves or rejects it under Pipelines.",
                MessageKind.WARNING,
            ),
        )

    async def succeeded(self, p: Promotion) -> None:
        await self._announce(
            p,
            NotificationEvent.PROMOTION_SUCCEEDED,
            Message(
                f"{p.version} promoted to {_where(p)}",
                f"{p.message}. Requested by {p.requested_by.username}.",
                MessageKind.SUCCESS,
            ),
        )

    async def failed(self, p: Promotion) -> None:
        await self._announce(
            p,
            NotificationEvent.PROMOTION_FAILED,
            Message(
                f"Promotion of {p.version} to {_where(p)} failed",
                f"{p.message}. Requested by {p.requested_by.username}.",
                MessageKind.FAILURE,
            ),
        )

    async def _announce(self, p: Promotion, event: NotificationEvent, message: Message) -> None:
        outbox = self._outbox()
        if outbox is None or not p.targets:
            return
        try:
            ids = [t.environment_id for t in p.targets]
            found = await self._environments.find(EnvironmentListOptions(ids=ids, limit=200))
            tags = sorted({tag for env in found for tag in env.tags})
            first = p.targets[0]
            announcement = Announcement(
                key=f"promotion:{p.id}:{event.value}",
                event=event,
                message=message,
                environment_id=first.environment_id,
                environment_name=_where(p),
                tags=tags,
            )
            await outbox.send(await outbox.record(announcement))
        except StorageUnavailable:
            log.warning("promotion_notice_unsent", event=event.value, promotion_id=p.id)


def _where(p: Promotion) -> str:
    return f"{p.pipeline_name}/{p.stage}"
