"""Maintenance windows in SQLite: one document each; scope lookups go through json_each."""

import builtins
import json
import sqlite3

from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.maintenance import (
    MaintenanceWindow,
    MaintenanceWindowListOptions,
    MaintenanceWindowNotFound,
)
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, keeping

# A handful of windows exist at most; a scan of the enabled ones is cheaper than an index per
# scope entry, and json_each reads the two arrays in place.
_COVERING = """enabled = 1 AND (
    EXISTS (SELECT 1 FROM json_each(doc, '$.scope.environmentIds') WHERE value = ?)
    OR EXISTS (SELECT 1 FROM json_each(doc, '$.scope.tags') WHERE value IN (SELECT value FROM
        json_each(?))))"""


class SqliteMaintenanceWindowRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(
            db, "maintenance_windows", MaintenanceWindow, MaintenanceWindowNotFound
        )

    async def create(self, window: MaintenanceWindow) -> MaintenanceWindow:
        now = utc_now()
        stored = window.model_copy(update={"id": new_id(), "created_at": now, "updated_at": now})
        return await self._table.insert(stored)

    async def get_by_id(self, window_id: str) -> MaintenanceWindow:
        return await self._table.get(window_id)

    async def list(
        self, options: MaintenanceWindowListOptions
    ) -> tuple[list[MaintenanceWindow], int]:
        if options.enabled is None:
            return await self._table.page("1", (), "name, id", options)
        return await self._table.page("enabled = ?", (int(options.enabled),), "name, id", options)

    async def list_covering(
        self, environment_id: str, tags: builtins.list[str]
    ) -> builtins.list[MaintenanceWindow]:
        """Return the enabled windows whose scope names this environment or one of its tags."""
        sql = f"SELECT id, doc FROM maintenance_windows WHERE {_COVERING} ORDER BY name, id"  # noqa: S608

        def read(conn: sqlite3.Connection) -> builtins.list[tuple[str, str]]:
            return conn.execute(sql, (environment_id, json.dumps(tags))).fetchall()

        rows: builtins.list[tuple[str, str]] = await self._table.db.run(read)
        return [self._table.load(*row) for row in rows]

    async def update(self, window: MaintenanceWindow) -> MaintenanceWindow:
        stored = window.model_copy(update={"updated_at": utc_now()})
        return await self._table.replace(
            window.id, keeping("$.createdAt", "$.createdBy"), (dump(stored),)
        )

    async def delete(self, window_id: str) -> None:
        await self._table.delete(window_id)
