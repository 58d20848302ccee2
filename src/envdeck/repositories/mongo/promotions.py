"""Pipelines and promotions in MongoDB.

One open promotion per pipeline stage: creating one first inserts the stage's document in
`promotionLocks` (`{_id: "pipelineId/stage", promotionId}`); a duplicate `_id` means another is
open. Closing a promotion deletes its lock (only if still its own). A lock left behind by a
writer that died between its two writes names a promotion that is closed or absent: the next
creator takes it over with a conditional replace, so a stage is never stuck.
"""

import builtins

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.promotion import (
    OPEN_STATUSES,
    Pipeline,
    PipelineListOptions,
    PipelineNotFound,
    Promotion,
    PromotionListOptions,
    PromotionNotFound,
    PromotionOpen,
    PromotionStatus,
    open_key,
)
from envdeck.repositories.mongo.documents import (
    Document,
    MongoCollection,
    MongoDocuments,
    equality_query,
    to_document,
    translate_errors,
)

PIPELINE_INDEXES = [IndexModel([("name", ASCENDING)], unique=True)]
PROMOTION_INDEXES = [
    IndexModel([("createdAt", DESCENDING), ("_id", DESCENDING)]),
    IndexModel(
        [("pipelineId", ASCENDING), ("stage", ASCENDING), ("status", ASCENDING)],
    ),
    IndexModel([("status", ASCENDING)]),
]
_BY_NAME = [("name", ASCENDING), ("_id", ASCENDING)]
_NEWEST = [("createdAt", DESCENDING), ("_id", DESCENDING)]
_OPEN = [status.value for status in OPEN_STATUSES]


class MongoPipelineRepository:
    def __init__(self, collection: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, Pipeline, PipelineNotFound, "pipeline", PIPELINE_INDEXES
        )

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, pipeline: Pipeline) -> Pipeline:
        now = utc_now()
        stored = pipeline.model_copy(
            update={"id": pipeline.id or new_id(), "created_at": now, "updated_at": now}
        )
        return await self._documents.insert(stored)

    async def get_by_id(self, pipeline_id: str) -> Pipeline:
        return await self._documents.get(pipeline_id)

    async def get_by_name(self, name: str) -> Pipeline:
        return await self._documents.find_one({"name": name})

    async def list(self, options: PipelineListOptions) -> tuple[builtins.list[Pipeline], int]:
        return await self._documents.page({}, _BY_NAME, options)

    async def update(self, pipeline: Pipeline) -> Pipeline:
        fields = to_document(pipeline, exclude={"created_at"})
        fields["updatedAt"] = utc_now()
        return await self._documents.find_one_and_update(pipeline.id, {"$set": fields})

    async def delete(self, pipeline_id: str) -> None:
        await self._documents.delete(pipeline_id)


class MongoPromotionRepository:
    def __init__(self, collection: MongoCollection, locks: MongoCollection) -> None:
        self._documents = MongoDocuments(
            collection, Promotion, PromotionNotFound, "promotion", PROMOTION_INDEXES
        )
        self._locks = locks

    async def create_indexes(self) -> None:
        await self._documents.create_indexes()

    async def create(self, promotion: Promotion) -> Promotion:
        stored = promotion.model_copy(update={"id": new_id(), "created_at": utc_now()})
        key = open_key(stored.pipeline_id, stored.stage)
        await self._lock(key, stored.id)
        try:
            return await self._documents.insert(stored)
        except BaseException:
            await self._unlock(key, stored.id)
            raise

    async def _lock(self, key: str, promotion_id: str) -> None:
        with translate_errors():
            try:
                await self._locks.insert_one({"_id": key, "promotionId": promotion_id})
                return
            except DuplicateKeyError:
                pass
            lock = await self._locks.find_one({"_id": key})
        holder = lock["promotionId"] if lock else None
        if holder is not None:
            try:
                other = await self.get_by_id(holder)
                if other.is_open:
                    raise PromotionOpen.by(other)
            except PromotionNotFound:
                pass
        # Left behind (or released just now): take it over unless someone else did first.
        with translate_errors():
            taken = await self._locks.update_one(
                {"_id": key, "promotionId": holder}, {"$set": {"promotionId": promotion_id}}
            )
        if taken.matched_count == 0:
            raise PromotionOpen(f"another promotion of {key} was just opened")

    async def _unlock(self, key: str, promotion_id: str) -> None:
        with translate_errors():
            await self._locks.delete_one({"_id": key, "promotionId": promotion_id})

    async def get_by_id(self, promotion_id: str) -> Promotion:
        return await self._documents.get(promotion_id)

    async def list(self, options: PromotionListOptions) -> tuple[builtins.list[Promotion], int]:
        status = options.status.value if options.status is not None else None
        query = equality_query(
            [
                ("pipelineId", options.pipeline_id),
                ("stage", options.stage),
                ("status", status),
                ("version", options.version),
            ]
        )
        return await self._documents.page(query, _NEWEST, options)

    async def list_open(self, pipeline_id: str | None = None) -> builtins.list[Promotion]:
        query: Document = {"status": {"$in": _OPEN}}
        if pipeline_id is not None:
            query["pipelineId"] = pipeline_id
        documents = self._documents
        with documents.translate_errors():
            found = await documents.collection.find(query).sort(_NEWEST).to_list()
        return [documents.load(document) for document in found]

    async def replace(self, promotion: Promotion, expected: PromotionStatus) -> bool:
        documents = self._documents
        oid = documents.object_id(promotion.id)
        fields = to_document(promotion)
        with documents.translate_errors():
            result = await documents.collection.update_one(
                {"_id": oid, "status": expected.value}, {"$set": fields}
            )
        if result.matched_count and not promotion.is_open:
            await self._unlock(open_key(promotion.pipeline_id, promotion.stage), promotion.id)
        return bool(result.matched_count)
