"""Credentials of the vault in MongoDB, unique by name; secrets arrive already encrypted."""

from pymongo import ASCENDING, IndexModel

from envdeck.domain.clock import utc_now
from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.errors import CredentialNotFound
from envdeck.domain.ids import new_id
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    to_document,
)

INDEXES = [
    IndexModel([("name", ASCENDING)], unique=True),
    IndexModel([("type", ASCENDING), ("name", ASCENDING)]),
]


class MongoCredentialRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, Credential, CredentialNotFound, "credential", INDEXES
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, credential: Credential) -> Credential:
        stored = credential.model_copy(deep=True)
        stored.id = credential.id or new_id()
        stored.created_at = stored.updated_at = utc_now()
        return await self._documents.insert(stored)

    async def get_by_id(self, credential_id: str) -> Credential:
        return await self._documents.get(credential_id)

    async def get_by_name(self, name: str) -> Credential:
        return await self._documents.find_one({"name": name})

    async def list(self, options: CredentialListOptions) -> tuple[list[Credential], int]:
        query: Document = {} if options.type is None else {"type": options.type.value}
        return await self._documents.page(query, [("name", ASCENDING)], options)

    async def update(self, credential: Credential) -> Credential:
        fields = to_document(credential, exclude={"created_at"})
        fields["updatedAt"] = utc_now()
        return await self._documents.find_one_and_update(credential.id, {"$set": fields})

    async def delete(self, credential_id: str) -> None:
        await self._documents.delete(credential_id)
