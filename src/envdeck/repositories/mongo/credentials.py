"""Credentials of the vault in MongoDB, unique by name; secrets arrive already encrypted."""

from pymongo import ASCENDING, IndexModel, ReturnDocument

from envdeck.domain.clock import utc_now
from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.errors import CredentialNotFound
from envdeck.domain.ids import new_id
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    find_page,
    object_id,
    to_document,
    to_model,
    translate_errors,
)

INDEXES = [
    IndexModel([("name", ASCENDING)], unique=True),
    IndexModel([("type", ASCENDING), ("name", ASCENDING)]),
]

_ENTITY = "credential"


class MongoCredentialRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        await self._collection.create_indexes(INDEXES)

    async def create(self, credential: Credential) -> Credential:
        stored = credential.model_copy(deep=True)
        stored.id = new_id()
        stored.created_at = stored.updated_at = utc_now()
        with translate_errors(_ENTITY):
            await self._collection.insert_one({"_id": object_id(stored.id), **to_document(stored)})
        return stored

    async def get_by_id(self, credential_id: str) -> Credential:
        oid = object_id(credential_id)
        if oid is None:
            raise CredentialNotFound
        return await self._find_one({"_id": oid})

    async def get_by_name(self, name: str) -> Credential:
        return await self._find_one({"name": name})

    async def list(self, options: CredentialListOptions) -> tuple[list[Credential], int]:
        query: Document = {} if options.type is None else {"type": options.type.value}
        with translate_errors(_ENTITY):
            documents, total = await find_page(
                self._collection, query, [("name", ASCENDING)], options
            )
        return [to_model(Credential, doc) for doc in documents], total

    async def update(self, credential: Credential) -> Credential:
        oid = object_id(credential.id)
        if oid is None:
            raise CredentialNotFound
        fields = to_document(credential, exclude={"created_at"})
        fields["updatedAt"] = utc_now()
        with translate_errors(_ENTITY):
            document = await self._collection.find_one_and_update(
                {"_id": oid}, {"$set": fields}, return_document=ReturnDocument.AFTER
            )
        if document is None:
            raise CredentialNotFound
        return to_model(Credential, document)

    async def delete(self, credential_id: str) -> None:
        oid = object_id(credential_id)
        if oid is None:
            raise CredentialNotFound
        with translate_errors(_ENTITY):
            result = await self._collection.delete_one({"_id": oid})
        if result.deleted_count == 0:
            raise CredentialNotFound

    async def _find_one(self, query: Document) -> Credential:
        with translate_errors(_ENTITY):
            document = await self._collection.find_one(query)
        if document is None:
            raise CredentialNotFound
        return to_model(Credential, document)
