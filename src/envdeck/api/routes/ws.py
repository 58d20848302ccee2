"""`/ws`: the real-time WebSocket (DESIGN §6, docs/realtime.md).

This module only checks the Origin, accepts, and adapts Starlette's WebSocket to the hub's
Transport; the protocol lives in services/realtime.
"""

import contextlib
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from envdeck.api.deps import RealtimeDep, SettingsDep
from envdeck.services.realtime import TransportClosed

router = APIRouter()

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class WebSocketTransport:
    """The hub's Transport over one accepted Starlette WebSocket."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._gone = False

    async def receive(self) -> str | bytes | None:
        if self._gone:
            return None
        message = await self._websocket.receive()
        if message["type"] == "websocket.disconnect":
            self._gone = True
            return None
        text: str | None = message.get("text")
        if text is not None:
            return text
        data: bytes = message.get("bytes") or b""
        return data

    async def send(self, text: str) -> None:
        try:
            await self._websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            raise TransportClosed from exc

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await self._websocket.close(code, reason)


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    parts = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parts.port
    except ValueError:
        return netloc.lower(), None
    return (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """Tell whether a browser at `origin` may connect: same origin, or listed in allowOrigins.

    No Origin header means a client that is not a browser (CLI, CI): nothing to protect there.
    """
    if origin is None:
        return True
    if "*" in allowed or origin.rstrip("/") in {o.rstrip("/") for o in allowed}:
        return True
    parts = urlsplit(origin)
    if host is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    # Same origin: the page was served by this host (the scheme may differ behind a TLS proxy).
    return _host_port(parts.netloc, parts.scheme) == _host_port(host, parts.scheme)


@router.websocket("/ws", name="realtime")
async def realtime(websocket: WebSocket, settings: SettingsDep, hub: RealtimeDep) -> None:
    if not origin_allowed(
        websocket.headers.get("origin"), websocket.headers.get("host"), settings.allow_origins
    ):
        await websocket.send_denial_response(
            JSONResponse(
                {"error": {"code": "FORBIDDEN", "message": "origin not allowed", "details": {}}},
                status_code=403,
            )
        )
        return
    await websocket.accept()
    # ?token= is accepted for clients that cannot send a first frame; it is never logged.
    token = websocket.query_params.get("token") or None
    await hub.serve(WebSocketTransport(websocket), token)
