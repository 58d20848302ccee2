"""Request bodies above server.maxBodyBytes are refused with 413 and the error envelope.

Against a real server on 127.0.0.1: a 20 MB body to any route, declared (Content-Length) or
streamed (chunked); a declared one is answered before a byte of it is sent. Legitimate bodies,
the environment-file import the largest of them, fit under the default limit.
"""

import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from envdeck.api.body_limit import BodyLimitMiddleware
from envdeck.config import load_settings
from tests.support.live_app import LiveApp, app_settings, live_app_fixture, set_up_admin

MIB = 1024 * 1024
TWENTY_MB = 20 * MIB
ABSENT_ID = "6b05a2c33c0ca6934944ef1e"


live = live_app_fixture("limits", lambda data: app_settings(data, ENVDECK_HEALTH__ENABLED="false"))


@pytest.fixture(scope="module")
def admin_headers(live: LiveApp) -> dict[str, str]:
    return {"Authorization": f"Bearer {set_up_admin(live).token}"}


def assert_refused(response: httpx.Response, limit: int = 10 * MIB) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "PAYLOAD_TOO_LARGE"
    assert "server.maxBodyBytes" in error["message"]
    assert error["details"] == {"maxBytes": limit}
    assert "x-request-id" in response.headers


def schema_routes(live: LiveApp) -> list[tuple[str, str]]:
    # Built at the first request: some seconds on a busy machine.
    spec = httpx.get(f"{live.url}/api/openapi.json", timeout=60).json()
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", ABSENT_ID, path))
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def declare_only(live: LiveApp, method: str, path: str, size: int) -> tuple[int, dict[str, Any]]:
    """Send only the headers of a request declaring a body of `size`; return the answer."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode()
        )
        received = b""
        while b"\r\n\r\n" not in received or not _complete(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def _complete(raw: bytes) -> bool:
    head, _, body = raw.partition(b"\r\n\r\n")
    match = re.search(rb"content-length: (\d+)", head, re.I)
    return match is not None and len(body) >= int(match.group(1))


def test_every_route_answers_a_declared_20_mb_body_before_reading_it(live: LiveApp) -> None:
    # Not one byte of the body is sent: the answer comes from the headers alone.
    routes = [*schema_routes(live), ("POST", "/api/v1/nowhere"), ("POST", "/dashboard")]
    for method, path in routes:
        status, body = declare_only(live, method, path, TWENTY_MB)
        assert status == 413, (method, path, status, body)
        assert body["error"]["code"] == "PAYLOAD_TOO_LARGE", (method, path, body)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/setup"),
        ("POST", "/api/v1/environments"),
        ("PUT", f"/api/v1/environments/{ABSENT_ID}"),
        ("PATCH", f"/api/v1/users/{ABSENT_ID}"),
        ("POST", "/api/v1/environments/import?dryRun=true"),
    ],
)
def test_a_20_mb_body_is_refused(
    live: LiveApp, admin_headers: dict[str, str], method: str, path: str
) -> None:
    content_type = "application/yaml" if "import" in path else "application/json"
    body = b'{"name": "' + b"x" * TWENTY_MB + b'"}'
    response = httpx.request(
        method,
        f"{live.url}{path}",
        content=body,
        headers=admin_headers | {"Content-Type": content_type},
        timeout=60,
    )
    assert_refused(response)


async def _chunks(total: int, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


@pytest.mark.parametrize(
    "path", ["/api/v1/environments", "/api/v1/environments/import?dryRun=true"]
)
async def test_a_streamed_20_mb_body_is_refused_once_it_passes_the_limit(
    live: LiveApp, admin_headers: dict[str, str], path: str
) -> None:
    content_type = "application/yaml" if "import" in path else "application/json"
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(
            f"{live.url}{path}",
            content=_chunks(TWENTY_MB),
            headers=admin_headers | {"Content-Type": content_type},
        )
    assert "content-length" not in response.request.headers  # chunked, nothing declared
    assert_refused(response)


def test_the_largest_legitimate_body_fits(live: LiveApp, admin_headers: dict[str, str]) -> None:
    # The environment-file import takes files up to 5 MB; one of 4.5 MB goes through.
    notes = "n" * 15_000
    environments = [{"name": f"env-{i:03d}", "metadata": {"notes": notes}} for i in range(300)]
    text = yaml.safe_dump(
        {"apiVersion": "envdeck/v1", "kind": "EnvironmentList", "environments": environments},
        width=4096,
    )
    assert 4 * MIB < len(text) < 5 * MIB
    response = httpx.post(
        f"{live.url}/api/v1/environments/import?dryRun=true",
        content=text.encode(),
        headers=admin_headers | {"Content-Type": "application/yaml"},
        timeout=120,
    )
    assert response.status_code == 200, response.text[:300]
    assert len(response.json()["changes"]) == 300


def test_the_limit_comes_from_the_configuration(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "ENVDECK_DATA_DIR": str(tmp_path / "data"),
            "ENVDECK_SERVER__MAX_BODY_BYTES": "65536",
            "ENVDECK_HEALTH__ENABLED": "false",
        }
    )
    app = LiveApp(settings).start()
    try:
        small = httpx.post(f"{app.url}/api/v1/auth/login", json={"username": "a" * 60_000})
        large = httpx.post(f"{app.url}/api/v1/auth/login", json={"username": "a" * 70_000})
    finally:
        app.stop()
    assert small.status_code == 422, small.text[:200]
    assert_refused(large, limit=65536)


async def test_a_streamed_body_is_not_read_past_the_limit() -> None:
    """The middleware stops pulling chunks from the server once the limit is passed."""
    pulled = 0
    chunk = b"x" * 65536

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < 320}  # 20 MB

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass  # an app that reads everything it is given
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    await BodyLimitMiddleware(app, max_bytes=MIB)(scope, receive, send)
    assert pulled == MIB // len(chunk) + 1  # 16 chunks fit; the 17th passes the limit
    assert sent[0]["status"] == 413
    assert b"PAYLOAD_TOO_LARGE" in sent[1]["body"]
