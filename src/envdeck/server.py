"""How Envdeck runs under uvicorn: its settings, and a graceful shutdown.

`envdeck serve`, the tests that need a live server and the benchmarks all use these, so what
they measure is what runs.

A graceful stop (SIGTERM or Ctrl-C) has one budget, `server.shutdownTimeout`, counted from the
signal (docs/operations.md, Graceful shutdown):
1. new restarts and upgrades are refused (503 `UNAVAILABLE`), WebSockets are closed with 1001;
2. uvicorn stops listening and lets requests in flight finish (`timeout_graceful_shutdown`, the
   same budget);
3. the lifespan lets running operations finish until the budget is spent, cancels the rest
   (`interrupted`), flushes the activity log and closes storage;
4. the process exits 0.
"""

import logging
import signal
import socket
import threading
from types import FrameType
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
        # X-Forwarded-* only from the proxies named in server.trustedProxies.
        "proxy_headers": bool(settings.server.trusted_proxies),
        "forwarded_allow_ips": settings.server.trusted_proxies or None,
        "server_header": False,
        # The same budget as the operations' (counted from the signal, both): uvicorn waits at
        # most this for requests in flight, the lifespan gets what remains.
        "timeout_graceful_shutdown": settings.server.shutdown_timeout.total_seconds(),
        # Protocol-level pings find dead peers; browsers answer them without any code.
        "ws_ping_interval": realtime.ping_interval.total_seconds(),
        "ws_ping_timeout": realtime.ping_timeout.total_seconds(),
        "ws_max_size": WS_MAX_FRAME_BYTES,
        # No permessage-deflate: each connection would keep its own zlib context (~300 KB) and
        # compress every broadcast frame again; our frames are small JSON (bench/ws_fanout.py).
        "ws_per_message_deflate": False,
    }
    return uvicorn.Config(app, **(options | extra))


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stop_handled(signum: int, frame: FrameType | None) -> None:
    """Stand in for the default action of a stop signal uvicorn has already handled."""


class EnvdeckServer(uvicorn.Server):
    """uvicorn's server, with Envdeck's shutdown: operations stop taking work and WebSockets
    are closed with 1001 (going away) the moment the signal arrives, and a completed graceful
    stop exits 0.

    uvicorn closes open WebSockets itself (1012) before the app's lifespan shutdown runs, so the
    hub is closed first, here.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        services: Services | None = getattr(getattr(app, "state", None), "services", None)
        if services is not None:
            # Starts the shutdown budget: the lifespan gives operations what remains of it.
            services.operations.begin_shutdown()
            await services.realtime.close()
        await super().shutdown(sockets)

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        # After its graceful shutdown uvicorn raises the signal again, for the handler that was
        # installed before it ran: by default that kills the process (exit status 143 for
        # SIGTERM, a KeyboardInterrupt for Ctrl-C), which supervisors count as a crash. The stop
        # was asked for and done: let the process end normally instead.
        if threading.current_thread() is not threading.main_thread():
            super().run(sockets)
            return
        previous = {signum: signal.signal(signum, _stop_handled) for signum in STOP_SIGNALS}
        try:
            super().run(sockets)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
