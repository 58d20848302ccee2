"""Alerting's shared memory in SQLite: alert states (compare-and-set on revision) and the
notification outbox (one row per key and channel, the primary key deduplicating).

Every statement runs on the database's one thread, so each is atomic by itself; the revision
and status conditions make a write that read an older row lose, exactly as on MongoDB.
"""

import builtins
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from envdeck.domain.alerting import AlertState, OutboxEntry, OutboxStatus
from envdeck.domain.base import format_utc
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import dump

_GET_STATE = "SELECT doc FROM alert_states WHERE environment_id = ?"
_INSERT_STATE = "INSERT OR IGNORE INTO alert_states (environment_id, doc) VALUES (?, ?)"
_REPLACE_STATE = "UPDATE alert_states SET doc = ? WHERE environment_id = ? AND revision = ?"
_DUE = "SELECT doc FROM alert_states WHERE due_at <= ?"
_DUE_ORDER = " ORDER BY due_at, environment_id LIMIT ?"

_CLAIM = "INSERT OR IGNORE INTO notification_outbox (id, doc) VALUES (?, ?)"
_FINISH = (
    "UPDATE notification_outbox SET doc = json_set(doc, '$.status', ?, '$.finishedAt', ?)"
    " WHERE id = ? AND status = 'pending'"
)
_TAKE_OVER = (
    "UPDATE notification_outbox SET doc = json_set(doc, '$.owner', ?)"
    " WHERE id = ? AND status = 'pending' AND owner = ?"
)


class SqliteAlertStateRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def get(self, environment_id: str) -> AlertState | None:
        row = await self._db.run(lambda c: c.execute(_GET_STATE, (environment_id,)).fetchone())
        return None if row is None else AlertState.model_validate_json(row[0])

    async def save(self, state: AlertState) -> bool:
        doc = dump(state)

        def write(conn: sqlite3.Connection) -> bool:
            if state.revision == 1:
                cursor = conn.execute(_INSERT_STATE, (state.environment_id, doc))
            else:
                params = (doc, state.environment_id, state.revision - 1)
                cursor = conn.execute(_REPLACE_STATE, params)
            return cursor.rowcount == 1

        return await self._db.run(write)

    async def list_due(
        self, now: datetime, limit: int, after: tuple[datetime, str] | None = None
    ) -> builtins.list[AlertState]:
        sql, params = _DUE, [format_utc(now)]
        if after is not None:
            sql += " AND (due_at, environment_id) > (?, ?)"
            params += [format_utc(after[0]), after[1]]
        sql += _DUE_ORDER
        rows = await self._db.run(lambda c: c.execute(sql, (*params, limit)).fetchall())
        return [AlertState.model_validate_json(doc) for (doc,) in rows]

    async def delete(self, environment_id: str) -> None:
        sql = "DELETE FROM alert_states WHERE environment_id = ?"
        await self._db.run(lambda c: c.execute(sql, (environment_id,)))

    async def count(self) -> int:
        row = await self._db.run(
            lambda c: c.execute("SELECT count(*) FROM alert_states").fetchone()
        )
        return int(row[0])


class SqliteNotificationOutboxRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def claim(self, entries: Sequence[OutboxEntry]) -> set[str]:
        rows = [(entry.id, dump(entry)) for entry in entries]

        def write(conn: sqlite3.Connection) -> set[str]:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                return {row[0] for row in rows if conn.execute(_CLAIM, row).rowcount == 1}

        return await self._db.run(write)

    async def finish(self, entry_id: str, status: OutboxStatus, at: datetime) -> bool:
        params = (status.value, format_utc(at), entry_id)
        cursor = await self._db.run(lambda c: c.execute(_FINISH, params))
        return bool(cursor.rowcount)

    async def list_pending(
        self, live_owners: Sequence[str], limit: int
    ) -> builtins.list[OutboxEntry]:
        owners = list(live_owners)
        marks = ", ".join("?" * len(owners))
        sql = "SELECT id, doc FROM notification_outbox WHERE status = 'pending'"
        if owners:
            sql += f" AND owner NOT IN ({marks})"
        sql += " ORDER BY created_at, id LIMIT ?"
        rows = await self._db.run(lambda c: c.execute(sql, (*owners, limit)).fetchall())
        return [_entry(row_id, doc) for row_id, doc in rows]

    async def take_over(self, entry_id: str, previous_owner: str, owner: str) -> bool:
        params = (owner, entry_id, previous_owner)
        cursor = await self._db.run(lambda c: c.execute(_TAKE_OVER, params))
        return bool(cursor.rowcount)

    async def purge_before(self, cutoff: datetime) -> int:
        sql = "DELETE FROM notification_outbox WHERE created_at < ?"
        cursor = await self._db.run(lambda c: c.execute(sql, (format_utc(cutoff),)))
        return int(cursor.rowcount)


def _entry(row_id: str, doc: str) -> OutboxEntry:
    entry = OutboxEntry.model_validate_json(doc)
    entry.id = row_id
    return entry
