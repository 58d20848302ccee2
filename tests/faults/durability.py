"""What a crash or a stop must leave behind, read straight from storage once the process is gone.

`read_stored_state` pages through every repository, so every stored document is parsed into its
domain model (a half-written document fails here); `check_sqlite_file` runs SQLite's own
`PRAGMA integrity_check` and checks that every JSON document column holds valid JSON.
"""

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from envdeck.app import create_storage
from envdeck.config import Settings, load_settings
from envdeck.domain.base import MAX_PAGE_LIMIT
from envdeck.domain.credential import CredentialListOptions
from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.domain.log import LogEntry, LogFilter
from envdeck.domain.maintenance import MaintenanceWindowListOptions
from envdeck.domain.operation import Operation, OperationListOptions
from envdeck.domain.user import ApiTokenListOptions, UserListOptions
from envdeck.repositories.base import Storage

T = TypeVar("T")


@dataclass
class StoredState:
    environments: list[Environment]
    operations: list[Operation]
    logs: list[LogEntry]
    # Every other collection, by name: how many documents parsed.
    others: dict[str, int]

    def logs_of(self, environment_id: str) -> list[LogEntry]:
        return [entry for entry in self.logs if entry.environment_id == environment_id]


def server_settings(workdir: Path, environ: dict[str, str]) -> Settings:
    """The settings `envdeck serve` had when started in workdir with these variables."""
    return load_settings(environ={"ENVDECK_DATA_DIR": str(workdir / "data"), **environ})


async def _every(page_of: Callable[[int], Awaitable[tuple[list[T], int]]]) -> list[T]:
    items: list[T] = []
    page = 1
    while True:
        batch, total = await page_of(page)
        items += batch
        if not batch or len(items) >= total:
            return items
        page += 1


async def read_stored_state(settings: Settings) -> StoredState:
    """Open the storage these settings name and parse every document it holds."""
    storage: Storage = create_storage(settings)
    await storage.open()
    try:
        limit = MAX_PAGE_LIMIT
        environments = await _every(
            lambda page: storage.environments.list(EnvironmentListOptions(page=page, limit=limit))
        )
        operations = await _every(
            lambda page: storage.operations.list(OperationListOptions(page=page, limit=limit))
        )
        logs = [entry async for batch in storage.logs.iterate(LogFilter(), 1000) for entry in batch]
        others: dict[str, int] = {
            "users": len(
                await _every(
                    lambda page: storage.users.list(UserListOptions(page=page, limit=limit))
                )
            ),
            "credentials": len(
                await _every(
                    lambda page: storage.credentials.list(
                        CredentialListOptions(page=page, limit=limit)
                    )
                )
            ),
            "tokens": len(
                await _every(
                    lambda page: storage.tokens.list(ApiTokenListOptions(page=page, limit=limit))
                )
            ),
            "maintenance_windows": len(
                await _every(
                    lambda page: storage.maintenance_windows.list(
                        MaintenanceWindowListOptions(page=page, limit=limit)
                    )
                )
            ),
        }
        channels: Any = getattr(storage, "notification_channels", None)
        if channels is not None:
            from envdeck.domain.notification import NotificationChannelListOptions

            others["notification_channels"] = len(
                await _every(
                    lambda page: channels.list(
                        NotificationChannelListOptions(page=page, limit=limit)
                    )
                )
            )
        return StoredState(environments, operations, logs, others)
    finally:
        await storage.close()


def check_sqlite_file(path: Path) -> int:
    """Assert SQLite finds the file intact and every document is whole JSON; return how many
    documents were checked."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if any(column[1] == "doc" for column in conn.execute(f"PRAGMA table_xinfo({name})"))
        ]
        checked = 0
        for table in tables:
            rows, broken = conn.execute(
                f"SELECT count(*), count(*) FILTER (WHERE NOT json_valid(doc)) FROM {table}"  # noqa: S608
            ).fetchone()
            assert broken == 0, f"{broken} half-written documents in {table}"
            checked += rows
    return checked
