"""The event stream in MongoDB: an `events` collection that instances follow by change stream.

Each instance appends the events it publishes; every instance watches the collection's inserts
(a change stream, so the server must be a replica set) and gets them in insert order. Documents
expire after `KEPT_FOR` (a TTL index): they only matter to instances following now, and a
follower that lost its connection resumes from its last resume token within that time.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import structlog
from pymongo import ASCENDING, IndexModel
from pymongo.errors import OperationFailure, PyMongoError

from envdeck.domain.clock import utc_now
from envdeck.repositories.mongo.documents import MongoCollection, translate_errors

log = structlog.get_logger(__name__)

KEPT_FOR = timedelta(minutes=10)
RETRY_SECONDS = 1.0
# ChangeStreamHistoryLost: the resume token is older than the oplog holds.
_HISTORY_LOST = 286


class MongoEventStream:
    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def create_indexes(self) -> None:
        index = IndexModel(
            [("at", ASCENDING)], expireAfterSeconds=int(KEPT_FOR.total_seconds()), name="at_ttl"
        )
        with translate_errors():
            await self._collection.create_indexes([index])

    async def append(self, documents: Sequence[Mapping[str, Any]]) -> None:
        if not documents:
            return
        at = utc_now()
        with translate_errors():
            await self._collection.insert_many(
                [{**document, "at": at} for document in documents], ordered=True
            )

    async def follow(
        self, on_open: Callable[[], object] | None = None, skip_origin: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        resume_token: Mapping[str, Any] | None = None
        match: dict[str, Any] = {"operationType": "insert"}
        if skip_origin is not None:
            match["fullDocument.origin"] = {"$ne": skip_origin}
        pipeline = [{"$match": match}]
        while True:
            try:
                async with await self._collection.watch(
                    pipeline, resume_after=resume_token
                ) as stream:
                    if on_open is not None:
                        on_open()
                        on_open = None
                    async for change in stream:
                        resume_token = stream.resume_token
                        document: dict[str, Any] = change["fullDocument"]
                        yield document
            except OperationFailure as exc:
                if exc.code == _HISTORY_LOST:
                    log.warning("event_stream_history_lost")
                    resume_token = None
                else:
                    log.warning("event_stream_failed", error=str(exc), retry_in=RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
            except PyMongoError as exc:
                log.warning(
                    "event_stream_interrupted", error=type(exc).__name__, retry_in=RETRY_SECONDS
                )
                await asyncio.sleep(RETRY_SECONDS)
