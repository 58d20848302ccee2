"""The instance registry in SQLite: one document per process start, by when it was last seen."""

import builtins
from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.instance import Instance, InstanceNotFound
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump

# A stop is final: a heartbeat that lands after it (one in flight at shutdown) keeps it.
_UPSERT = (
    "INSERT INTO instances (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE"
    " SET doc = json_set(excluded.doc, '$.stoppedAt', doc -> '$.stoppedAt')"
)
_STOP = "UPDATE instances SET doc = json_set(doc, '$.stoppedAt', ?, '$.lastSeen', ?) WHERE id = ?"
_SEEN_SINCE = (
    "SELECT id, doc FROM instances WHERE last_seen >= ?"
    " ORDER BY json_extract(doc, '$.startedAt') DESC, id DESC"
)


class SqliteInstanceRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "instances", Instance, InstanceNotFound)

    async def upsert_heartbeat(self, instance: Instance) -> None:
        params = (instance.id, dump(instance))
        await self._table.db.run(lambda c: c.execute(_UPSERT, params))

    async def mark_stopped(self, instance_id: str, at: datetime) -> bool:
        params = (format_utc(at), format_utc(at), instance_id)
        cursor = await self._table.db.run(lambda c: c.execute(_STOP, params))
        return bool(cursor.rowcount)

    async def list_seen_since(self, since: datetime) -> builtins.list[Instance]:
        params = (format_utc(since),)
        rows = await self._table.db.run(lambda c: c.execute(_SEEN_SINCE, params).fetchall())
        return [self._table.load(*row) for row in rows]

    async def purge_seen_before(self, cutoff: datetime) -> int:
        return await self._table.delete_where("last_seen < ?", (format_utc(cutoff),))
