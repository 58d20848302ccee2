"""Notification channels in MongoDB, unique by name; the URL arrives already sealed."""

import builtins

from pymongo import ASCENDING, IndexModel

from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.notification import (
    Delivery,
    NotificationChannel,
    NotificationChannelListOptions,
    NotificationChannelNotFound,
)
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    object_id,
    to_document,
)

INDEXES = [
    IndexModel([("name", ASCENDING)], unique=True),
    IndexModel([("enabled", ASCENDING), ("name", ASCENDING)]),
]
_SORT = [("name", ASCENDING), ("_id", ASCENDING)]


class MongoNotificationChannelRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection,
            NotificationChannel,
            NotificationChannelNotFound,
            "notification channel",
            INDEXES,
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, channel: NotificationChannel) -> NotificationChannel:
        stored = channel.model_copy(deep=True)
        stored.id = channel.id or new_id()
        stored.created_at = stored.updated_at = utc_now()
        return await self._documents.insert(stored)

    async def get_by_id(self, channel_id: str) -> NotificationChannel:
        return await self._documents.get(channel_id)

    async def list(
        self, options: NotificationChannelListOptions
    ) -> tuple[list[NotificationChannel], int]:
        query: Document = {} if options.enabled is None else {"enabled": options.enabled}
        return await self._documents.page(query, _SORT, options)

    async def list_enabled(self) -> builtins.list[NotificationChannel]:
        documents = self._documents
        with documents.translate_errors():
            found = await documents.collection.find({"enabled": True}).sort(_SORT).to_list()
        return [documents.load(document) for document in found]

    async def update(self, channel: NotificationChannel) -> NotificationChannel:
        fields = to_document(channel, exclude={"created_at", "created_by", "last_delivery"})
        fields["updatedAt"] = utc_now()
        return await self._documents.find_one_and_update(channel.id, {"$set": fields})

    async def set_last_delivery(self, channel_id: str, delivery: Delivery) -> None:
        oid = object_id(channel_id)
        if oid is None:
            return
        documents = self._documents
        with documents.translate_errors():
            await documents.collection.update_one(
                {"_id": oid}, {"$set": {"lastDelivery": to_document(delivery)}}
            )

    async def delete(self, channel_id: str) -> None:
        await self._documents.delete(channel_id)
