"""Fixtures every tier may use: a MongoDB server for the session and a fresh store per test.

MongoDB is SecantusDB (a wire-protocol server in Python) started once per session on a free
port, unless ENVDECK_TEST_MONGODB_URI names a real MongoDB to use instead. Each test that asks
for `storage` runs once per backend (`test_x[sqlite]`, `test_x[mongo]`) on an empty store.
"""

import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
import structlog
from pymongo import AsyncMongoClient

from envdeck.repositories.base import Storage
from envdeck.repositories.mongo import MongoStorage
from envdeck.repositories.sqlite import SqliteStorage
from tests.fakes.storage import FakeStorage

MONGODB_URI_VARIABLE = "ENVDECK_TEST_MONGODB_URI"
BACKENDS = ["sqlite", "mongo"]

# ---- the process log of apps running inside the test process -------------------------------------


def route_logs_to_pytest() -> None:
    """Send structlog's lines through the standard library, where pytest captures them per test.

    structlog's default configuration prints each line to whatever `sys.stdout` is at that
    moment: pytest's capture while a test runs, but the terminal itself while pytest prints its
    progress, which is when a server thread of an in-process app or a live server logs what
    followed the test (an access line, a WebSocket closing). Through `logging` a line lands in
    the running test's captured log ("Captured log" of a failure) or, between tests, nowhere.
    The wrapper is the one `envdeck serve` uses (envdeck.logsetup); below warning nothing is
    rendered, as with pytest's default log level.
    """
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            # Plain text tracebacks: the default one prints every frame's locals, tokens included.
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            ),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


# Without a handler on the root logger, `logging` writes warnings to `sys.stderr` (the terminal,
# between tests); pytest adds its own handlers only while a test runs.
_SINK = logging.NullHandler()


@pytest.fixture(scope="session", autouse=True)
def process_logs_captured() -> Iterator[None]:
    """Route logs to pytest for the session (see route_logs_to_pytest)."""
    route_logs_to_pytest()
    root = logging.getLogger()
    level = root.level
    root.addHandler(_SINK)
    yield
    root.removeHandler(_SINK)
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture(autouse=True)
def process_logs_restored(process_logs_captured: None) -> Iterator[None]:
    """Undo a test's own logging configuration (envdeck.logsetup's, or structlog's defaults)."""
    root = logging.getLogger()
    level = root.level
    yield
    route_logs_to_pytest()
    # envdeck.logsetup.configure_logging replaces the root's handlers with its own renderer.
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            root.removeHandler(handler)
    if _SINK not in root.handlers:
        root.addHandler(_SINK)
    root.setLevel(level)


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


@contextlib.asynccontextmanager
async def opened_storage(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Storage]:
    """Yield an opened, empty store of this backend; close (and drop) it afterwards.

    "memory" is the in-memory FakeStorage of tests/fakes: the contract tests run on it too,
    so the fakes that unit tests build services on keep the protocols' semantics.
    """
    if backend == "memory":
        fake = FakeStorage()
        await fake.open()
        yield fake
        await fake.close()
        return
    if backend == "sqlite":
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


@pytest_asyncio.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """Yield an opened, empty store of each backend in turn; close (and drop) it afterwards."""
    async with opened_storage(request.param, request, tmp_path) as opened:
        yield opened
