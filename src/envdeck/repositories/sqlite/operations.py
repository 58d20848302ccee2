"""Operations in SQLite, newest first."""

import builtins
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.clock import utc_now
from envdeck.domain.errors import OperationNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.operation import (
    UNFINISHED_STATUSES,
    Operation,
    OperationError,
    OperationListOptions,
    OperationStatus,
)
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, equality_clauses, keeping

_UNFINISHED = tuple(sorted(status.value for status in UNFINISHED_STATUSES))


class SqliteOperationRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "operations", Operation, OperationNotFound)

    async def create(self, operation: Operation) -> Operation:
        # An id set by the caller is kept: the service claims the environment under it first.
        stored = operation.model_copy(
            update={"id": operation.id or new_id(), "created_at": utc_now()}
        )
        return await self._table.insert(stored)

    async def get_by_id(self, operation_id: str) -> Operation:
        return await self._table.get(operation_id)

    async def list(self, options: OperationListOptions) -> tuple[list[Operation], int]:
        clauses, params = equality_clauses(
            [
                ("environment_id", options.environment_id),
                ("status", options.status),
                ("type", options.type),
                ("user_id", options.user_id),
            ]
        )
        where = " AND ".join(clauses) or "1"
        return await self._table.page(where, params, "created_at DESC, id DESC", options)

    async def update(self, operation: Operation) -> Operation:
        if operation.status not in UNFINISHED_STATUSES:
            return await self._table.replace(
                operation.id, keeping("$.createdAt"), (dump(operation),)
            )
        # A running record never reopens one another instance closed (its owner had stopped
        # answering): the closed record is returned as it is.
        doc_sql = keeping("$.createdAt")

        def write(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                f"UPDATE operations SET doc = {doc_sql} WHERE id = ? AND status IN (?, ?)"  # noqa: S608
                " RETURNING doc",
                (dump(operation), operation.id, *_UNFINISHED),
            ).fetchone()
            return None if row is None else str(row[0])

        doc = await self._table.db.run(write)
        if doc is None:
            return await self.get_by_id(operation.id)
        return self._table.load(operation.id, doc)

    async def list_unfinished(self) -> builtins.list[Operation]:
        def read(conn: sqlite3.Connection) -> builtins.list[tuple[str, str]]:
            return conn.execute(
                "SELECT id, doc FROM operations WHERE status IN (?, ?) ORDER BY created_at, id",
                _UNFINISHED,
            ).fetchall()

        rows = await self._table.db.run(read)
        return [self._table.load(*row) for row in rows]

    async def close_unfinished(
        self,
        operation_ids: Sequence[str],
        status: OperationStatus,
        error: OperationError,
        finished_at: datetime,
    ) -> builtins.list[Operation]:
        if not operation_ids:
            return []
        params = (
            status.value,
            json.dumps(format_utc(finished_at)),
            error.model_dump_json(by_alias=True),
            json.dumps(list(operation_ids)),
            *_UNFINISHED,
        )

        def write(conn: sqlite3.Connection) -> builtins.list[tuple[str, str]]:
            # One statement: the status test and the change are one atomic step, whoever else
            # (another process on this file) closes the same operation.
            return conn.execute(
                "UPDATE operations SET doc = json_set(doc, '$.status', ?,"
                " '$.finishedAt', json(?), '$.error', json(?))"
                " WHERE id IN (SELECT value FROM json_each(?)) AND status IN (?, ?)"
                " RETURNING id, doc",
                params,
            ).fetchall()

        rows = await self._table.db.run(write)
        return [self._table.load(*row) for row in rows]
