"""What every Mongo repository shares: model <-> document conversion, pages and error mapping.

Documents keep the models' camelCase aliases as field names and native BSON dates; `_id` is an
ObjectId. Repositories may add shadow fields (lowercase keys, sort ranks) that exist only to be
indexed; they are stripped again before a document becomes a model.
"""

import asyncio
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from bson import ObjectId
from bson.codec_options import TypeRegistry
from pydantic import AnyUrl
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    DuplicateKeyError,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

from envdeck.domain.base import DomainModel, PageOptions
from envdeck.domain.errors import AlreadyExists, StorageUnavailable
from envdeck.domain.ids import is_valid_id

Document = dict[str, Any]
MongoCollection = AsyncCollection[Document]
Sort = list[tuple[str, int]]

ModelT = TypeVar("ModelT", bound=DomainModel)

# Duplicate-key errors name the indexed field; report the field the caller set instead.
_FIELD_NAMES = {"_id": "id", "usernameKey": "username", "emailKey": "email"}

_UNAVAILABLE = (ConnectionFailure, ServerSelectionTimeoutError, AutoReconnect, NetworkTimeout)


def _encode_fallback(value: Any) -> Any:
    # model_dump(mode="python") keeps pydantic URL objects, which BSON cannot encode by itself.
    if isinstance(value, AnyUrl):
        return str(value)
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


async def find_page(
    collection: MongoCollection, query: Document, sort: Sort, page: PageOptions
) -> tuple[list[Document], int]:
    """Return the documents of one page of a query and how many documents match it in all."""
    cursor = collection.find(query).sort(sort).skip(page.offset).limit(page.limit)
    documents, total = await asyncio.gather(cursor.to_list(), collection.count_documents(query))
    return documents, total


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
    article = "an" if entity[0] in "aeiou" else "a"
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
