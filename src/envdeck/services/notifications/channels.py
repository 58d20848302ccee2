"""Notification channels: their CRUD (admins), their test message, and the enabled ones.

A channel's URL is checked by Apprise, sealed with the SecretBox and never returned, logged,
broadcast or put in the activity log: entries name the channel and its service (the URL's
scheme) only. On update an absent URL keeps the stored one.
"""

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.auth import Principal
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogType
from envdeck.domain.maintenance import CreatedBy
from envdeck.domain.notification import (
    TEST_MESSAGE,
    Delivery,
    NotificationChannel,
    NotificationChannelListOptions,
    NotificationChannelSpec,
)
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.notifications.delivery import DeliveryQueue, Job, channel_url_context
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.sender import AppriseSender

# Alerting reads the enabled channels this often at most (changes made here apply at once).
CHANNEL_CACHE_SECONDS = 5.0


class NotificationChannelService:
    def __init__(
        self,
        storage: Storage,
        activity: ActivityLog,
        box: SecretBox,
        sender: AppriseSender,
        deliveries: DeliveryQueue,
        messages: Messages,
        clock: Callable[[], datetime],
    ) -> None:
        self._channels = storage.notification_channels
        self._activity = activity
        self._box = box
        self._sender = sender
        self._deliveries = deliveries
        self._messages = messages
        self._clock = clock
        self._enabled: list[NotificationChannel] | None = None
        self._enabled_at = 0.0

    async def list_channels(
        self, options: NotificationChannelListOptions
    ) -> tuple[list[NotificationChannel], int]:
        """Return one page of channels ordered by name, and the total."""
        return await self._channels.list(options)

    async def get_channel(self, channel_id: str) -> NotificationChannel:
        """Return the channel with this id."""
        return await self._channels.get_by_id(channel_id)

    async def create_channel(
        self, actor: Principal, spec: NotificationChannelSpec, url: str
    ) -> NotificationChannel:
        """Store a new channel once Apprise accepts its URL (ValidationFailed otherwise)."""
        service = await self._sender.check_url(url)
        channel_id = new_id()  # the sealed URL is bound to it
        channel = NotificationChannel(
            **spec.model_dump(),
            id=channel_id,
            url=self._box.seal(url, channel_url_context(channel_id)),
            service=service,
            created_by=CreatedBy(user_id=actor.user_id, username=actor.username),
        )
        created = await self._channels.create(channel)
        self._changed()
        self._record(actor, "notification_channel_create", "created", created)
        return created

    async def update_channel(
        self, actor: Principal, channel_id: str, changes: dict[str, Any], url: str | None
    ) -> NotificationChannel:
        """Change some fields of a channel; url None keeps the stored one."""
        stored = await self._channels.get_by_id(channel_id)
        current = stored.model_dump(include=set(NotificationChannelSpec.model_fields))
        spec = NotificationChannelSpec.model_validate(current | changes)
        update: dict[str, Any] = spec.model_dump()
        changed = [field for field, value in update.items() if current[field] != value]
        if url is not None:
            update["service"] = await self._sender.check_url(url)
            update["url"] = self._box.seal(url, channel_url_context(stored.id))
            changed.append("url")
        updated = await self._channels.update(
            NotificationChannel.model_validate(stored.model_dump() | update)
        )
        self._changed()
        self._record(actor, "notification_channel_update", "updated", updated, changed)
        return updated

    async def delete_channel(self, actor: Principal, channel_id: str) -> None:
        """Delete a channel."""
        stored = await self._channels.get_by_id(channel_id)
        await self._channels.delete(channel_id)
        self._changed()
        self._record(actor, "notification_channel_delete", "deleted", stored)

    async def test_channel(self, actor: Principal, channel_id: str) -> Delivery:
        """Send a test message now (one attempt, bounded by sendTimeout); store the result."""
        channel = await self._channels.get_by_id(channel_id)
        job = Job(
            channel_id=channel.id,
            channel_name=channel.name,
            service=channel.service,
            sealed_url=channel.url,
            event=TEST_MESSAGE,
            message=self._messages.test(channel.name, self._clock()),
        )
        return await self._deliveries.send_test(job, actor.user)

    async def enabled_channels(self) -> list[NotificationChannel]:
        """Return the enabled channels, read again at most every few seconds."""
        now = time.monotonic()
        if self._enabled is None or now - self._enabled_at > CHANNEL_CACHE_SECONDS:
            self._enabled = await self._channels.list_enabled()
            self._enabled_at = now
        return self._enabled

    def _changed(self) -> None:
        self._enabled = None

    def _record(
        self,
        actor: Principal,
        action: str,
        verb: str,
        channel: NotificationChannel,
        changed: list[str] | None = None,
    ) -> None:
        details: dict[str, Any] = {
            "channelId": channel.id,
            "channel": channel.name,
            "service": channel.service,
        }
        if changed is not None:
            details["changed"] = changed
        self._activity.record_by(
            actor.user,
            type=LogType.ACTION,
            action=action,
            message=f"{actor.username} {verb} notification channel {channel.name}",
            details=details,
        )
