"""SIGTERM: stop taking work, let running operations finish in time or interrupt them, lose nothing.

The real `envdeck serve` (SQLite) with `server.shutdownTimeout: 6s` runs two restarts against the
demo fleet: one whose target comes back after 2 s (it finishes inside the budget), one whose
target stays down for 10 minutes (it cannot). A WebSocket client tails the activity log, and one
more restart request is half sent (headers, no body yet) when SIGTERM arrives. Then:

- the WebSocket is closed with 1001 (going away) at once;
- the listening socket is closed: new connections are refused;
- the half-sent restart, completed now, is refused with 503 `UNAVAILABLE` (Retry-After);
- the operation that could finish does (`succeeded`); the other is `interrupted` once the budget
  is spent; both environments are free;
- the process exits with status 0, and every activity-log entry is stored (none spilled to the
  process log instead).
"""

import asyncio
import contextlib
import json
import signal
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from envdeck.app import create_app
from envdeck.config import load_settings
from envdeck.server import uvicorn_config
from tests.faults.durability import check_sqlite_file, read_stored_state, server_settings
from tests.support.fleet import FleetProcess, start_fleet
from tests.support.operations import fleet_environment
from tests.support.server import start_server

ADMIN = "admin"
PASSWORD = "quartz-lantern-orbit-91"
SHUTDOWN_TIMEOUT = 6.0
ENVIRON = {
    "ENVDECK_ADMIN_USERNAME": ADMIN,
    "ENVDECK_ADMIN_PASSWORD": PASSWORD,
    "ENVDECK_AUTH__BCRYPT_COST": "4",
    "ENVDECK_SERVER__SHUTDOWN_TIMEOUT": f"{SHUTDOWN_TIMEOUT:g}s",
    "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
    "ENVDECK_LOG__LEVEL": "info",
    "ENVDECK_LOG__FORMAT": "json",
}


@pytest.fixture
def fleet() -> Iterator[FleetProcess]:
    with start_fleet(12, transition_seconds=1.0) as running:
        yield running


def test_uvicorn_waits_for_requests_as_long_as_operations_may_run(tmp_path: Path) -> None:
    settings = load_settings(
        environ={"ENVDECK_DATA_DIR": str(tmp_path), "ENVDECK_SERVER__SHUTDOWN_TIMEOUT": "2500ms"}
    )

    config = uvicorn_config(create_app(settings, serve_ui=False), settings, "127.0.0.1", 8080)

    assert config.timeout_graceful_shutdown == 2.5


async def body_when(released: asyncio.Event) -> AsyncIterator[bytes]:
    """A request body that is sent only once released is set."""
    await released.wait()
    yield b"{}"


def refuses_connections(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return True
    return False


async def tail_until_closed(websocket: ClientConnection, shown: set[str]) -> int | None:
    """Collect the log entries shown until the server closes; return its close code."""
    with contextlib.suppress(ConnectionClosed):
        async for message in websocket:
            frame = json.loads(message)
            if frame["type"] == "log":
                shown.add(frame["payload"]["entry"]["id"])
    return websocket.close_code


async def wait_running(api: httpx.AsyncClient, op_id: str) -> None:
    deadline = time.monotonic() + 30
    while (await api.get(f"/operations/{op_id}")).json()["status"] != "running":
        assert time.monotonic() < deadline, "the operation never ran"
        await asyncio.sleep(0.05)


async def test_sigterm_finishes_what_it_can_interrupts_the_rest_and_exits_0(
    tmp_path: Path, fleet: FleetProcess
) -> None:
    fleet.configure("shop-qa", restartDownSeconds=2)  # back before the budget is spent
    fleet.configure("shop-prod", restartDownSeconds=600)  # not
    server = start_server(tmp_path, env=ENVIRON)
    shown: set[str] = set()
    try:
        async with httpx.AsyncClient(base_url=f"{server.url}/api/v1", timeout=30) as api:
            login = await api.post("/auth/login", json={"username": ADMIN, "password": PASSWORD})
            token = login.json()["token"]
            api.headers["Authorization"] = f"Bearer {token}"
            env_ids: dict[str, str] = {}
            for name in ("shop-qa", "shop-prod", "shop-dev"):
                config = fleet_environment(fleet, name, verify_timeout=600)
                created = await api.post("/environments", json=config)
                assert created.status_code == 201, created.text
                env_ids[name] = created.json()["id"]

            websocket = await connect(server.url.replace("http://", "ws://") + "/ws")
            await websocket.send(json.dumps({"type": "auth", "payload": {"token": token}}))
            await websocket.send(json.dumps({"type": "subscribe", "payload": {"logs": True}}))
            tail = asyncio.create_task(tail_until_closed(websocket, shown))

            ops: dict[str, str] = {}
            for name in ("shop-qa", "shop-prod"):
                started = await api.post(f"/environments/{env_ids[name]}/restart", json={})
                assert started.status_code == 202, started.text
                ops[name] = started.json()["operationId"]
                await wait_running(api, ops[name])

            # Headers sent, body held back: a request in flight when the signal arrives.
            released = asyncio.Event()
            late = asyncio.create_task(
                api.post(
                    f"/environments/{env_ids['shop-dev']}/restart",
                    content=body_when(released),
                    headers={"Content-Type": "application/json"},
                )
            )
            await asyncio.sleep(0.5)

            signalled = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(tail, 10) == 1001
            closed_ws_after = time.monotonic() - signalled
            deadline = time.monotonic() + 5
            while not refuses_connections(server.url):
                assert time.monotonic() < deadline, "still accepting connections"
                await asyncio.sleep(0.05)
            released.set()
            refused = await asyncio.wait_for(late, 10)
        exit_status = await asyncio.to_thread(server.process.wait, 30)
        exited_after = time.monotonic() - signalled
    finally:
        output = server.output()

    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "UNAVAILABLE"
    assert "Retry-After" in refused.headers
    assert exit_status == 0, output[-3000:]
    assert "activity_log_entry_unstored" not in output
    assert "Traceback" not in output

    settings = server_settings(tmp_path, ENVIRON)
    check_sqlite_file(settings.sqlite_path)
    state = await read_stored_state(settings)
    by_id = {op.id: op for op in state.operations}
    assert len(state.operations) == 2  # the refused restart left no record
    finished, interrupted = by_id[ops["shop-qa"]], by_id[ops["shop-prod"]]
    assert finished.status.value == "succeeded", finished
    assert interrupted.status.value == "interrupted", interrupted
    assert interrupted.error is not None
    assert interrupted.error.code == "INTERRUPTED"
    assert not [env for env in state.environments if env.active_operation is not None]
    for name, outcome in (("shop-qa", "succeeded"), ("shop-prod", "interrupted")):
        statuses = [entry.details.get("status") for entry in state.logs_of(env_ids[name])]
        assert outcome in statuses, statuses
    assert shown <= {entry.id for entry in state.logs}

    print(
        f"\nSIGTERM: WebSocket closed 1001 after {closed_ws_after * 1000:.0f} ms; exit 0 after"
        f" {exited_after:.1f} s (shutdownTimeout {SHUTDOWN_TIMEOUT:g} s); the finished restart took"
        f" {_seconds(finished.duration_ms)} s, the interrupted one ran"
        f" {_seconds(interrupted.duration_ms)} s; {len(state.logs)} log entries stored,"
        f" {len(shown)} shown on /ws before the close"
    )


def _seconds(duration_ms: Any) -> str:
    return f"{duration_ms / 1000:.1f}" if isinstance(duration_ms, int | float) else "?"
