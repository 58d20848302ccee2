"""The original's MongoDB, read only: its collections as SEED.md and its repositories name them.

`environments`, `users` and `logs` are read whole; of `audit_log`, only restart and upgrade
events (the rest duplicates what `logs` holds). Nothing is ever written to the source.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import (
    ConfigurationError,
    InvalidURI,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from envdeck.domain.errors import Unavailable
from envdeck.services.migration.logs import AUDITED_OPERATIONS
from envdeck.services.migration.values import plain

Document = dict[str, Any]
SELECTION_TIMEOUT_MS = 5000


class SourceUnavailable(Unavailable):
    """The original's database cannot be read (a bad URI, nobody answering, no such data)."""

    default_message = "the source database cannot be read"


@dataclass
class OriginalData:
    """Every document the migration reads, in the order it writes them."""

    environments: list[Document] = field(default_factory=list)
    users: list[Document] = field(default_factory=list)
    logs: list[Document] = field(default_factory=list)
    audit: list[Document] = field(default_factory=list)


async def read_original(uri: str, database: str) -> OriginalData:
    """Return the original's documents from database at uri; SourceUnavailable (one line,
    never the password in the URI) when they cannot be read."""
    try:
        client: AsyncMongoClient[Document] = AsyncMongoClient(
            uri, serverSelectionTimeoutMS=SELECTION_TIMEOUT_MS, tz_aware=True
        )
    except (InvalidURI, ConfigurationError, ValueError, TypeError) as exc:
        raise SourceUnavailable(f"--source-uri is not a MongoDB URI: {_first_line(exc)}") from None
    try:
        db = client[database]
        names = set(await db.list_collection_names())
        if not names & {"environments", "users", "logs"}:
            raise SourceUnavailable(
                f"database {database!r} has none of the collections environments, users, logs:"
                " is --source-db the original's database?"
            )

        async def read(name: str, query: Document, order: list[tuple[str, int]]) -> list[Document]:
            if name not in names:
                return []
            return [doc async for doc in db[name].find(query).sort(order)]

        return OriginalData(
            environments=await read("environments", {}, [("_id", 1)]),
            users=await read("users", {}, [("_id", 1)]),
            logs=await read("logs", {}, [("timestamp", 1), ("_id", 1)]),
            audit=await read(
                "audit_log",
                {"type": {"$in": list(AUDITED_OPERATIONS)}},
                [("timestamp", 1), ("_id", 1)],
            ),
        )
    except ServerSelectionTimeoutError as exc:
        # Its text goes on with the whole topology: the first server's error says enough.
        reason = str(exc).split(" (configured timeouts", 1)[0].split(", Timeout:", 1)[0]
        raise SourceUnavailable(
            f"no MongoDB server answered within {SELECTION_TIMEOUT_MS // 1000} s: {reason[:200]}"
        ) from None
    except PyMongoError as exc:
        raise SourceUnavailable(f"cannot read the source database: {_first_line(exc)}") from None
    finally:
        await client.close()


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


# Log documents per request: a few hundred bytes each, well under the default body limit.
LOGS_PER_PART = 2000


def json_parts(data: OriginalData, *, dry_run: bool) -> Iterator[Document]:
    """Yield the documents as JSON (ObjectIds and times as text) in parts, for a remote
    Envdeck: environments and users together (each all or nothing), then the log entries in
    batches."""
    yield {"dryRun": dry_run, "environments": plain(data.environments), "users": plain(data.users)}
    for name, docs in (("logs", data.logs), ("auditLog", data.audit)):
        for start in range(0, len(docs), LOGS_PER_PART):
            yield {"dryRun": dry_run, name: plain(docs[start : start + LOGS_PER_PART])}
