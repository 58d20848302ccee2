"""How Envdeck runs under uvicorn: its settings, and a shutdown that says goodbye on /ws.

`envdeck serve`, the tests that need a live server and the benchmarks all use these, so what
they measure is what runs.
"""

import logging
import socket
from typing import Any

import uvicorn
from fastapi import FastAPI

from envdeck.config import Settings
from envdeck.services.container import Services

# The largest WebSocket frame uvicorn reads at all (larger: closed with 1009); the hub answers
# frames above realtime.maxMessageBytes with an error frame.
WS_MAX_FRAME_BYTES = 1024 * 1024


class HideQueryStrings(logging.Filter):
    """Drop the query string from uvicorn's WebSocket handshake lines: `?token=` is a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and "WebSocket %s" in str(record.msg):
            record.args = tuple(
                arg.split("?", 1)[0] if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


def hide_query_strings() -> None:
    """Install HideQueryStrings on uvicorn's logger (once)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, HideQueryStrings) for f in logger.filters):
        logger.addFilter(HideQueryStrings())


def uvicorn_config(
    app: FastAPI, settings: Settings, host: str, port: int, **extra: Any
) -> uvicorn.Config:
    """Return the uvicorn.Config Envdeck runs with."""
    hide_query_strings()
    realtime = settings.realtime
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "timeout_graceful_shutdown": int(settings.server.shutdown_timeout.total_seconds()),
        # Protocol-level pings find dead peers; browsers answer them without any code.
        "ws_ping_interval": realtime.ping_interval.total_seconds(),
        "ws_ping_timeout": realtime.ping_timeout.total_seconds(),
        "ws_max_size": WS_MAX_FRAME_BYTES,
        # No permessage-deflate: each connection would keep its own zlib context (~300 KB) and
        # compress every broadcast frame again; our frames are small JSON (bench/ws_fanout.py).
        "ws_per_message_deflate": False,
    }
    return uvicorn.Config(app, **(options | extra))


class EnvdeckServer(uvicorn.Server):
    """uvicorn's server, but WebSockets are closed with 1001 (going away) on shutdown.

    uvicorn closes open WebSockets itself (1012) before the app's lifespan shutdown runs, so the
    hub is closed first, here.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        services: Services | None = getattr(getattr(app, "state", None), "services", None)
        if services is not None:
            await services.realtime.close()
        await super().shutdown(sockets)
