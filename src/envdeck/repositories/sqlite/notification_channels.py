"""Notification channels in SQLite: one document each, unique by name (the URL is sealed)."""

import builtins

from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.notification import (
    Delivery,
    NotificationChannel,
    NotificationChannelListOptions,
    NotificationChannelNotFound,
)
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, keeping


class SqliteNotificationChannelRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(
            db, "notification_channels", NotificationChannel, NotificationChannelNotFound
        )

    async def create(self, channel: NotificationChannel) -> NotificationChannel:
        now = utc_now()
        stored = channel.model_copy(
            update={"id": channel.id or new_id(), "created_at": now, "updated_at": now}
        )
        return await self._table.insert(stored)

    async def get_by_id(self, channel_id: str) -> NotificationChannel:
        return await self._table.get(channel_id)

    async def list(
        self, options: NotificationChannelListOptions
    ) -> tuple[list[NotificationChannel], int]:
        if options.enabled is None:
            return await self._table.page("1", (), "name, id", options)
        return await self._table.page("enabled = ?", (int(options.enabled),), "name, id", options)

    async def list_enabled(self) -> builtins.list[NotificationChannel]:
        sql = "SELECT id, doc FROM notification_channels WHERE enabled = 1 ORDER BY name, id"
        rows = await self._table.db.run(lambda conn: conn.execute(sql).fetchall())
        return [self._table.load(*row) for row in rows]

    async def update(self, channel: NotificationChannel) -> NotificationChannel:
        stored = channel.model_copy(update={"updated_at": utc_now()})
        return await self._table.replace(
            channel.id, keeping("$.createdAt", "$.createdBy", "$.lastDelivery"), (dump(stored),)
        )

    async def set_last_delivery(self, channel_id: str, delivery: Delivery) -> None:
        await self._table.replace_or_none(
            channel_id,
            "json_set(doc, '$.lastDelivery', json(?))",
            (delivery.model_dump_json(by_alias=True),),
        )

    async def delete(self, channel_id: str) -> None:
        await self._table.delete(channel_id)
