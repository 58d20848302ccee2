"""Environments in SQLite; tags live in a side table so the tag filter is index-served."""

import builtins
import json
import sqlite3
from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import (
    ActiveOperation,
    Environment,
    EnvironmentListOptions,
    HealthState,
    OperationTimestamp,
    Status,
    SystemInfo,
)
from envdeck.domain.errors import EnvironmentNotFound
from envdeck.domain.ids import new_id
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, escape_like, keeping

_ORDER = {
    "name": "name ASC",
    "-name": "name DESC",
    "createdAt": "created_at ASC",
    "-createdAt": "created_at DESC",
    "health": "health_rank ASC, name ASC",
    "-health": "health_rank DESC, name ASC",
    "lastCheck": "last_check ASC",
    "-lastCheck": "last_check DESC",
}

# The status is owned by update_status, the running operation and the operation timestamps by
# the operation service: a configuration update (read, modify, write) must not overwrite them.
_REPLACE_KEEPING_STATUS = keeping(
    "$.status",
    "$.timestamps.createdAt",
    "$.activeOperation",
    "$.timestamps.lastRestartAt",
    "$.timestamps.lastUpgradeAt",
)
_TIMESTAMP_PATHS = {
    "lastRestartAt": "$.timestamps.lastRestartAt",
    "lastUpgradeAt": "$.timestamps.lastUpgradeAt",
}


# A healthy status also moves timestamps.lastHealthyAt to its lastCheck (?2 NULL keeps it).
_SET_STATUS = (
    "UPDATE environments SET doc = json_set(doc, '$.status', json(?1),"
    " '$.timestamps.lastHealthyAt', coalesce(?2, json_extract(doc, '$.timestamps.lastHealthyAt')))"
    " WHERE id = ?3"
)


def _healthy_at(status: Status) -> str | None:
    if status.health is HealthState.HEALTHY and status.last_check is not None:
        return format_utc(status.last_check)
    return None


def _write_tags(conn: sqlite3.Connection, environment_id: str, tags: list[str]) -> None:
    conn.execute("DELETE FROM environment_tags WHERE environment_id = ?", (environment_id,))
    conn.executemany(
        "INSERT INTO environment_tags (tag, environment_id) VALUES (?, ?)",
        [(tag, environment_id) for tag in tags],
    )


class SqliteEnvironmentRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self._table = DocumentTable(db, "environments", Environment, EnvironmentNotFound)

    async def create(self, environment: Environment) -> Environment:
        now = utc_now()
        stored = environment.model_copy(deep=True)
        stored.id = environment.id or new_id()
        stored.timestamps.created_at = now
        stored.timestamps.updated_at = now
        row = (stored.id, dump(stored))

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO environments (id, doc) VALUES (?, ?)", row)
                _write_tags(conn, stored.id, stored.tags)

        await self._db.run(write)
        return stored

    async def get_by_id(self, environment_id: str) -> Environment:
        return await self._table.get(environment_id)

    async def get_by_name(self, name: str) -> Environment:
        return await self._table.get_where("name = ?", (name,))

    async def list_by_credential(self, credential_id: str) -> list[Environment]:
        sql = "SELECT id, doc FROM environments WHERE credential_id = ? ORDER BY name"
        rows = await self._db.run(lambda c: c.execute(sql, (credential_id,)).fetchall())
        return [self._table.load(*row) for row in rows]

    async def list(self, options: EnvironmentListOptions) -> tuple[list[Environment], int]:
        where, params = _where(options)
        return await self._table.page(where, params, f"{_ORDER[options.sort]}, id", options)

    async def find(self, options: EnvironmentListOptions) -> builtins.list[Environment]:
        where, params = _where(options)
        return await self._table.find(where, params, f"{_ORDER[options.sort]}, id", options)

    async def update(self, environment: Environment) -> Environment:
        stored = environment.model_copy(deep=True)
        stored.timestamps.updated_at = utc_now()
        doc = dump(stored)

        def write(conn: sqlite3.Connection) -> str | None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                row = conn.execute(
                    f"UPDATE environments SET doc = {_REPLACE_KEEPING_STATUS}"  # noqa: S608
                    " WHERE id = ? RETURNING doc",
                    (doc, environment.id),
                ).fetchone()
                if row is not None:
                    _write_tags(conn, environment.id, stored.tags)
                return None if row is None else str(row[0])

        result = await self._db.run(write)
        if result is None:
            raise EnvironmentNotFound()
        return self._table.load(environment.id, result)

    async def update_status(self, environment_id: str, status: Status) -> None:
        await self._table.replace(
            environment_id,
            "json_set(doc, '$.status', json(?))",
            (status.model_dump_json(by_alias=True),),
        )

    async def update_statuses(self, statuses: dict[str, Status]) -> None:
        rows = [
            (
                status.model_dump_json(by_alias=True),
                _healthy_at(status),
                environment_id,
            )
            for environment_id, status in statuses.items()
        ]

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                # A row deleted meanwhile matches nothing: the batch goes on without it.
                conn.executemany(_SET_STATUS, rows)

        if rows:
            await self._db.run(write)

    async def update_system_info(self, environment_id: str, system_info: SystemInfo) -> None:
        await self._table.replace(
            environment_id,
            "json_set(doc, '$.systemInfo', json(?))",
            (system_info.model_dump_json(by_alias=True),),
        )

    async def update_system_infos(self, system_infos: dict[str, SystemInfo]) -> None:
        rows = [
            (info.model_dump_json(by_alias=True), environment_id)
            for environment_id, info in system_infos.items()
        ]

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "UPDATE environments SET doc = json_set(doc, '$.systemInfo', json(?))"
                    " WHERE id = ?",
                    rows,
                )

        if rows:
            await self._db.run(write)

    async def _compare_and_set(
        self, environment_id: str, doc_sql: str, condition: str, params: tuple[str, ...]
    ) -> bool:
        # One UPDATE statement: SQLite runs it atomically, so the check and the write are one.
        sql = (
            f"UPDATE environments SET doc = {doc_sql} WHERE id = ? AND {condition}"  # noqa: S608
            " RETURNING id"
        )
        row = await self._db.run(lambda c: c.execute(sql, (*params,)).fetchone())
        return row is not None

    async def set_active_operation(
        self, environment_id: str, active: ActiveOperation, expected: str | None = None
    ) -> bool:
        done = await self._compare_and_set(
            environment_id,
            "json_set(doc, '$.activeOperation', json(?))",
            "coalesce(json_extract(doc, '$.activeOperation.id'), '') = ?",
            (active.model_dump_json(by_alias=True), environment_id, expected or ""),
        )
        if not done:
            await self._table.get(environment_id)  # raises EnvironmentNotFound
        return done

    async def clear_active_operation(self, environment_id: str, operation_id: str) -> bool:
        return await self._compare_and_set(
            environment_id,
            "json_set(doc, '$.activeOperation', json('null'))",
            "json_extract(doc, '$.activeOperation.id') = ?",
            (environment_id, operation_id),
        )

    async def set_host_key(self, environment_id: str, host_key: str, expected: str = "") -> bool:
        return await self._compare_and_set(
            environment_id,
            "json_set(doc, '$.target.hostKey', ?)",
            "coalesce(json_extract(doc, '$.target.hostKey'), '') = ?",
            (host_key, environment_id, expected),
        )

    async def set_operation_timestamp(
        self, environment_id: str, name: OperationTimestamp, at: datetime
    ) -> None:
        path = _TIMESTAMP_PATHS[name]
        await self._table.replace_or_none(
            environment_id, f"json_set(doc, '{path}', json(?))", (json.dumps(format_utc(at)),)
        )

    async def delete(self, environment_id: str) -> None:
        await self._table.delete(environment_id)

    async def count(self) -> int:
        return await self._table.count()

    async def count_by_health(self) -> dict[str, int]:
        sql = "SELECT health, count(*) FROM environments GROUP BY health"
        rows = await self._db.run(lambda c: c.execute(sql).fetchall())
        counts = dict.fromkeys((state.value for state in HealthState), 0)
        counts.update({str(health): int(n) for health, n in rows})
        return counts

    async def count_by_tag(self) -> dict[str, int]:
        sql = "SELECT tag, count(*) FROM environment_tags GROUP BY tag ORDER BY tag"
        rows = await self._db.run(lambda c: c.execute(sql).fetchall())
        return {str(tag): int(n) for tag, n in rows}


def _where(options: EnvironmentListOptions) -> tuple[str, list[str]]:
    """Return the WHERE clause and its parameters of options' filters."""
    clauses: list[str] = []
    params: list[str] = []
    if options.status is not None:
        clauses.append("health = ?")
        params.append(options.status.value)
    if options.tag is not None:
        clauses.append("id IN (SELECT environment_id FROM environment_tags WHERE tag = ?)")
        params.append(options.tag)
    if options.q:
        clauses.append(
            "(name LIKE ? ESCAPE '\\' OR json_extract(doc, '$.description') LIKE ? ESCAPE '\\'"
            " OR json_extract(doc, '$.environmentURL') LIKE ? ESCAPE '\\')"
        )
        params += [escape_like(options.q)] * 3
    if options.ids is not None:
        clauses.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(options.ids))
    if options.exclude_ids:
        clauses.append("id NOT IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(options.exclude_ids))
    where = " AND ".join(clauses) or "1"
    return where, params
