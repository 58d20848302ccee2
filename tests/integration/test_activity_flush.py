"""Entries recorded just before a clean stop are in storage after it."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.log import LogFilter, LogType
from envdeck.repositories.sqlite import SqliteStorage


async def test_a_clean_stop_flushes_the_activity_log(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(ENVDECK_ACTIVITY_LOG__FLUSH_INTERVAL="1h")
    app = create_app(settings)
    with TestClient(app):
        for n in range(1200):
            app.state.services.activity.record(
                type=LogType.SYSTEM, action="start", message=f"entry {n}"
            )
    storage = SqliteStorage(settings.sqlite_path)
    await storage.open()
    assert await storage.logs.count(LogFilter()) == 1200
    await storage.close()
