"""What every Mongo repository shares: model <-> document conversion, error mapping, and the
generic reads and writes of one collection (`MongoDocuments`); the repositories add their own
queries.

Documents keep the models' camelCase aliases as field names and native BSON dates; `_id` is an
ObjectId. Repositories may add shadow fields (lowercase keys, sort ranks) that exist only to be
indexed; they are stripped again before a document becomes a model.
"""

import asyncio
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from enum import Enum
from typing import Any, Generic, TypeVar

from bson import ObjectId
from bson.codec_options import TypeRegistry
from pydantic import AnyUrl
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, ProtocolError

from envdeck.domain.base import DomainModel, PageOptions
from envdeck.domain.errors import AlreadyExists, NotFound, StorageUnavailable
from envdeck.domain.ids import is_valid_id

Document = dict[str, Any]
MongoCollection = AsyncCollection[Document]
Sort = list[tuple[str, int]]

ModelT = TypeVar("ModelT", bound=DomainModel)

# Duplicate-key errors name the indexed field; report the field the caller set instead.
_FIELD_NAMES = {"_id": "id", "usernameKey": "username", "emailKey": "email"}

# No answer, or one that cannot be read (a conversation garbled by a connection cut mid-reply).
_UNAVAILABLE = (ConnectionFailure, ProtocolError)
# Errors by which a server says it cannot serve now, though it may soon: the codes PyMongo
# retries (HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress,
# PrimarySteppedDown, ExceededTimeLimit, SocketException, NotWritablePrimary,
# InterruptedAtShutdown, InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk,
# NotPrimaryOrSecondary, ReadConcernMajorityNotAvailableYet).
_TRANSIENT_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 134})


def _encode_fallback(value: Any) -> Any:
    # model_dump(mode="python") keeps pydantic URL objects, which BSON cannot encode by itself.
    if isinstance(value, AnyUrl):
        return str(value)
    # Durations (a stage's soakTime) are stored as seconds, which they are read back from.
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


TYPE_REGISTRY = TypeRegistry(fallback_encoder=_encode_fallback)


def object_id(value: str) -> ObjectId | None:
    """Return the ObjectId an id string names, or None when it is not shaped like an id."""
    return ObjectId(value) if is_valid_id(value) else None


def to_document(model: DomainModel, *, exclude: Collection[str] = ()) -> Document:
    """Return the fields of a model as a document, without its id."""
    return model.model_dump(by_alias=True, mode="python", exclude={"id", *exclude})


def to_model(
    model_type: type[ModelT], document: Mapping[str, Any], shadow: Collection[str] = ()
) -> ModelT:
    """Return the model a stored document holds, shadow fields left out."""
    fields = {key: value for key, value in document.items() if key != "_id" and key not in shadow}
    fields["id"] = str(document["_id"])
    return model_type.model_validate(fields)


def contains(text: str) -> dict[str, str]:
    """Return a query operator matching strings that contain text, ignoring case."""
    return {"$regex": re.escape(text), "$options": "i"}


def equality_query(pairs: Sequence[tuple[str, object]]) -> Document:
    """Return a query matching each field to its value, for the pairs whose value is set."""
    return {
        field: value.value if isinstance(value, Enum) else value
        for field, value in pairs
        if value is not None
    }


def _duplicate_field(error: Mapping[str, Any]) -> str:
    key_pattern = error.get("keyPattern")
    if isinstance(key_pattern, Mapping) and key_pattern:
        field = str(next(iter(key_pattern)))
    else:
        match = re.search(r"index: (\w+?)_-?1", str(error.get("errmsg", "")))
        field = match.group(1) if match else "value"
    return _FIELD_NAMES.get(field, field)


def _already_exists(entity: str, error: Mapping[str, Any]) -> AlreadyExists:
    field = _duplicate_field(error)
    article = "an" if entity[0].lower() in "aeiou" else "a"
    return AlreadyExists(f"{article} {entity} with this {field} already exists", {"field": field})


@contextmanager
def translate_errors(entity: str = "record") -> Iterator[None]:
    """Turn PyMongo's errors into domain errors: duplicates and an unreachable server."""
    try:
        yield
    except DuplicateKeyError as exc:
        raise _already_exists(entity, exc.details or {}) from exc
    except _UNAVAILABLE as exc:
        raise StorageUnavailable(details={"reason": type(exc).__name__}) from exc
    except OperationFailure as exc:
        if exc.code in _TRANSIENT_CODES:
            raise StorageUnavailable(details={"reason": exc.__class__.__name__}) from exc
        raise


