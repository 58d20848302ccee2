"""The activity log in SQLite: batched inserts, index-served filters, newest first."""

import sqlite3
from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.errors import LogNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogEntry, LogFilter, LogLevel, LogListOptions, LogType
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import (
    DocumentTable,
    dump,
    equality_clauses,
    escape_like,
)


def _where(log_filter: LogFilter) -> tuple[str, list[str]]:
    clauses, params = equality_clauses(
        [
            ("type", log_filter.type),
            ("level", log_filter.level),
            ("action", log_filter.action),
            ("environment_id", log_filter.environment_id),
            ("user_id", log_filter.user_id),
        ]
    )
    if log_filter.start_date is not None:
        clauses.append("timestamp >= ?")
        params.append(format_utc(log_filter.start_date))
    if log_filter.end_date is not None:
        clauses.append("timestamp <= ?")
        params.append(format_utc(log_filter.end_date))
    if log_filter.q:
        clauses.append(
            "(json_extract(doc, '$.message') LIKE ? ESCAPE '\\'"
            " OR json_extract(doc, '$.environmentName') LIKE ? ESCAPE '\\'"
            " OR json_extract(doc, '$.username') LIKE ? ESCAPE '\\')"
        )
        params += [escape_like(log_filter.q)] * 3
    return " AND ".join(clauses) or "1", params


async def _count_by(
    db: SqliteDatabase, column: str, log_filter: LogFilter, keys: list[str]
) -> dict[str, int]:
    where, params = _where(log_filter)
    sql = f"SELECT {column}, count(*) FROM logs WHERE {where} GROUP BY {column}"  # noqa: S608
    rows = await db.run(lambda c: c.execute(sql, params).fetchall())
    counts = dict.fromkeys(keys, 0)
    counts.update({str(key): int(n) for key, n in rows})
    return counts


def _with_id(entry: LogEntry) -> LogEntry:
    # The activity log names entries when it records them; anything else gets an id here.
    return entry if entry.id else entry.model_copy(update={"id": new_id()})


class SqliteLogRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self._table = DocumentTable(db, "logs", LogEntry, LogNotFound)

    async def create(self, entry: LogEntry) -> LogEntry:
        return await self._table.insert(_with_id(entry))

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        stored = [_with_id(entry) for entry in entries]
        rows = [(entry.id, dump(entry)) for entry in stored]

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                # An id already stored is an entry already written: a retried batch is a no-op.
                conn.executemany("INSERT OR IGNORE INTO logs (id, doc) VALUES (?, ?)", rows)

        if rows:
            await self._db.run(write)
        return stored

    async def get_by_id(self, log_id: str) -> LogEntry:
        return await self._table.get(log_id)

    async def list(self, options: LogListOptions) -> tuple[list[LogEntry], int]:
        where, params = _where(options)
        return await self._table.page(where, params, "timestamp DESC, id DESC", options)

    async def count(self, log_filter: LogFilter) -> int:
        return await self._table.count(*_where(log_filter))

    async def count_by_type(self, log_filter: LogFilter) -> dict[str, int]:
        return await _count_by(self._db, "type", log_filter, [t.value for t in LogType])

    async def count_by_level(self, log_filter: LogFilter) -> dict[str, int]:
        return await _count_by(self._db, "level", log_filter, [lv.value for lv in LogLevel])

    async def delete_before(self, cutoff: datetime) -> int:
        sql = "DELETE FROM logs WHERE timestamp < ?"
        cursor = await self._db.run(lambda c: c.execute(sql, (format_utc(cutoff),)))
        return int(cursor.rowcount)
