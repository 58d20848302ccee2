"""The contract tier runs every repository test on SQLite, MongoDB and the in-memory fakes.

The fakes (tests/fakes) are what unit tests build services on; passing the same contract as
the real backends is what lets a unit test trust them.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from envdeck.repositories.base import Storage
from envdeck.repositories.mongo.storage import MongoStorage
from envdeck.repositories.sqlite import SqliteStorage
from tests.conftest import BACKENDS, drop_database, opened_storage, unique_database_name


@pytest_asyncio.fixture(params=[*BACKENDS, "memory"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """Yield an opened, empty store of each backend in turn, the fakes last."""
    async with opened_storage(request.param, request, tmp_path) as opened:
        yield opened


@pytest_asyncio.fixture(params=BACKENDS)
async def two_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Storage, Storage]]:
    """Yield two opened stores on one database (two connections, two clients), as two
    instances have them, on each real backend in turn."""
    if request.param == "sqlite":
        first: Storage = SqliteStorage(tmp_path / "envdeck.db")
        second: Storage = SqliteStorage(tmp_path / "envdeck.db")
    else:
        uri: str = request.getfixturevalue("mongo_uri")
        database = unique_database_name()
        first, second = MongoStorage(uri, database), MongoStorage(uri, database)
    await first.open()
    await second.open()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()
        if request.param == "mongo":
            await drop_database(uri, database)