class MongoDocuments(Generic[ModelT]):
    """A collection holding one model type; every call maps PyMongo's errors to domain errors.

    A missing document, or an id not shaped like an ObjectId (it cannot name one), raises
    not_found. entity names the model in "already exists" messages ("a user with this …").
    """

    def __init__(
        self,
        collection: MongoCollection,
        model: type[ModelT],
        not_found: type[NotFound],
        entity: str,
        indexes: Sequence[IndexModel],
        shadow: Collection[str] = (),
    ) -> None:
        self.collection = collection
        self.model = model
        self.not_found = not_found
        self.entity = entity
        self.indexes = list(indexes)
        self.shadow = shadow

    def translate_errors(self) -> AbstractContextManager[None]:
        return translate_errors(self.entity)

    def load(self, document: Mapping[str, Any]) -> ModelT:
        return to_model(self.model, document, self.shadow)

    def dump(self, entity: ModelT, extra: Document | None = None) -> Document:
        """Return the document stored for an entity: `_id`, its fields, then extra fields."""
        oid = object_id(entity.id)  # type: ignore[attr-defined]
        return {"_id": oid, **to_document(entity), **(extra or {})}

    def object_id(self, entity_id: str) -> ObjectId:
        oid = object_id(entity_id)
        if oid is None:
            raise self.not_found
        return oid

    async def create_indexes(self) -> None:
        await self.collection.create_indexes(self.indexes)

    async def insert(self, entity: ModelT, extra: Document | None = None) -> ModelT:
        with self.translate_errors():
            await self.collection.insert_one(self.dump(entity, extra))
        return entity

    async def find_one(self, query: Document) -> ModelT:
        with self.translate_errors():
            document = await self.collection.find_one(query)
        if document is None:
            raise self.not_found
        return self.load(document)

    async def get(self, entity_id: str) -> ModelT:
        return await self.find_one({"_id": self.object_id(entity_id)})

    async def find_one_and_update(self, entity_id: str, change: Document) -> ModelT:
        """Apply an update document to one entity atomically and return it as it is after."""
        oid = self.object_id(entity_id)
        with self.translate_errors():
            document = await self.collection.find_one_and_update(
                {"_id": oid}, change, return_document=ReturnDocument.AFTER
            )
        if document is None:
            raise self.not_found
        return self.load(document)

    async def update_one(self, entity_id: str, change: Document) -> None:
        """Apply an update document to one entity without reading it back."""
        oid = self.object_id(entity_id)
        with self.translate_errors():
            result = await self.collection.update_one({"_id": oid}, change)
        if result.matched_count == 0:
            raise self.not_found

    async def delete(self, entity_id: str) -> None:
        oid = self.object_id(entity_id)
        with self.translate_errors():
            result = await self.collection.delete_one({"_id": oid})
        if result.deleted_count == 0:
            raise self.not_found

    async def count(self, query: Document | None = None) -> int:
        with self.translate_errors():
            return await self.collection.count_documents(query or {})

    async def page(
        self, query: Document, sort: Sort, options: PageOptions
    ) -> tuple[list[ModelT], int]:
        """Return the page of entities matching query, in sort order, and the total that match."""
        with self.translate_errors():
            cursor = self.collection.find(query).sort(sort)
            documents, total = await asyncio.gather(
                cursor.skip(options.offset).limit(options.limit).to_list(),
                self.collection.count_documents(query),
            )
        return [self.load(document) for document in documents], total

    async def find_page(self, query: Document, sort: Sort, options: PageOptions) -> list[ModelT]:
        """Return the page of entities matching query, in sort order, without counting them."""
        with self.translate_errors():
            cursor = self.collection.find(query).sort(sort)
            documents = await cursor.skip(options.offset).limit(options.limit).to_list()
        return [self.load(document) for document in documents]


# IndexOptionsConflict, IndexKeySpecsConflict: the index exists with other options.
INDEX_CONFLICTS = {85, 86}


async def set_ttl(collection: MongoCollection, field: str, name: str, seconds: int) -> None:
    """Expire collection's documents `seconds` after their `field` (a TTL index named name),
    changing the retention in place when the index exists with another."""
    ttl = IndexModel([(field, ASCENDING)], name=name, expireAfterSeconds=seconds)
    try:
        await collection.create_indexes([ttl])
    except OperationFailure as exc:
        if exc.code not in INDEX_CONFLICTS:
            raise
        # The index exists with another retention: change it in place.
        await collection.database.command(
            {"collMod": collection.name, "index": {"name": name, "expireAfterSeconds": seconds}}
        )
