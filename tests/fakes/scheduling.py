"""Maintenance windows and notification channels in memory: small collections by name."""

import builtins

from envdeck.domain.ids import new_id
from envdeck.domain.maintenance import (
    MaintenanceWindow,
    MaintenanceWindowListOptions,
    MaintenanceWindowNotFound,
)
from envdeck.domain.notification import (
    Delivery,
    NotificationChannel,
    NotificationChannelListOptions,
    NotificationChannelNotFound,
)
from tests.fakes.documents import Clock, Documents, Outage, now_from, page


class FakeMaintenanceWindowRepository:
    def __init__(self, outage: Outage | None = None, clock: Clock | None = None) -> None:
        self.outage = outage or Outage()
        self._now = now_from(clock)
        self.docs: Documents[MaintenanceWindow] = Documents(MaintenanceWindowNotFound, self.outage)

    def _by_name(self) -> builtins.list[MaintenanceWindow]:
        return sorted(self.docs.all(), key=lambda w: (w.name, w.id))

    async def create(self, window: MaintenanceWindow) -> MaintenanceWindow:
        now = self._now()
        stored = window.model_copy(update={"id": new_id(), "created_at": now, "updated_at": now})
        return self.docs.insert(stored.id, stored)

    async def get_by_id(self, window_id: str) -> MaintenanceWindow:
        return self.docs.get(window_id)

    async def list(
        self, options: MaintenanceWindowListOptions
    ) -> tuple[builtins.list[MaintenanceWindow], int]:
        wanted = options.enabled
        return page((w for w in self._by_name() if wanted in (None, w.enabled)), options)

    async def list_covering(
        self, environment_id: str, tags: builtins.list[str]
    ) -> builtins.list[MaintenanceWindow]:
        return [w for w in self._by_name() if w.enabled and w.scope.covers(environment_id, tags)]

    async def update(self, window: MaintenanceWindow) -> MaintenanceWindow:
        stored = self.docs.get(window.id)
        kept = {"created_at": stored.created_at, "created_by": stored.created_by}
        return self.docs.put(
            window.id, window.model_copy(update=kept | {"updated_at": self._now()})
        )

    async def delete(self, window_id: str) -> None:
        self.docs.delete(window_id)


class FakeNotificationChannelRepository:
    def __init__(self, outage: Outage | None = None, clock: Clock | None = None) -> None:
        self.outage = outage or Outage()
        self._now = now_from(clock)
        self.docs: Documents[NotificationChannel] = Documents(
            NotificationChannelNotFound, self.outage, unique={"name": lambda c: c.name}
        )

    def _by_name(self) -> builtins.list[NotificationChannel]:
        return sorted(self.docs.all(), key=lambda c: (c.name, c.id))

    async def create(self, channel: NotificationChannel) -> NotificationChannel:
        now = self._now()
        stored = channel.model_copy(update={"id": new_id(), "created_at": now, "updated_at": now})
        return self.docs.insert(stored.id, stored)

    async def get_by_id(self, channel_id: str) -> NotificationChannel:
        return self.docs.get(channel_id)

    async def list(
        self, options: NotificationChannelListOptions
    ) -> tuple[builtins.list[NotificationChannel], int]:
        wanted = options.enabled
        return page((c for c in self._by_name() if wanted in (None, c.enabled)), options)

    async def list_enabled(self) -> builtins.list[NotificationChannel]:
        return [c for c in self._by_name() if c.enabled]

    async def update(self, channel: NotificationChannel) -> NotificationChannel:
        stored = self.docs.get(channel.id)
        kept = {
            "created_at": stored.created_at,
            "created_by": stored.created_by,
            "last_delivery": stored.last_delivery,
            "updated_at": self._now(),
        }
        return self.docs.put(channel.id, channel.model_copy(update=kept))

    async def set_last_delivery(self, channel_id: str, delivery: Delivery) -> None:
        if self.docs.has(channel_id):  # deleted meanwhile: ignored
            channel = self.docs.get(channel_id)
            self.docs.put(channel_id, channel.model_copy(update={"last_delivery": delivery}))

    async def delete(self, channel_id: str) -> None:
        self.docs.delete(channel_id)
