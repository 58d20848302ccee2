"""What only the SQLite backend has: one file shared by processes, and older files upgraded."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from datetime import timedelta
from pathlib import Path

from envdeck.domain.clock import utc_now
from envdeck.domain.environment import CredentialRef
from envdeck.domain.errors import Conflict
from envdeck.domain.ids import new_id
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from .factories import make_environment, make_token, make_user


@asynccontextmanager
async def opened(path: Path) -> AsyncIterator[SqliteStorage]:
    storage = SqliteStorage(path)
    try:
        await storage.open()
        yield storage
    finally:
        await storage.close()


def execute_script(path: Path, script: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.executescript(script)


def downgrade_to_version_2(path: Path) -> None:
    """Leave the database as version 2 wrote it: environments without credential_id."""
    execute_script(
        path,
        "DROP INDEX environments_credential;"
        " ALTER TABLE environments DROP COLUMN credential_id;"
        " PRAGMA user_version = 2;",
    )


def downgrade_to_version_1(path: Path) -> None:
    """Leave the database as version 1 wrote it: no auth tables, users without sessionVersion."""
    downgrade_to_version_2(path)
    execute_script(
        path,
        "DROP TABLE api_tokens; DROP TABLE revocations;"
        " UPDATE users SET doc = json_remove(doc, '$.sessionVersion');"
        " PRAGMA user_version = 1;",
    )


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
    return int(version)


async def test_a_version_1_database_gains_the_authentication_tables(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    downgrade_to_version_1(path)

    async with opened(path) as storage:
        token = await storage.tokens.create(make_token())
        await storage.revocations.revoke("jti-1", utc_now() + timedelta(hours=1))

        assert await storage.tokens.get_by_id(token.id) == token
        assert await storage.revocations.is_revoked("jti-1") is True
    assert user_version(path) == SCHEMA_VERSION


async def test_users_stored_before_session_versions_start_at_version_0(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path) as storage:
        old = await storage.users.create(make_user())
    downgrade_to_version_1(path)

    async with opened(path) as storage:
        assert (await storage.users.get_by_id(old.id)).session_version == 0
        assert (await storage.users.update(old)).session_version == 0
        await storage.users.update_password(old.id, "new")
        assert (await storage.users.get_by_id(old.id)).session_version == 1


async def test_only_one_create_first_succeeds_across_connections_to_one_file(
    tmp_path: Path,
) -> None:
    # Each SqliteStorage has its own connection and thread, as another process would.
    path = tmp_path / "envdeck.db"
    async with opened(path) as one, opened(path) as two:
        results = await asyncio.gather(
            *(store.users.create_first(make_user()) for store in [one, two] * 5),
            return_exceptions=True,
        )

        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert sum(isinstance(r, Conflict) for r in results) == 9
        assert await one.users.count() == await two.users.count() == 1


async def test_a_version_2_database_gains_the_credential_column(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    key_id = new_id()
    async with opened(path) as storage:
        env = await storage.environments.create(
            make_environment(credentials=CredentialRef(key_id=key_id))
        )
    downgrade_to_version_2(path)

    # Two at once, as two processes starting together would: the column is added once.
    async with opened(path) as one, opened(path) as two:
        await asyncio.gather(one.environments.count(), two.environments.count())
        assert await one.environments.list_by_credential(key_id) == [env]
    assert user_version(path) == SCHEMA_VERSION


async def test_the_credential_lookup_is_served_by_an_index(tmp_path: Path) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    with closing(sqlite3.connect(path)) as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id, doc FROM environments"
            " WHERE credential_id = ? ORDER BY name",
            (new_id(),),
        ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX environments_credential" in details
    assert "TEMP B-TREE" not in details
