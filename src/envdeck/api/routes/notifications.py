"""Notification channels (admin): Apprise URLs sealed and never shown (docs/notifications.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from envdeck.adapters.secret_box import MASK
from envdeck.api.deps import AdminPrincipal, NotificationChannelsDep
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.maintenance import CreatedBy
from envdeck.domain.notification import (
    CHANNEL_NAME_MAX,
    EVENT_DESCRIPTIONS,
    URL_MAX,
    ChannelScope,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    NotificationChannel,
    NotificationChannelListOptions,
    NotificationChannelSpec,
    NotificationEvent,
)

router = APIRouter(prefix="/notifications", tags=["notifications"])

AppriseUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=URL_MAX,
        description="An Apprise URL (slack://…, mailto://…, json://host/path); write-only.",
        examples=["json://hooks.example.com/envdeck"],
    ),
]


class NotificationChannelCreate(NotificationChannelSpec):
    url: AppriseUrl


class NotificationChannelPatch(ApiModel):
    """Fields to change; an absent, empty or "********" url keeps the stored one."""

    name: str | None = Field(default=None, min_length=1, max_length=CHANNEL_NAME_MAX)
    url: str | None = Field(default=None, max_length=URL_MAX, description="Write-only.")
    events: list[NotificationEvent] | None = Field(
        default=None, min_length=1, max_length=len(NotificationEvent)
    )
    scope: ChannelScope | None = None
    enabled: bool | None = None


class NotificationChannelPublic(ApiModel):
    """A channel as the API shows it: never its URL, only the URL's scheme (`service`)."""

    id: str
    name: str
    service: str = Field(examples=["slack"])
    events: list[NotificationEvent]
    scope: ChannelScope
    enabled: bool
    created_by: CreatedBy
    created_at: UtcDatetime | None
    updated_at: UtcDatetime | None
    last_delivery: Delivery | None

    @classmethod
    def of(cls, channel: NotificationChannel) -> "NotificationChannelPublic":
        return cls.model_validate(channel.model_dump(exclude={"url"}))


class NotificationChannelList(ApiModel):
    channels: list[NotificationChannelPublic]
    pagination: Pagination


class DeliveryResult(ApiModel):
    """The outcome of a test message (also stored as the channel's lastDelivery)."""

    at: UtcDatetime
    event: DeliveryEvent
    status: DeliveryStatus
    attempts: int
    error: str | None


class NotificationEventInfo(ApiModel):
    name: NotificationEvent
    description: str


class NotificationEventList(ApiModel):
    events: list[NotificationEventInfo]


@router.get(
    "/events",
    response_model=NotificationEventList,
    responses=error_responses(401, 403),
    summary="List the events a channel may subscribe to",
)
async def list_notification_events(_admin: AdminPrincipal) -> NotificationEventList:
    return NotificationEventList(
        events=[
            NotificationEventInfo(name=event, description=EVENT_DESCRIPTIONS[event])
            for event in NotificationEvent
        ]
    )


@router.get(
    "/channels",
    response_model=NotificationChannelList,
    responses=error_responses(401, 403),
    summary="List notification channels",
)
async def list_notification_channels(
    _admin: AdminPrincipal,
    channels: NotificationChannelsDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
    enabled: bool | None = None,
) -> NotificationChannelList:
    options = NotificationChannelListOptions(page=page, limit=limit, enabled=enabled)
    found, total = await channels.list_channels(options)
    return NotificationChannelList(
        channels=[NotificationChannelPublic.of(channel) for channel in found],
        pagination=pagination(page, limit, total),
    )


@router.post(
    "/channels",
    response_model=NotificationChannelPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Add a notification channel (its URL is encrypted and never shown)",
)
async def create_notification_channel(
    body: NotificationChannelCreate, admin: AdminPrincipal, channels: NotificationChannelsDep
) -> NotificationChannelPublic:
    spec = NotificationChannelSpec.model_validate(body.model_dump(exclude={"url"}))
    channel = await channels.create_channel(admin, spec, body.url)
    return NotificationChannelPublic.of(channel)


@router.get(
    "/channels/{channel_id}",
    response_model=NotificationChannelPublic,
    responses=error_responses(401, 403, 404),
    summary="Get a notification channel",
)
async def get_notification_channel(
    channel_id: str, _admin: AdminPrincipal, channels: NotificationChannelsDep
) -> NotificationChannelPublic:
    channel = await channels.get_channel(channel_id)
    return NotificationChannelPublic.of(channel)


@router.patch(
    "/channels/{channel_id}",
    response_model=NotificationChannelPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Change some fields of a notification channel",
)
async def update_notification_channel(
    channel_id: str,
    body: NotificationChannelPatch,
    admin: AdminPrincipal,
    channels: NotificationChannelsDep,
) -> NotificationChannelPublic:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"url"})
    url = body.url if body.url not in (None, "", MASK) else None
    channel = await channels.update_channel(admin, channel_id, changes, url)
    return NotificationChannelPublic.of(channel)


@router.delete(
    "/channels/{channel_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
    summary="Delete a notification channel",
)
async def delete_notification_channel(
    channel_id: str, admin: AdminPrincipal, channels: NotificationChannelsDep
) -> Response:
    await channels.delete_channel(admin, channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/channels/{channel_id}/test",
    response_model=DeliveryResult,
    responses=error_responses(401, 403, 404),
    summary="Send a test message now and return the result",
)
async def test_notification_channel(
    channel_id: str, admin: AdminPrincipal, channels: NotificationChannelsDep
) -> DeliveryResult:
    delivery = await channels.test_channel(admin, channel_id)
    return DeliveryResult.model_validate(
        delivery.model_dump(include=set(DeliveryResult.model_fields))
    )
