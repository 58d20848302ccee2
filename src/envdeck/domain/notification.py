"""Notification channels: where alerts go (an Apprise URL), which events, for which environments.

The URL is a secret (webhook tokens, passwords): it is stored sealed and never leaves the
services layer; the API shows only its scheme (`service`). docs/notifications.md has the rest.
"""

import re
from enum import StrEnum
from typing import Annotated, Final, Literal, Self

from pydantic import Field, WithJsonSchema, field_validator, model_validator
from typing_extensions import TypeAliasType

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime
from envdeck.domain.errors import NotFound
from envdeck.domain.maintenance import CreatedBy, ScopeEnvironmentIds, ScopeTags

CHANNEL_NAME_MAX = 100
URL_MAX = 2048
ERROR_MAX = 500


class NotificationChannelNotFound(NotFound):
    default_message = "notification channel not found"


class NotificationEvent(StrEnum):
    """What a channel may ask to hear about."""

    ENVIRONMENT_UNHEALTHY = "environment.unhealthy"
    ENVIRONMENT_RECOVERED = "environment.recovered"
    OPERATION_FAILED = "operation.failed"
    OPERATION_SUCCEEDED = "operation.succeeded"
    VERSION_CHANGED = "version.changed"
    RESERVATION_EXPIRING = "reservation.expiring"
    RESERVATION_ENDED = "reservation.ended"
    RESERVATION_BROKEN = "reservation.broken"
    ENVIRONMENT_FREE = "environment.free"
    PROMOTION_AWAITING_APPROVAL = "promotion.awaiting_approval"
    PROMOTION_SUCCEEDED = "promotion.succeeded"
    PROMOTION_FAILED = "promotion.failed"


EVENT_DESCRIPTIONS: dict[NotificationEvent, str] = {
    NotificationEvent.ENVIRONMENT_UNHEALTHY: (
        "An environment became unhealthy; reminders follow while it stays unhealthy."
    ),
    NotificationEvent.ENVIRONMENT_RECOVERED: "An environment is healthy again after an alert.",
    NotificationEvent.OPERATION_FAILED: (
        "A restart, upgrade or rollback failed, timed out, was cancelled or interrupted."
    ),
    NotificationEvent.OPERATION_SUCCEEDED: (
        "A restart, upgrade or rollback finished and was verified."
    ),
    NotificationEvent.VERSION_CHANGED: "An environment reports another version than before.",
    NotificationEvent.RESERVATION_EXPIRING: (
        "A reservation ends soon (reservations.reminderBefore): a reminder to its holder."
    ),
    NotificationEvent.RESERVATION_ENDED: "A reservation reached its end.",
    NotificationEvent.RESERVATION_BROKEN: "An admin broke a reservation (with the reason).",
    NotificationEvent.ENVIRONMENT_FREE: (
        "A reservation that someone asked to be told about stopped holding its environment."
    ),
    NotificationEvent.PROMOTION_AWAITING_APPROVAL: (
        "A promotion waits for an admin's approval before it upgrades its stage."
    ),
    NotificationEvent.PROMOTION_SUCCEEDED: "A promotion upgraded every environment of its stage.",
    NotificationEvent.PROMOTION_FAILED: (
        "A promotion failed (and rolled its stage back, when set to) or was rejected."
    ),
}


# What a channel's test message carries in place of an event.
TEST_MESSAGE: Final = "test"

# What a delivery carried: one of the events, or a test message. The events are the one enum
# above; the API names this type on its own (a schema of its own, every value listed).
DeliveryEvent = TypeAliasType(
    "DeliveryEvent",
    Annotated[
        NotificationEvent | Literal["test"],
        WithJsonSchema(
            {
                "description": "What a delivery carried: one of the events, or a test message.",
                "enum": [*(event.value for event in NotificationEvent), TEST_MESSAGE],
                "title": "DeliveryEvent",
                "type": "string",
            }
        ),
    ],
)


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"


class ScopeKind(StrEnum):
    ALL = "all"
    TAGS = "tags"
    ENVIRONMENTS = "environments"


class ChannelScope(DomainModel):
    """Which environments a channel hears about: all, those with one of these tags, or these."""

    kind: ScopeKind = ScopeKind.ALL
    tags: ScopeTags = Field(default_factory=list)
    environment_ids: ScopeEnvironmentIds = Field(default_factory=list)

    @model_validator(mode="after")
    def _matches_kind(self) -> Self:
        if self.kind is ScopeKind.TAGS and not self.tags:
            raise ValueError("a scope of kind tags needs at least one tag")
        if self.kind is ScopeKind.ENVIRONMENTS and not self.environment_ids:
            raise ValueError("a scope of kind environments needs at least one environment id")
        return self

    def covers(self, environment_id: str, tags: list[str]) -> bool:
        """Tell whether an environment with this id and these tags is in scope."""
        if self.kind is ScopeKind.ALL:
            return True
        if self.kind is ScopeKind.TAGS:
            return not set(tags).isdisjoint(self.tags)
        return environment_id in self.environment_ids


class Delivery(DomainModel):
    """The outcome of one delivery to a channel (after its retries)."""

    at: UtcDatetime
    event: DeliveryEvent
    status: DeliveryStatus
    attempts: int = Field(ge=0)
    # Masked: never the channel's URL nor any part of it.
    error: str | None = Field(default=None, max_length=ERROR_MAX)
    environment_id: str | None = None
    environment_name: str | None = None


def _unique_events(events: list[NotificationEvent]) -> list[NotificationEvent]:
    return list(dict.fromkeys(events))


class NotificationChannelSpec(DomainModel):
    """What an admin sets on a channel, besides its URL."""

    name: str = Field(min_length=1, max_length=CHANNEL_NAME_MAX)
    events: list[NotificationEvent] = Field(min_length=1, max_length=len(NotificationEvent))
    scope: ChannelScope = Field(default_factory=ChannelScope)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _trimmed(cls, name: str) -> str:
        name = name.strip()
        if not name:
            raise ValueError("the name must not be blank")
        if re.search(r"[\x00-\x1f\x7f]", name):
            raise ValueError("the name must not hold control characters")
        return name

    @field_validator("events")
    @classmethod
    def _dedupe(cls, events: list[NotificationEvent]) -> list[NotificationEvent]:
        return _unique_events(events)


class NotificationChannel(NotificationChannelSpec):
    """A stored channel; `url` is the sealed Apprise URL (never serialised by the API)."""

    id: str = ""
    url: str = Field(repr=False)
    # The Apprise URL's scheme (slack, mailto, json, …): what the API shows of the URL.
    service: str = Field(max_length=40)
    created_by: CreatedBy = Field(default_factory=CreatedBy)
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    last_delivery: Delivery | None = None

    def wants(self, event: NotificationEvent, environment_id: str, tags: list[str]) -> bool:
        """Tell whether this channel is enabled for this event about this environment."""
        return self.enabled and event in self.events and self.scope.covers(environment_id, tags)


class NotificationChannelListOptions(PageOptions):
    enabled: bool | None = None
