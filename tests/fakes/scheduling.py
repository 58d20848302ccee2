"""Maintenance windows and notification channels in memory: small collections by name."""

import builtins
from typing import TypeVar

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
from tests.fakes.documents import FakeRepository, page

Named = TypeVar("Named", MaintenanceWindow, NotificationChannel)


class _ByName(FakeRepository[Named]):
    """A few entities listed by name, each enabled or not, their creation kept on update."""

    # Fields an update keeps from the stored entity (their writers are elsewhere).
    kept: tuple[str, ...] = ("created_at", "created_by")

    def by_name(self) -> builtins.list[Named]:
        return sorted(self.docs.all(), key=lambda item: (item.name, item.id))

    async def create(self, item: Named) -> Named:
        return self.insert_new(item, "created_at", "updated_at")

    async def list(
        self, options: MaintenanceWindowListOptions | NotificationChannelListOptions
    ) -> tuple[builtins.list[Named], int]:
        wanted = options.enabled
        return page((item for item in self.by_name() if wanted in (None, item.enabled)), options)

    async def update(self, item: Named) -> Named:
        stored = self.docs.get(item.id)
        kept = {name: getattr(stored, name) for name in self.kept}
        return self.docs.put(item.id, item.model_copy(update=kept | {"updated_at": self._now()}))


class FakeMaintenanceWindowRepository(_ByName[MaintenanceWindow]):
    not_found = MaintenanceWindowNotFound

    async def list_covering(
        self, environment_id: str, tags: builtins.list[str]
    ) -> builtins.list[MaintenanceWindow]:
        return [w for w in self.by_name() if w.enabled and w.scope.covers(environment_id, tags)]


class FakeNotificationChannelRepository(_ByName[NotificationChannel]):
    not_found = NotificationChannelNotFound
    unique = (("name", lambda c: c.name),)
    kept = ("created_at", "created_by", "last_delivery")

    async def create(self, item: NotificationChannel) -> NotificationChannel:
        # Its URL was sealed bound to this id.
        return self.insert_new(item, "created_at", "updated_at", keep_id=True)

    async def list_enabled(self) -> builtins.list[NotificationChannel]:
        return [c for c in self.by_name() if c.enabled]

    async def set_last_delivery(self, channel_id: str, delivery: Delivery) -> None:
        if self.docs.has(channel_id):  # deleted meanwhile: ignored
            channel = self.docs.get(channel_id)
            self.docs.put(channel_id, channel.model_copy(update={"last_delivery": delivery}))
