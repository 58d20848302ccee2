"""The process log of a real `envdeck serve`: JSON lines that name the request and the caller.

Every line on stderr is JSON; each line written while a request is served carries its
`request_id`, and its `user_id` and `username` once the caller is authenticated (the access
line included); nothing of one request leaks into the next one on the same connection; and no
password or token appears anywhere.
"""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.security.logged_server import LoggedServer, start_logged_server
from tests.support.targets import Target

ADMIN_PASSWORD = "quartz-lantern-orbit-91"
WRONG_PASSWORD = "wrong-but-distinctive-password-4471"
HEADER_SECRET = "log-canary-header-secret-8812"


@pytest.fixture
def target() -> Iterator[Target]:
    running = Target().start()
    yield running
    running.stop()


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[LoggedServer]:
    running = start_logged_server(
        tmp_path,
        env={
            "ENVDECK_ADMIN_USERNAME": "admin",
            "ENVDECK_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "ENVDECK_HEALTH__ENABLED": "false",
            "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
        },
    )
    yield running
    running.stop()


def access_line(records: list[dict[str, Any]], request_id: str) -> dict[str, Any]:
    lines = [r for r in records if r["event"] == "request" and r.get("request_id") == request_id]
    assert len(lines) == 1, (request_id, lines)
    return lines[0]


def _environment(target: Target) -> dict[str, Any]:
    return {
        "name": "logged",
        "healthCheck": {
            "enabled": True,
            "endpoint": target.url("/health"),
            "headers": {"Authorization": f"Bearer {HEADER_SECRET}"},
        },
        "commands": {
            "type": "http",
            "restart": {
                "enabled": True,
                "url": target.url("/restart"),
                "headers": {"X-Api-Key": HEADER_SECRET},
            },
        },
    }


def test_every_line_is_json_and_names_the_request_and_its_caller(
    logged: LoggedServer, target: Target
) -> None:
    # One client, one keep-alive connection: requests follow each other on it.
    with httpx.Client(base_url=logged.url, timeout=30) as client:
        failed = client.post(
            "/api/v1/auth/login",
            json={"username": "admin", "password": WRONG_PASSWORD},
            headers={"X-Request-ID": "trace-bad-login"},
        )
        assert failed.status_code == 401
        login = client.post(
            "/api/v1/auth/login",
            json={"username": "admin", "password": ADMIN_PASSWORD},
            headers={"X-Request-ID": "trace-login"},
        )
        assert login.status_code == 200, login.text
        token, admin_id = login.json()["token"], login.json()["user"]["id"]
        auth = {"Authorization": f"Bearer {token}"}

        created = client.post(
            "/api/v1/environments",
            json=_environment(target),
            headers=auth | {"X-Request-ID": "trace-create"},
        )
        assert created.status_code == 201, created.text
        restart = client.post(
            f"/api/v1/environments/{created.json()['id']}/restart",
            headers=auth | {"X-Request-ID": "trace-restart"},
        )
        assert restart.status_code == 202, restart.text
        _wait_until_finished(client, auth, restart.json()["operationId"])
        missing = client.get(
            "/api/v1/environments/6b05a2c33c0ca6934944ef1e",
            headers=auth | {"X-Request-ID": "trace-missing"},
        )
        assert missing.status_code == 404
        # Right after authenticated requests, on the same connection: nobody is signed in.
        anonymous = client.get("/api/v1/health", headers={"X-Request-ID": "trace-anonymous"})
        assert anonymous.status_code == 200
        unsigned = client.get("/api/v1/environments", headers={"X-Request-ID": "trace-unsigned"})
        assert unsigned.status_code == 401
    assert target.stats_of("/restart").requests == 1

    log = logged.log()
    records = logged.log_records()  # fails on any line that is not JSON
    assert records, "the server logged nothing"
    for record in records:
        assert {"event", "level", "timestamp"} <= record.keys(), record

    for request_id, status in (
        ("trace-create", 201),
        ("trace-restart", 202),
        ("trace-missing", 404),
    ):
        line = access_line(records, request_id)
        assert line["status"] == status
        assert line["username"] == "admin", line
        assert line["user_id"] == admin_id, line
        assert line["method"] in {"GET", "POST"}
        assert line["path"].startswith("/api/v1/")
        assert isinstance(line["duration_ms"], float | int)

    # Lines the request's own work writes carry the request and the caller too.
    started = [r for r in records if r["event"] == "operation_started"]
    assert started, "the restart logged no operation_started"
    assert started[0]["request_id"] == "trace-restart"
    assert started[0]["username"] == "admin"

    for request_id, status in (
        ("trace-bad-login", 401),
        ("trace-login", 200),
        ("trace-anonymous", 200),
        ("trace-unsigned", 401),
    ):
        line = access_line(records, request_id)
        assert line["status"] == status
        assert "username" not in line, line
        assert "user_id" not in line, line

    for secret in (ADMIN_PASSWORD, WRONG_PASSWORD, token, HEADER_SECRET):
        assert secret not in log, secret


def _wait_until_finished(client: httpx.Client, auth: dict[str, str], operation_id: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/operations/{operation_id}", headers=auth).json()
        if body["status"] not in {"pending", "running"}:
            assert body["status"] == "succeeded", body
            return
        time.sleep(0.1)
    pytest.fail(f"operation {operation_id} did not finish")
