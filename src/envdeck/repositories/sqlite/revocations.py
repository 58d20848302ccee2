"""Revoked login tokens in SQLite: a plain table of jti and expiry, no documents."""

from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.repositories.sqlite.database import SqliteDatabase

# Revoking again keeps the later expiry: a revocation is never forgotten before a caller
# said its token could still be used.
_REVOKE = (
    "INSERT INTO revocations (jti, expires_at) VALUES (?, ?)"
    " ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)"
)


class SqliteRevocationRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def revoke(self, jti: str, expires_at: datetime) -> None:
        params = (jti, format_utc(expires_at))
        await self._db.run(lambda c: c.execute(_REVOKE, params))

    async def is_revoked(self, jti: str) -> bool:
        sql = "SELECT 1 FROM revocations WHERE jti = ?"
        row = await self._db.run(lambda c: c.execute(sql, (jti,)).fetchone())
        return row is not None

    async def purge_expired(self, now: datetime) -> int:
        sql = "DELETE FROM revocations WHERE expires_at < ?"
        cursor = await self._db.run(lambda c: c.execute(sql, (format_utc(now),)))
        return int(cursor.rowcount)
