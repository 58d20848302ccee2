"""Generic reads and writes of one document table; the repositories add their own queries."""

import sqlite3
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from envdeck.domain.base import PageOptions
from envdeck.domain.errors import NotFound
from envdeck.repositories.sqlite.database import SqliteDatabase

M = TypeVar("M", bound=BaseModel)

Params = Sequence[Any]


def escape_like(text: str) -> str:
    """Return text as a LIKE pattern matching it anywhere, with wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def equality_clauses(pairs: Sequence[tuple[str, object]]) -> tuple[list[str], list[str]]:
    """Return `column = ?` clauses and their parameters for the pairs whose value is set."""
    clauses: list[str] = []
    params: list[str] = []
    for column, value in pairs:
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(str(value))
    return clauses, params


def keeping(*paths: str) -> str:
    """Return SQL for "the new doc (the parameter), with these paths kept from the stored doc"."""
    kept = ", ".join(f"'{path}', doc -> '{path}'" for path in paths)
    return f"json_set(?, {kept})"


def dump(model: BaseModel) -> str:
    """Return the document stored for a model: its API JSON without the id."""
    return model.model_dump_json(by_alias=True, exclude={"id"})


class DocumentTable(Generic[M]):
    """A table of (id, doc) rows holding one model type."""

    def __init__(
        self, db: SqliteDatabase, table: str, model: type[M], not_found: type[NotFound]
    ) -> None:
        self.db = db
        self.table = table
        self.model = model
        self.not_found = not_found

    def load(self, row_id: str, doc: str) -> M:
        entity = self.model.model_validate_json(doc)
        entity.id = row_id  # type: ignore[attr-defined]
        return entity

    def _insert(self, conn: sqlite3.Connection, entity: M) -> None:
        sql = f"INSERT INTO {self.table} (id, doc) VALUES (?, ?)"  # noqa: S608
        conn.execute(sql, (entity.id, dump(entity)))  # type: ignore[attr-defined]

    async def insert(self, entity: M) -> M:
        await self.db.run(lambda c: self._insert(c, entity))
        return entity

    async def insert_unless(self, entity: M, where: str, params: Params = ()) -> bool:
        """Insert entity unless a row matches where; tell whether it was inserted."""

        def write(conn: sqlite3.Connection) -> bool:
            with conn:
                # IMMEDIATE takes the write lock before the check, so no other connection or
                # process can add a matching row between the check and the insert.
                conn.execute("BEGIN IMMEDIATE")
                sql = f"SELECT 1 FROM {self.table} WHERE {where} LIMIT 1"  # noqa: S608
                if conn.execute(sql, params).fetchone() is not None:
                    return False
                self._insert(conn, entity)
                return True

        return await self.db.run(write)

    async def get_where(self, where: str, params: Params) -> M:
        def read(conn: sqlite3.Connection) -> tuple[str, str] | None:
            sql = f"SELECT id, doc FROM {self.table} WHERE {where} LIMIT 1"  # noqa: S608
            return conn.execute(sql, params).fetchone()  # type: ignore[no-any-return]

        row = await self.db.run(read)
        if row is None:
            raise self.not_found()
        return self.load(*row)

    async def get(self, row_id: str) -> M:
        return await self.get_where("id = ?", (row_id,))

    async def replace(self, row_id: str, doc_sql: str, params: Params) -> M:
        """Set doc to the SQL expression doc_sql (which may read the old doc) and return it."""
        entity = await self.replace_or_none(row_id, doc_sql, params)
        if entity is None:
            raise self.not_found()
        return entity

    async def replace_or_none(self, row_id: str, doc_sql: str, params: Params) -> M | None:
        """Do what replace does, returning None when there is no such row."""

        def write(conn: sqlite3.Connection) -> str | None:
            sql = f"UPDATE {self.table} SET doc = {doc_sql} WHERE id = ? RETURNING doc"  # noqa: S608
            row = conn.execute(sql, (*params, row_id)).fetchone()
            return None if row is None else str(row[0])

        doc = await self.db.run(write)
        return None if doc is None else self.load(row_id, doc)

    async def delete(self, row_id: str) -> None:
        if await self.delete_where("id = ?", (row_id,)) == 0:
            raise self.not_found()

    async def delete_where(self, where: str, params: Params) -> int:
        """Delete the rows matching where; return how many went."""
        sql = f"DELETE FROM {self.table} WHERE {where}"  # noqa: S608
        cursor = await self.db.run(lambda c: c.execute(sql, params))
        return int(cursor.rowcount)

    async def count(self, where: str = "1", params: Params = ()) -> int:
        sql = f"SELECT count(*) FROM {self.table} WHERE {where}"  # noqa: S608
        row = await self.db.run(lambda c: c.execute(sql, params).fetchone())
        return int(row[0])

    async def page(
        self, where: str, params: Params, order: str, options: PageOptions
    ) -> tuple[list[M], int]:
        """Return the page of rows matching where, in order, and the total that match."""

        def read(conn: sqlite3.Connection) -> tuple[list[tuple[str, str]], int]:
            base = f"FROM {self.table} WHERE {where}"
            (total,) = conn.execute(f"SELECT count(*) {base}", params).fetchone()
            rows = conn.execute(
                f"SELECT id, doc {base} ORDER BY {order} LIMIT ? OFFSET ?",
                (*params, options.limit, options.offset),
            ).fetchall()
            return rows, int(total)

        rows, total = await self.db.run(read)
        return [self.load(*row) for row in rows], total

    async def find(self, where: str, params: Params, order: str, options: PageOptions) -> list[M]:
        """Return the page of rows matching where, in order, without counting them all."""
        sql = f"SELECT id, doc FROM {self.table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"  # noqa: S608
        page_params = (*params, options.limit, options.offset)
        rows = await self.db.run(lambda c: c.execute(sql, page_params).fetchall())
        return [self.load(*row) for row in rows]
