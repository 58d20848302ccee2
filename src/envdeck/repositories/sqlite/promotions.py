"""Pipelines and promotions in SQLite: one document each.

One open promotion per pipeline stage is the unique index on the generated `open_key` (NULL once
a promotion is closed, and NULLs never collide): the second insert fails inside SQLite, whichever
connection or process makes it.
"""

import builtins
import sqlite3

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import AlreadyExists
from envdeck.domain.ids import new_id
from envdeck.domain.promotion import (
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
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, equality_clauses, keeping

_NEWEST = "created_at DESC, id DESC"


class SqlitePipelineRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "pipelines", Pipeline, PipelineNotFound)

    async def create(self, pipeline: Pipeline) -> Pipeline:
        now = utc_now()
        stored = pipeline.model_copy(
            update={"id": pipeline.id or new_id(), "created_at": now, "updated_at": now}
        )
        return await self._table.insert(stored)

    async def get_by_id(self, pipeline_id: str) -> Pipeline:
        return await self._table.get(pipeline_id)

    async def get_by_name(self, name: str) -> Pipeline:
        return await self._table.get_where("name = ?", (name,))

    async def list(self, options: PipelineListOptions) -> tuple[builtins.list[Pipeline], int]:
        return await self._table.page("1", (), "name, id", options)

    async def update(self, pipeline: Pipeline) -> Pipeline:
        stored = pipeline.model_copy(update={"updated_at": utc_now()})
        return await self._table.replace(pipeline.id, keeping("$.createdAt"), (dump(stored),))

    async def delete(self, pipeline_id: str) -> None:
        await self._table.delete(pipeline_id)


class SqlitePromotionRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "promotions", Promotion, PromotionNotFound)

    async def create(self, promotion: Promotion) -> Promotion:
        stored = promotion.model_copy(
            update={"id": promotion.id or new_id(), "created_at": utc_now()}
        )
        try:
            return await self._table.insert(stored)
        except AlreadyExists:
            key = open_key(promotion.pipeline_id, promotion.stage)
            try:
                other = await self._table.get_where("open_key = ?", (key,))
            except PromotionNotFound:  # closed in between: the caller may simply try again
                other = stored
            raise PromotionOpen.by(other) from None

    async def get_by_id(self, promotion_id: str) -> Promotion:
        return await self._table.get(promotion_id)

    async def list(self, options: PromotionListOptions) -> tuple[builtins.list[Promotion], int]:
        status = options.status.value if options.status is not None else None
        pairs = [
            ("pipeline_id", options.pipeline_id),
            ("stage", options.stage),
            ("status", status),
            ("version", options.version),
        ]
        clauses, params = equality_clauses(pairs)
        return await self._table.page(" AND ".join(clauses) or "1", params, _NEWEST, options)

    async def list_open(self, pipeline_id: str | None = None) -> builtins.list[Promotion]:
        params: tuple[str, ...] = ()
        where = "open_key IS NOT NULL"
        if pipeline_id is not None:
            where, params = "open_key IS NOT NULL AND pipeline_id = ?", (pipeline_id,)
        sql = f"SELECT id, doc FROM promotions WHERE {where} ORDER BY {_NEWEST}"  # noqa: S608

        def read(conn: sqlite3.Connection) -> builtins.list[tuple[str, str]]:
            return conn.execute(sql, params).fetchall()

        return [self._table.load(*row) for row in await self._table.db.run(read)]

    async def replace(self, promotion: Promotion, expected: PromotionStatus) -> bool:
        sql = "UPDATE promotions SET doc = ? WHERE id = ? AND status = ?"
        params = (dump(promotion), promotion.id, expected.value)
        cursor = await self._table.db.run(lambda conn: conn.execute(sql, params))
        return bool(cursor.rowcount)
