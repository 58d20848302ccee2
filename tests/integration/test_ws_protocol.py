"""The /ws protocol with a real WebSocket client against the running server (DESIGN §6)."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from envdeck.adapters.events import OperationOutput, OperationUpdated, StatusChanged
from envdeck.domain.environment import HealthState, Status
from envdeck.domain.operation import Operation, OperationStatus, OperationType
from envdeck.services.realtime import CloseCode
from tests.support.live_app import (
    Account,
    LiveApp,
    account_fixture,
    admin_fixture,
    app_settings,
    close_code,
    live_app_fixture,
    open_session,
    recv_frame,
    recv_matching,
    recv_until,
    send_frame,
)

ALLOWED_ORIGIN = "http://ui.example:5173"
OPERATION_ID = "6a0000000000000000000001"
OTHER_OPERATION_ID = "6a0000000000000000000002"


live = live_app_fixture(
    "ws",
    lambda data: app_settings(
        data,
        ENVDECK_ALLOW_ORIGINS=ALLOWED_ORIGIN,
        ENVDECK_REALTIME__AUTH_TIMEOUT="1s",
        ENVDECK_REALTIME__MESSAGE_RATE="20/second",
        # The environments created here have health checks; their status frames would
        # interleave with the frames these tests read in order.
        ENVDECK_HEALTH__ENABLED="false",
    ),
)
admin = admin_fixture()
viewer = account_fixture("victor", "viewer")


def environment_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "target": {"host": "10.0.0.5", "port": 22},
        "healthCheck": {
            "enabled": True,
            "endpoint": "https://shop.example.com/health",
            "headers": {"Authorization": "Bearer s3cr3t-never-pushed"},
        },
    }


async def api(live: LiveApp, account: Account, method: str, path: str, **kwargs: Any) -> Any:
    async with httpx.AsyncClient(base_url=f"{live.url}/api/v1") as client:
        response = await client.request(
            method, path, headers={"Authorization": f"Bearer {account.token}"}, **kwargs
        )
    assert response.is_success, response.text
    return response.json() if response.content else None


def status_event(environment_id: str, message: str = "") -> StatusChanged:
    return StatusChanged(
        environment_id=environment_id,
        status=Status(health=HealthState.UNHEALTHY, message=message),
        previous=HealthState.HEALTHY,
    )


async def barrier(live: LiveApp, *websockets: ClientConnection) -> list[list[dict[str, Any]]]:
    """Publish a marker every client gets; return what each received before it.

    The hub handles events in bus order, so whatever it queued for a client before the marker
    arrives before it: a frame missing here was never sent.
    """
    marker = f"barrier-{id(websockets)}-{asyncio.get_running_loop().time()}"
    await live.publish(status_event("6affffffffffffffffffffff", marker))
    seen = []
    for websocket in websockets:
        while True:
            frame, before = await recv_until(websocket, "status_update")
            if frame["payload"]["status"]["message"] == marker:
                seen.append(before)
                break
    return seen


# --- authentication ----------------------------------------------------------------------


async def test_authenticates_by_first_frame_and_answers_ready(
    live: LiveApp, viewer: Account
) -> None:
    async with connect(live.ws_url) as websocket:
        await send_frame(websocket, "auth", {"token": viewer.token})
        ready = await recv_frame(websocket)
    assert ready["type"] == "ready"
    assert ready["payload"]["role"] == "viewer"
    assert ready["payload"]["user"]["username"] == "victor"
    assert "passwordHash" not in ready["payload"]["user"]


async def test_authenticates_by_query_token(live: LiveApp, viewer: Account) -> None:
    async with connect(f"{live.ws_url}?token={viewer.token}") as websocket:
        ready = await recv_frame(websocket)
    assert ready["type"] == "ready"
    assert ready["payload"]["user"]["id"] == viewer.user_id


async def test_an_api_token_works_too(live: LiveApp, admin: Account) -> None:
    created = await api(live, admin, "POST", "/tokens", json={"name": "ws", "role": "viewer"})
    websocket = await open_session(live, created["secret"])
    await send_frame(websocket, "ping")
    assert (await recv_frame(websocket))["type"] == "pong"
    await websocket.close()


@pytest.mark.parametrize("how", ["frame", "query"])
async def test_a_bad_token_gets_an_error_and_close_4001(live: LiveApp, how: str) -> None:
    url = f"{live.ws_url}?token=not-a-token" if how == "query" else live.ws_url
    async with connect(url) as websocket:
        if how == "frame":
            await send_frame(websocket, "auth", {"token": "not-a-token"})
        error = await recv_frame(websocket)
        assert await close_code(websocket) == CloseCode.UNAUTHORIZED
    assert error["type"] == "error"
    assert error["payload"]["code"] == "UNAUTHORIZED"


async def test_closes_4001_when_no_auth_frame_arrives_in_time(live: LiveApp) -> None:
    async with connect(live.ws_url) as websocket:
        error = await recv_frame(websocket)
        assert await close_code(websocket) == CloseCode.UNAUTHORIZED
    assert "timed out" in error["payload"]["message"]


async def test_the_first_frame_must_be_auth(live: LiveApp) -> None:
    async with connect(live.ws_url) as websocket:
        await send_frame(websocket, "subscribe", {"logs": True})
        error = await recv_frame(websocket)
        assert await close_code(websocket) == CloseCode.UNAUTHORIZED
    assert error["payload"]["code"] == "UNAUTHORIZED"


# --- messages ------------------------------------------------------------------------------


async def test_ping_is_answered_with_pong_echoing_the_payload(
    live: LiveApp, viewer: Account
) -> None:
    websocket = await open_session(live, viewer.token)
    await send_frame(websocket, "ping", {"id": 7})
    assert await recv_frame(websocket) == {"type": "pong", "payload": {"id": 7}}
    await websocket.close()


async def test_a_viewer_subscribed_to_nothing_gets_every_dashboard_message(
    live: LiveApp, admin: Account, viewer: Account
) -> None:
    websocket = await open_session(live, viewer.token)

    created = await api(live, admin, "POST", "/environments", json=environment_body("shop-qa"))
    update, _ = await recv_until(websocket, "environment_update")
    assert update["payload"]["action"] == "created"
    assert update["payload"]["environment"]["id"] == created["id"]
    # Pushed environments are masked like the API's answers.
    headers = update["payload"]["environment"]["healthCheck"]["headers"]
    assert headers["Authorization"] == "********"

    await api(live, admin, "PATCH", f"/environments/{created['id']}", json={"tags": ["eu"]})
    update, _ = await recv_until(websocket, "environment_update")
    assert update["payload"]["action"] == "updated"
    assert update["payload"]["environment"]["tags"] == ["eu"]

    await live.publish(status_event(created["id"], "connection refused"))
    status, _ = await recv_until(websocket, "status_update")
    assert status["payload"] == {
        "environmentId": created["id"],
        "status": Status(health=HealthState.UNHEALTHY, message="connection refused").model_dump(
            mode="json", by_alias=True
        ),
        "previous": "healthy",
        "transition": True,
    }

    operation = Operation(
        id=OPERATION_ID,
        environment_id=created["id"],
        environment_name="shop-qa",
        type=OperationType.RESTART,
        status=OperationStatus.RUNNING,
        output="a long tail of output",
    )
    await live.publish(OperationUpdated(operation=operation))
    update, _ = await recv_until(websocket, "operation_update")
    assert update["payload"]["operation"]["id"] == OPERATION_ID
    assert update["payload"]["operation"]["status"] == "running"
    assert "output" not in update["payload"]["operation"]
    assert "outputSeq" not in update["payload"]["operation"]

    await api(live, admin, "DELETE", f"/environments/{created['id']}")
    update, _ = await recv_until(websocket, "environment_update")
    assert update["payload"]["action"] == "deleted"
    assert "s3cr3t-never-pushed" not in json.dumps(update)
    await websocket.close()


async def test_operation_output_goes_only_to_its_subscribers(
    live: LiveApp, viewer: Account, admin: Account
) -> None:
    watcher = await open_session(live, viewer.token)
    bystander = await open_session(live, admin.token)
    await send_frame(watcher, "subscribe", {"operations": [OPERATION_ID]})
    await send_frame(watcher, "ping")
    await recv_until(watcher, "pong")  # frames are handled in order: subscribed now

    await live.publish(
        OperationOutput(operation_id=OPERATION_ID, seq=1, stream="stdout", chunk="stopping\n"),
        OperationOutput(operation_id=OTHER_OPERATION_ID, seq=1, stream="stdout", chunk="other"),
        OperationOutput(operation_id=OPERATION_ID, seq=2, stream="stderr", chunk="started\n"),
    )
    watched, ignored = await barrier(live, watcher, bystander)
    assert [f for f in watched if f["type"] == "operation_output"] == [
        {
            "type": "operation_output",
            "payload": {
                "operationId": OPERATION_ID,
                "seq": 1,
                "stream": "stdout",
                "chunk": "stopping\n",
            },
        },
        {
            "type": "operation_output",
            "payload": {
                "operationId": OPERATION_ID,
                "seq": 2,
                "stream": "stderr",
                "chunk": "started\n",
            },
        },
    ]
    assert [f for f in ignored if f["type"] == "operation_output"] == []

    await send_frame(watcher, "unsubscribe", {"operations": [OPERATION_ID]})
    await send_frame(watcher, "ping")
    await recv_until(watcher, "pong")
    await live.publish(
        OperationOutput(operation_id=OPERATION_ID, seq=3, stream="stdout", chunk="done\n")
    )
    (after,) = await barrier(live, watcher)
    assert [f for f in after if f["type"] == "operation_output"] == []
    await watcher.close()
    await bystander.close()


async def test_log_entries_go_to_log_subscribers_and_to_their_environment_watchers(
    live: LiveApp, admin: Account, viewer: Account
) -> None:
    tail = await open_session(live, viewer.token)
    quiet = await open_session(live, viewer.token)
    await send_frame(tail, "subscribe", {"logs": True})
    await send_frame(tail, "ping")
    await recv_until(tail, "pong")

    created = await api(live, admin, "POST", "/environments", json=environment_body("shop-logs"))

    def about(action: str) -> Callable[[dict[str, Any]], bool]:
        return lambda p: bool(
            p["entry"]["environmentId"] == created["id"] and p["entry"]["action"] == action
        )

    await recv_matching(tail, "log", about("create"))

    watcher = await open_session(live, viewer.token)
    await send_frame(watcher, "subscribe", {"environments": [created["id"]]})
    await send_frame(watcher, "ping")
    await recv_until(watcher, "pong")
    await api(live, admin, "PATCH", f"/environments/{created['id']}", json={"tags": ["x"]})
    await recv_matching(tail, "log", about("update"))
    await recv_matching(watcher, "log", about("update"))

    # An entry of no environment (a sign-in) reaches the tail only.
    sign_in = await asyncio.to_thread(
        httpx.post,
        f"{live.url}/api/v1/auth/login",
        json={"username": "victor", "password": viewer.password},
    )
    assert sign_in.status_code == 200
    login = await recv_matching(tail, "log", lambda p: p["entry"]["action"] == "login")
    assert login["entry"]["environmentId"] is None
    assert login["entry"]["attention"] is False  # a sign-in is no call for a person
    quiet_saw, watcher_saw = await barrier(live, quiet, watcher)
    assert [f for f in quiet_saw if f["type"] == "log"] == []
    assert [
        f for f in watcher_saw if f["type"] == "log" and f["payload"]["entry"]["action"] == "login"
    ] == []
    for websocket in (tail, quiet, watcher):
        await websocket.close()


async def test_subscribing_to_every_environment_tails_their_logs(
    live: LiveApp, admin: Account, viewer: Account
) -> None:
    websocket = await open_session(live, viewer.token)
    await send_frame(websocket, "subscribe", {"environments": "*"})
    await send_frame(websocket, "ping")
    await recv_until(websocket, "pong")
    created = await api(live, admin, "POST", "/environments", json=environment_body("shop-all"))
    await recv_matching(websocket, "log", lambda p: p["entry"]["environmentId"] == created["id"])
    await websocket.close()


# --- bad frames, floods, origins -----------------------------------------------------------

TOO_DEEP = ("VALIDATION_ERROR", "too_deep")
DEEP_FRAME = '{"type": "ping", "payload": {"a": ' + "[" * 2000 + "]" * 2000 + "}}"


@pytest.mark.parametrize(
    ("frame", "code", "reason"),
    [
        ("{not json", "VALIDATION_ERROR", "invalid_json"),
        ('["a list"]', "VALIDATION_ERROR", "invalid_frame"),
        ('{"type": "launch"}', "VALIDATION_ERROR", "unknown_type"),
        ('{"type": "subscribe", "payload": {"operations": ["nope"]}}', "VALIDATION_ERROR", None),
        ('{"type": "subscribe", "payload": {"colour": "red"}}', "VALIDATION_ERROR", None),
        ('{"type": "ping", "payload": "x"}', "VALIDATION_ERROR", "invalid_payload"),
        (json.dumps({"type": "ping", "payload": {"pad": "x" * 70_000}}), "PAYLOAD_TOO_LARGE", None),
        (b"\x00\x01binary", "VALIDATION_ERROR", "binary_frame"),
        # Deeper than Python's parser goes (a RecursionError), and deep enough to break the echo.
        ('{"type": "ping", "payload": {"a": ' + "[" * 2000 + "]" * 2000 + "}}", *TOO_DEEP),
        ('{"type": "ping", "payload": {"a": ' + "[" * 900 + "]" * 900 + "}}", *TOO_DEEP),
        ("[" * 5000 + "]" * 5000, *TOO_DEEP),
    ],
)
async def test_a_bad_frame_gets_an_error_frame_and_the_connection_stays(
    live: LiveApp, viewer: Account, frame: str | bytes, code: str, reason: str | None
) -> None:
    websocket = await open_session(live, viewer.token)
    await websocket.send(frame)
    error = await recv_frame(websocket)
    assert error["type"] == "error"
    assert error["payload"]["code"] == code
    if reason is not None:
        assert error["payload"]["details"]["reason"] == reason
    await send_frame(websocket, "ping")
    assert (await recv_frame(websocket))["type"] == "pong"
    await websocket.close()


async def test_a_flood_closes_the_connection_with_4429(live: LiveApp, viewer: Account) -> None:
    websocket = await open_session(live, viewer.token)
    for _ in range(100):
        await send_frame(websocket, "ping")
    assert await close_code(websocket) == CloseCode.FLOOD


async def test_deeply_nested_frames_count_toward_the_flood_limit(
    live: LiveApp, viewer: Account
) -> None:
    websocket = await open_session(live, viewer.token)
    for _ in range(100):
        await websocket.send(DEEP_FRAME)
    assert await close_code(websocket) == CloseCode.FLOOD


async def test_a_foreign_origin_is_refused_at_the_handshake(live: LiveApp) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect(live.ws_url, origin="https://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("origin", [ALLOWED_ORIGIN, "same", None])
async def test_listed_same_and_missing_origins_are_allowed(
    live: LiveApp, viewer: Account, origin: str | None
) -> None:
    if origin == "same":
        origin = live.url
    websocket = await open_session(live, viewer.token, origin=origin)
    await websocket.close()
