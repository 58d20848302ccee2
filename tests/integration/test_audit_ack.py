"""A response is sent once its request's activity-log entries are stored, or says they are not."""

import sqlite3
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings
from tests.integration.conftest import ADMIN_PASSWORD, read_setup_token

# Nobody waits out this interval: what is stored before a response was stored for it.
FLUSH = "1h"


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(ENVDECK_ACTIVITY_LOG__FLUSH_INTERVAL=FLUSH)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        created = test_client.post(
            "/api/v1/setup",
            json={
                "token": read_setup_token(settings),
                "username": "admin",
                "password": ADMIN_PASSWORD,
            },
        )
        assert created.status_code == 201, created.text
        test_client.headers["Authorization"] = f"Bearer {created.json()['token']}"
        yield test_client


def stored_actions(settings: Settings) -> list[str]:
    """Read the log straight from the file, as another process would."""
    with sqlite3.connect(settings.sqlite_path) as conn:
        return [action for (action,) in conn.execute("SELECT doc ->> '$.action' FROM logs")]


def test_a_change_is_answered_once_its_entry_is_stored(
    client: TestClient, settings: Settings
) -> None:
    created = client.post("/api/v1/environments", json={"name": "shop-prod"})

    assert created.status_code == 201
    assert "envdeck-audit" not in created.headers
    assert "create" in stored_actions(settings)


def test_a_read_waits_for_nothing(client: TestClient) -> None:
    listed = client.get("/api/v1/environments")

    assert listed.status_code == 200
    assert "envdeck-audit" not in listed.headers


def test_when_storage_refuses_the_entry_the_answer_says_it_is_pending(
    client: TestClient, settings: Settings
) -> None:
    # A refusal that writes nothing but its entry: an API token may not change a password.
    # (A failed login now writes its attempt first, so it is refused with 503 instead.) The
    # token is used once beforehand, so that it does not record its first use then.
    token = client.post("/api/v1/tokens", json={"name": "ci"}).json()["secret"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    # Another process holds the write lock (a maintenance tool): the log's write fails after
    # SQLite's busy timeout, and the refusal is answered without its entry stored.
    holder = sqlite3.connect(settings.sqlite_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        refused = client.post(
            "/api/v1/users/password/change",
            json={"currentPassword": ADMIN_PASSWORD, "newPassword": "saffron-glacier-meadow-64"},
            headers=bearer,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert refused.status_code == 403
    assert refused.headers["envdeck-audit"] == "pending"
    deadline = time.monotonic() + 30
    while "password_change_failed" not in stored_actions(settings):  # once storage is back
        assert time.monotonic() < deadline, "the pending entry was never stored"
        time.sleep(0.1)
