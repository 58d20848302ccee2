"""What each backend does its own way for the activity log: SQLite's search index, query plans
and upgrade from version 3; MongoDB's TTL index."""

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from envdeck.domain.ids import new_id
from envdeck.domain.log import LogFilter, LogListOptions, LogType
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite.logs import _where
from envdeck.repositories.sqlite.schema import SCHEMA_VERSION

from ..conftest import drop_database, unique_database_name
from .factories import T0, make_log
from .test_sqlite_storage import execute_script, opened, user_version

VERSION_3_LOGS = """
DROP TRIGGER logs_fts_insert; DROP TRIGGER logs_fts_delete; DROP TRIGGER logs_fts_update;
DROP TABLE logs_fts;
DROP TRIGGER log_counts_insert; DROP TRIGGER log_counts_delete; DROP TRIGGER log_counts_update;
DROP TABLE log_counts;
DROP INDEX logs_environment_time; DROP INDEX logs_user_time; DROP INDEX logs_type_time;
DROP INDEX logs_type_level_time; DROP INDEX logs_level_time; DROP INDEX logs_action_time;
ALTER TABLE logs DROP COLUMN message;
ALTER TABLE logs DROP COLUMN environment_name;
ALTER TABLE logs DROP COLUMN username;
CREATE INDEX logs_environment ON logs (environment_id, timestamp DESC);
CREATE INDEX logs_user ON logs (user_id, timestamp DESC);
CREATE INDEX logs_type_level ON logs (type, level, timestamp DESC);
CREATE INDEX logs_level ON logs (level, timestamp DESC);
CREATE INDEX logs_action ON logs (action, timestamp DESC);
PRAGMA user_version = 3;
"""


def index_names(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return {str(name) for (name,) in rows}


async def test_a_version_3_database_gains_the_search_index_and_the_new_indexes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path) as storage:
        await storage.logs.create_many(
            [make_log(message="restarted staging-eu"), make_log(type="auth", action="login")]
        )
    execute_script(path, VERSION_3_LOGS)

    # Two at once, as two processes starting together would.
    async with opened(path) as storage, opened(path) as other:
        found, total = await storage.logs.list(LogListOptions(q="STAGING"))
        assert (total, [entry.message for entry in found]) == (1, ["restarted staging-eu"])
        await other.logs.create(make_log(message="stopped staging-us"))
        assert await storage.logs.count(LogFilter(q="staging")) == 2
        counts = await storage.logs.summarize(LogFilter())
        assert (counts.total, counts.by_type["auth"], counts.by_type["action"]) == (3, 1, 2)
    assert user_version(path) == SCHEMA_VERSION
    names = index_names(path)
    assert {"logs_environment_time", "logs_type_time", "logs_action_time"} <= names
    assert not {"logs_environment", "logs_type_level", "logs_action"} & names


@pytest.mark.parametrize(
    ("log_filter", "index"),
    [
        (LogFilter(), "logs_timestamp"),
        (LogFilter(start_date=T0, end_date=T0), "logs_timestamp"),
        (LogFilter(environment_id=new_id(), start_date=T0), "logs_environment_time"),
        (LogFilter(user_id=new_id()), "logs_user_time"),
        (LogFilter(type=LogType.AUTH), "logs_type_time"),
        (LogFilter(type=LogType.AUTH, level="error"), "logs_type_level_time"),
        (LogFilter(level="error"), "logs_level_time"),
        (LogFilter(action="restart"), "logs_action_time"),
    ],
    ids=["none", "dates", "environment", "user", "type", "type+level", "level", "action"],
)
async def test_every_filtered_page_is_read_newest_first_off_an_index(
    tmp_path: Path, log_filter: LogFilter, index: str
) -> None:
    path = tmp_path / "envdeck.db"
    async with opened(path):
        pass
    where, params = _where(log_filter)
    with closing(sqlite3.connect(path)) as conn:
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id, doc FROM logs WHERE {where}"  # noqa: S608
            " ORDER BY timestamp DESC, id DESC LIMIT 20",
            params,
        ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert f"INDEX {index}" in details
    assert "TEMP B-TREE" not in details


async def test_a_search_is_served_by_the_trigram_index(tmp_path: Path) -> None:
    async with opened(tmp_path / "envdeck.db"):
        pass
    where, params = _where(LogFilter(q="staging"))
    with closing(sqlite3.connect(tmp_path / "envdeck.db")) as conn:
        plan = conn.execute(f"EXPLAIN QUERY PLAN SELECT id FROM logs WHERE {where}", params)  # noqa: S608
        details = " ".join(str(row[-1]) for row in plan.fetchall())
    assert "logs_fts VIRTUAL TABLE" in details


async def test_mongodb_expires_entries_with_a_ttl_index_it_can_retune(mongo_uri: str) -> None:
    database = unique_database_name()
    storage = MongoStorage(mongo_uri, database)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        await storage.open()
        assert await storage.logs.expire_after(timedelta(days=90)) is True
        first = await client[database]["logs"].index_information()
        await storage.logs.expire_after(timedelta(days=7))
        second = await client[database]["logs"].index_information()
    finally:
        await storage.close()
        await client.close()
        await drop_database(mongo_uri, database)

    def ttl(indexes: dict[str, dict[str, object]]) -> object:
        return next(
            spec["expireAfterSeconds"]
            for spec in indexes.values()
            if spec["key"] == [("timestamp", 1)]
        )

    assert ttl(first) == 90 * 86400
    assert ttl(second) == 7 * 86400
