"""Status pages in MongoDB, unique by slug."""

from pymongo import ASCENDING, IndexModel

from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.status_page import StatusPage, StatusPageListOptions, StatusPageNotFound
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    to_document,
)

INDEXES = [
    IndexModel([("slug", ASCENDING)], unique=True),
    IndexModel([("public", ASCENDING), ("slug", ASCENDING)]),
]
_SORT = [("slug", ASCENDING)]


class MongoStatusPageRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, StatusPage, StatusPageNotFound, "status page", INDEXES
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, page: StatusPage) -> StatusPage:
        stored = page.model_copy(deep=True)
        stored.id = new_id()
        stored.created_at = stored.updated_at = utc_now()
        return await self._documents.insert(stored)

    async def get_by_id(self, page_id: str) -> StatusPage:
        return await self._documents.get(page_id)

    async def get_by_slug(self, slug: str) -> StatusPage:
        return await self._documents.find_one({"slug": slug})

    async def list(self, options: StatusPageListOptions) -> tuple[list[StatusPage], int]:
        query: Document = {} if options.public is None else {"public": options.public}
        return await self._documents.page(query, _SORT, options)

    async def update(self, page: StatusPage) -> StatusPage:
        fields = to_document(page, exclude={"created_at", "created_by"})
        fields["updatedAt"] = utc_now()
        return await self._documents.find_one_and_update(page.id, {"$set": fields})

    async def delete(self, page_id: str) -> None:
        await self._documents.delete(page_id)
