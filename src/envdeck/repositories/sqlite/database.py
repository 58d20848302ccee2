"""One SQLite database file, used from one worker thread.

SQLite allows one writer at a time; funnelling every statement through a single thread and
connection makes each repository call atomic without cross-thread locking, and keeps the event
loop free. WAL mode lets `sqlite3` readers in other processes (backups, the CLI) run alongside.
"""

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from envdeck.domain.errors import AlreadyExists, StorageUnavailable
from envdeck.repositories.sqlite.schema import ADDED_COLUMNS, MIGRATIONS, SCHEMA, SCHEMA_VERSION

T = TypeVar("T")

# Errors that mean "storage cannot serve now" rather than a bug in a statement.
_UNAVAILABLE_PREFIXES = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_PROTOCOL",
    "SQLITE_NOTADB",
)
# How long a statement waits for a lock another connection holds before failing.
BUSY_TIMEOUT_MS = 5000
# How long ping() waits for the write lock: it answers "could a write start now?", quickly.
PING_BUSY_TIMEOUT_MS = 200


class SqliteDatabase:
    """The connection, its thread, and the schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._connection: sqlite3.Connection | None = None

    async def open(self) -> None:
        """Create the file (and its folder) if needed, then apply the schema."""
        await self.run(lambda _conn: None)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run work(connection) on the database thread, mapping SQLite errors to domain ones."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, work)

    async def ping(self) -> None:
        """Return when a write could start now; raise StorageUnavailable when it could not.

        A file another process holds write-locked (a long transaction, a maintenance tool) fails
        every write after the busy timeout, so to Envdeck storage is unavailable then, even
        though reads would still answer.
        """
        await self.run(_probe_write_lock)

    async def close(self) -> None:
        """Close the connection and stop the thread."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return work(self._connect())
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise duplicate_error(exc) from exc
            raise
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "").startswith(_UNAVAILABLE_PREFIXES):
                raise StorageUnavailable(details={"backend": "sqlite"}) from exc
            raise

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            _migrate(conn)
            self._connection = conn
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _probe_write_lock(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout={PING_BUSY_TIMEOUT_MS}")
    try:
        # Takes the write lock and gives it back at once: nothing is written.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def duplicate_error(exc: sqlite3.IntegrityError) -> AlreadyExists:
    """Turn "UNIQUE constraint failed: users.username_key" into AlreadyExists naming the field."""
    column = str(exc).rsplit(".", 1)[-1].removesuffix("_key")
    field = {"name": "name", "username": "username", "email": "email"}.get(column, column)
    return AlreadyExists(f"{field} already exists", details={"field": field})


def _migrate(conn: sqlite3.Connection) -> None:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {version} is newer than this Envdeck supports")
    if 0 < version < SCHEMA_VERSION:
        _add_columns(conn, version)
    # The schema is idempotent (IF NOT EXISTS) and applied in one transaction, with the
    # migrations this database has not had yet.
    pending = "".join(sql for since, sql in MIGRATIONS if 0 < version < since)
    conn.executescript(
        f"BEGIN IMMEDIATE; {SCHEMA} {pending} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    )


def _add_columns(conn: sqlite3.Connection, version: int) -> None:
    """Add the columns that tables of a database of this version lack."""
    with conn:
        # Under the write lock: another process may be upgrading the same file right now.
        conn.execute("BEGIN IMMEDIATE")
        for since, table, column, definition in ADDED_COLUMNS:
            present = {row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")}
            if since > version and present and column not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
