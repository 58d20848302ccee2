"""A /ws connection lives only as long as its session: ended sessions lose their socket (4001)."""

import asyncio
from pathlib import Path
from typing import Any

import httpx

from envdeck.services.realtime import CloseCode
from tests.support.live_app import (
    Account,
    LiveApp,
    admin_fixture,
    app_settings,
    close_code,
    create_account,
    live_app_fixture,
    open_session,
    recv_frame,
    send_frame,
    set_up_admin,
    sign_in,
)


def start(data_dir: Path, **environ: str) -> LiveApp:
    return LiveApp(app_settings(data_dir, **environ)).start()


live = live_app_fixture("ws-sessions")
admin = admin_fixture()


async def call(live: LiveApp, token: str, method: str, path: str, **kwargs: Any) -> Any:
    async with httpx.AsyncClient(base_url=f"{live.url}/api/v1") as client:
        response = await client.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )
    assert response.is_success, response.text
    return response.json() if response.content else None


async def test_signing_out_closes_the_socket_with_4001(live: LiveApp, admin: Account) -> None:
    user = create_account(live, admin, "leaving", "user")
    websocket = await open_session(live, user.token)
    other_session = await open_session(live, sign_in(live, "leaving", user.password))
    await call(live, user.token, "POST", "/auth/logout")
    assert await close_code(websocket) == CloseCode.UNAUTHORIZED
    # The user's other session (another token) is not signed out.
    await send_frame(other_session, "ping")
    assert (await recv_frame(other_session))["type"] == "pong"
    await other_session.close()


async def test_deactivating_the_user_closes_their_sockets(live: LiveApp, admin: Account) -> None:
    user = create_account(live, admin, "deactivated", "viewer")
    websocket = await open_session(live, user.token)
    await call(live, admin.token, "PATCH", f"/users/{user.user_id}", json={"active": False})
    assert await close_code(websocket) == CloseCode.UNAUTHORIZED


async def test_changing_the_users_role_ends_the_session(live: LiveApp, admin: Account) -> None:
    user = create_account(live, admin, "promoted", "viewer")
    websocket = await open_session(live, user.token)
    await call(live, admin.token, "PATCH", f"/users/{user.user_id}", json={"role": "user"})
    assert await close_code(websocket) == CloseCode.UNAUTHORIZED


async def test_revoking_an_api_token_closes_its_socket(live: LiveApp, admin: Account) -> None:
    token = await call(live, admin.token, "POST", "/tokens", json={"name": "ws-ci"})
    websocket = await open_session(live, token["secret"])
    await call(live, admin.token, "DELETE", f"/tokens/{token['token']['id']}")
    assert await close_code(websocket) == CloseCode.UNAUTHORIZED


async def test_an_expiring_login_token_closes_its_socket(tmp_path: Path) -> None:
    live = start(tmp_path / "data", ENVDECK_JWT__EXPIRY_TIME="4s")
    try:
        admin = set_up_admin(live)
        websocket = await open_session(live, admin.token)
        assert await close_code(websocket, seconds=20) == CloseCode.UNAUTHORIZED
    finally:
        live.stop()


async def test_shutdown_closes_sockets_with_1001(tmp_path: Path) -> None:
    live = start(tmp_path / "data")
    try:
        admin = set_up_admin(live)
        websocket = await open_session(live, admin.token)
        await send_frame(websocket, "ping")
        await recv_frame(websocket)
    finally:
        live.stop()
    assert await close_code(websocket) == CloseCode.GOING_AWAY


async def test_a_peer_that_stops_answering_pings_is_dropped(tmp_path: Path) -> None:
    live = start(
        tmp_path / "data",
        ENVDECK_REALTIME__PING_INTERVAL="200ms",
        ENVDECK_REALTIME__PING_TIMEOUT="300ms",
    )
    try:
        admin = set_up_admin(live)
        websocket = await open_session(live, admin.token)
        assert await live.call(lambda: live.services.realtime.connection_count) == 1
        # A dead peer: its pings are never read, so never answered.
        websocket.transport.pause_reading()
        for _ in range(200):
            if await live.call(lambda: live.services.realtime.connection_count) == 0:
                break
            await asyncio.sleep(0.05)
        assert await live.call(lambda: live.services.realtime.connection_count) == 0
        websocket.transport.abort()
    finally:
        live.stop()
