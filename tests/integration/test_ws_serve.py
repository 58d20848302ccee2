"""`envdeck serve` itself: a ?token= never reaches the process log, and shutdown says 1001."""

import signal
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from envdeck.services.realtime import CloseCode
from tests.support.live_app import close_code, recv_frame
from tests.support.server import start_server

PASSWORD = "quartz-lantern-orbit-91"


async def test_query_tokens_are_never_logged_and_shutdown_closes_with_1001(
    tmp_path: Path,
) -> None:
    server = start_server(
        tmp_path,
        env={
            "ENVDECK_ADMIN_USERNAME": "admin",
            "ENVDECK_ADMIN_PASSWORD": PASSWORD,
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            "ENVDECK_LOG__LEVEL": "info",
            "ENVDECK_LOG__FORMAT": "json",
        },
    )
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            login = await client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}
            )
        token = login.json()["token"]
        ws_url = server.url.replace("http://", "ws://") + "/ws"
        websocket = await connect(f"{ws_url}?token={token}")
        assert (await recv_frame(websocket))["type"] == "ready"
        server.process.send_signal(signal.SIGTERM)
        assert await close_code(websocket) == CloseCode.GOING_AWAY
    finally:
        output = server.output()
    assert '"WebSocket /ws' in output  # uvicorn's handshake line, without its query string
    assert token not in output
    assert "token=" not in output
