"""Fixtures every tier may use: a MongoDB server for the session and a fresh store per test.

MongoDB is SecantusDB (a wire-protocol server in Python) started once per session on a free
port, unless ENVDECK_TEST_MONGODB_URI names a real MongoDB to use instead. Each test that asks
for `storage` runs once per backend (`test_x[sqlite]`, `test_x[mongo]`) on an empty store.
"""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from envdeck.repositories.base import Storage
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite import SqliteStorage

MONGODB_URI_VARIABLE = "ENVDECK_TEST_MONGODB_URI"
BACKENDS = ["sqlite", "mongo"]


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URI of the session's MongoDB, starting SecantusDB on first use."""
    uri = os.environ.get(MONGODB_URI_VARIABLE)
    if uri:
        yield uri
        return
    from secantus import SecantusDBServer

    with SecantusDBServer(storage_path=str(tmp_path_factory.mktemp("secantus"))) as server:
        yield server.uri


def unique_database_name() -> str:
    """Return a database name no other test uses, so tests never see each other's data."""
    return f"envdeck_test_{uuid.uuid4().hex[:16]}"


async def drop_database(uri: str, name: str) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, serverSelectionTimeoutMS=5000
    )
    try:
        await client.drop_database(name)
    finally:
        await client.close()


@pytest_asyncio.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """Yield an opened, empty store of each backend in turn; close (and drop) it afterwards."""
    if request.param == "sqlite":
        sqlite = SqliteStorage(tmp_path / "envdeck.db")
        await sqlite.open()
        try:
            yield sqlite
        finally:
            await sqlite.close()
        return
    uri: str = request.getfixturevalue("mongo_uri")
    database = unique_database_name()
    mongo = MongoStorage(uri, database)
    try:
        await mongo.open()
        yield mongo
    finally:
        await mongo.close()
        await drop_database(uri, database)
