"""Maintenance windows in MongoDB."""

import builtins

from pymongo import ASCENDING, IndexModel

from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.maintenance import (
    MaintenanceWindow,
    MaintenanceWindowListOptions,
    MaintenanceWindowNotFound,
)
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    to_document,
)

INDEXES = [
    IndexModel([("name", ASCENDING), ("_id", ASCENDING)]),
    IndexModel([("scope.environmentIds", ASCENDING)]),
    IndexModel([("scope.tags", ASCENDING)]),
]
_SORT = [("name", ASCENDING), ("_id", ASCENDING)]


class MongoMaintenanceWindowRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, MaintenanceWindow, MaintenanceWindowNotFound, "maintenance window", INDEXES
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, window: MaintenanceWindow) -> MaintenanceWindow:
        stored = window.model_copy(deep=True)
        stored.id = new_id()
        stored.created_at = stored.updated_at = utc_now()
        return await self._documents.insert(stored)

    async def get_by_id(self, window_id: str) -> MaintenanceWindow:
        return await self._documents.get(window_id)

    async def list(
        self, options: MaintenanceWindowListOptions
    ) -> tuple[list[MaintenanceWindow], int]:
        query: Document = {} if options.enabled is None else {"enabled": options.enabled}
        return await self._documents.page(query, _SORT, options)

    async def list_covering(
        self, environment_id: str, tags: builtins.list[str]
    ) -> builtins.list[MaintenanceWindow]:
        query: Document = {
            "enabled": True,
            "$or": [{"scope.environmentIds": environment_id}, {"scope.tags": {"$in": tags}}],
        }
        documents = self._documents
        with documents.translate_errors():
            found = await documents.collection.find(query).sort(_SORT).to_list()
        return [documents.load(document) for document in found]

    async def update(self, window: MaintenanceWindow) -> MaintenanceWindow:
        fields = to_document(window, exclude={"created_at", "created_by"})
        fields["updatedAt"] = utc_now()
        return await self._documents.find_one_and_update(window.id, {"$set": fields})

    async def delete(self, window_id: str) -> None:
        await self._documents.delete(window_id)
