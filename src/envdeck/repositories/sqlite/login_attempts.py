"""Recent failed sign-ins in SQLite: one document per key, written by compare-and-set.

Every statement runs on the database's one thread, so each is atomic by itself; the version
check makes a write that read an older window lose, exactly as on MongoDB.
"""

import sqlite3
from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.login_attempt import AttemptWindow
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import dump

_GET = "SELECT doc FROM login_attempts WHERE key = ?"
_INSERT = "INSERT OR IGNORE INTO login_attempts (key, doc) VALUES (?, ?)"
_REPLACE = "UPDATE login_attempts SET doc = ? WHERE key = ? AND version = ?"


class SqliteLoginAttemptRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def get(self, key: str) -> AttemptWindow | None:
        row = await self._db.run(lambda c: c.execute(_GET, (key,)).fetchone())
        return None if row is None else AttemptWindow.model_validate_json(row[0])

    async def save(self, window: AttemptWindow) -> bool:
        doc = dump(window)

        def write(conn: sqlite3.Connection) -> bool:
            if window.version == 1:
                cursor = conn.execute(_INSERT, (window.key, doc))
            else:
                cursor = conn.execute(_REPLACE, (doc, window.key, window.version - 1))
            return cursor.rowcount == 1

        return await self._db.run(write)

    async def delete_for_account(self, account: str) -> int:
        sql = "DELETE FROM login_attempts WHERE account = ?"
        cursor = await self._db.run(lambda c: c.execute(sql, (account,)))
        return int(cursor.rowcount)

    async def purge_expired(self, now: datetime) -> int:
        sql = "DELETE FROM login_attempts WHERE expires_at <= ?"
        cursor = await self._db.run(lambda c: c.execute(sql, (format_utc(now),)))
        return int(cursor.rowcount)
