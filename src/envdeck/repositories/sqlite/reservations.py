"""Reservations in SQLite: one document each; the overlap check and the write share one
`BEGIN IMMEDIATE` transaction, so no other connection or process writes in between."""

import builtins
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from envdeck.domain.base import format_utc
from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.reservation import (
    CurrentAndNext,
    ExpiryState,
    Holder,
    Reservation,
    ReservationListOptions,
    ReservationNotFound,
    Reserved,
    current_and_next,
)
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, Params, dump, equality_clauses

_OVERLAPPING = """SELECT id, doc FROM reservations
    WHERE environment_id = ? AND released = 0 AND start_at < ? AND end_at > ? AND id != ?
    ORDER BY start_at LIMIT 1"""


class SqliteReservationRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._table = DocumentTable(db, "reservations", Reservation, ReservationNotFound)

    def _overlapping(
        self, conn: sqlite3.Connection, reservation: Reservation, end: datetime
    ) -> Reservation | None:
        params = (
            reservation.environment_id,
            format_utc(end),
            format_utc(reservation.start),
            reservation.id,
        )
        row = conn.execute(_OVERLAPPING, params).fetchone()
        return None if row is None else self._table.load(*row)

    async def create(self, reservation: Reservation) -> Reservation:
        stored = reservation.model_copy(update={"id": new_id(), "created_at": utc_now()})

        def write(conn: sqlite3.Connection) -> Reservation | None:
            with conn:
                # IMMEDIATE takes the write lock before the check: nobody inserts in between.
                conn.execute("BEGIN IMMEDIATE")
                conflict = self._overlapping(conn, stored, stored.end)
                if conflict is None:
                    conn.execute(
                        "INSERT INTO reservations (id, doc) VALUES (?, ?)",
                        (stored.id, dump(stored)),
                    )
                return conflict

        conflict = await self._table.db.run(write)
        if conflict is not None:
            raise Reserved.by(conflict)
        return stored

    async def get_by_id(self, reservation_id: str) -> Reservation:
        return await self._table.get(reservation_id)

    async def list(self, options: ReservationListOptions) -> tuple[builtins.list[Reservation], int]:
        clauses, params = equality_clauses(
            [
                ("environment_id", options.environment_id),
                ("holder_id", options.holder_id),
                ("holder_name", options.holder_username),
            ]
        )
        if options.active is not None:
            at = format_utc(options.at or utc_now())
            holding = "(released = 0 AND start_at <= ? AND end_at > ?)"
            clauses.append(holding if options.active else f"NOT {holding}")
            params += [at, at]
        if options.from_ is not None:
            clauses.append("end_at > ?")
            params.append(format_utc(options.from_))
        if options.to is not None:
            clauses.append("start_at < ?")
            params.append(format_utc(options.to))
        where = " AND ".join(clauses) or "1"
        return await self._table.page(where, params, "start_at DESC, id DESC", options)

    async def set_end(self, reservation_id: str, end: datetime) -> Reservation:
        def write(conn: sqlite3.Connection) -> Reservation:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                row = conn.execute(
                    "SELECT id, doc FROM reservations WHERE id = ? AND released = 0",
                    (reservation_id,),
                ).fetchone()
                if row is None:
                    raise ReservationNotFound
                current = self._table.load(*row)
                conflict = self._overlapping(conn, current, end)
                if conflict is not None:
                    raise Reserved.by(conflict)
                changed = current.model_copy(update={"end": end, "expiry": ExpiryState.PENDING})
                conn.execute(
                    "UPDATE reservations SET doc = ? WHERE id = ?", (dump(changed), changed.id)
                )
                return Reservation.model_validate(changed.model_dump())

        return await self._table.db.run(write)

    async def release(
        self, reservation_id: str, at: datetime, by: Holder, reason: str | None = None
    ) -> Reservation | None:
        await self._table.get(reservation_id)  # NotFound first
        change = {"releasedAt": format_utc(at), "releasedBy": by.model_dump(by_alias=True)}
        if reason is not None:
            change["breakReason"] = reason
        doc_sql = "json_patch(doc, ?)"

        def write(conn: sqlite3.Connection) -> str | None:
            sql = (
                f"UPDATE reservations SET doc = {doc_sql}"  # noqa: S608
                " WHERE id = ? AND released = 0 RETURNING doc"
            )
            row = conn.execute(sql, (json.dumps(change), reservation_id)).fetchone()
            return None if row is None else str(row[0])

        doc = await self._table.db.run(write)
        return None if doc is None else self._table.load(reservation_id, doc)

    async def current_and_next(
        self, environment_ids: Sequence[str], now: datetime
    ) -> dict[str, CurrentAndNext]:
        if not environment_ids:
            return {}
        marks = ", ".join("?" for _ in environment_ids)
        sql = (
            f"SELECT id, doc FROM reservations WHERE environment_id IN ({marks})"  # noqa: S608
            " AND released = 0 AND end_at > ? ORDER BY start_at"
        )
        params: Params = (*environment_ids, format_utc(now))
        rows = await self._table.db.run(lambda c: c.execute(sql, params).fetchall())
        return current_and_next([self._table.load(*row) for row in rows], now)

    async def reserved_between(self, start: datetime, end: datetime) -> set[str]:
        sql = (
            "SELECT DISTINCT environment_id FROM reservations"
            " WHERE released = 0 AND end_at > ? AND start_at < ?"
        )
        params = (format_utc(start), format_utc(end))
        rows = await self._table.db.run(lambda c: c.execute(sql, params).fetchall())
        return {str(row[0]) for row in rows}

    async def add_watcher(self, reservation_id: str, watcher: Holder) -> Reservation:
        def write(conn: sqlite3.Connection) -> Reservation:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                current = self._read(conn, reservation_id)
                if watcher not in current.watchers:
                    current.watchers.append(watcher)
                    conn.execute(
                        "UPDATE reservations SET doc = ? WHERE id = ?",
                        (dump(current), reservation_id),
                    )
                return current

        return await self._table.db.run(write)

    async def list_expiring(self, cutoff: datetime, limit: int) -> builtins.list[Reservation]:
        sql = (
            "SELECT id, doc FROM reservations WHERE released = 0 AND expiry != 'ended'"
            " AND end_at <= ? ORDER BY end_at, id LIMIT ?"
        )
        params = (format_utc(cutoff), limit)
        rows = await self._table.db.run(lambda c: c.execute(sql, params).fetchall())
        return [self._table.load(*row) for row in rows]

    async def advance_expiry(
        self, reservation_id: str, expected: ExpiryState, new: ExpiryState
    ) -> bool:
        sql = (
            "UPDATE reservations SET doc = json_set(doc, '$.expiry', ?) WHERE id = ? AND expiry = ?"
        )
        params = (new.value, reservation_id, expected.value)
        cursor = await self._table.db.run(lambda c: c.execute(sql, params))
        return int(cursor.rowcount) == 1

    def _read(self, conn: sqlite3.Connection, reservation_id: str) -> Reservation:
        row = conn.execute(
            "SELECT id, doc FROM reservations WHERE id = ?", (reservation_id,)
        ).fetchone()
        if row is None:
            raise ReservationNotFound
        return self._table.load(*row)
