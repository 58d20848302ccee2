"""A real HTTP target on 127.0.0.1 for health checks, running in its own thread and loop.

Each path answers as configured (`target.reply("/health", status=503, json={...}, delay=1)`),
and the target counts requests per path and the most it ever served at once, so tests can
tell whether a client overlapped its checks. An unconfigured path answers 200 {"status": "ok"};
`hang=True` never answers.
"""

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"status": "ok"}'
    content_type: str = "application/json"
    delay: float = 0.0
    hang: bool = False
    redirect_to: str | None = None


@dataclass
class PathStats:
    requests: int = 0
    active: int = 0
    max_active: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)


class Target:
    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.stats: dict[str, PathStats] = {}
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="target", daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reply(
        self,
        path: str,
        *,
        status: int = 200,
        json_body: Any = None,
        text: str | None = None,
        delay: float = 0.0,
        hang: bool = False,
        redirect_to: str | None = None,
    ) -> str:
        """Configure how path answers; return its URL."""
        if text is not None:
            body, content_type = text.encode(), "text/plain"
        else:
            payload = {"status": "ok"} if json_body is None else json_body
            body, content_type = json.dumps(payload).encode(), "application/json"
        self.replies[path] = Reply(status, body, content_type, delay, hang, redirect_to)
        return self.url(path)

    def stats_of(self, path: str) -> PathStats:
        return self.stats.setdefault(path, PathStats())

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        stats = self.stats_of(path)
        stats.requests += 1
        stats.active += 1
        stats.max_active = max(stats.max_active, stats.active)
        stats.headers.append(dict(request.headers))
        try:
            reply = self.replies.get(path, Reply())
            if reply.hang:
                await asyncio.sleep(3600)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.redirect_to is not None:
                raise web.HTTPFound(reply.redirect_to)
            return web.Response(
                status=reply.status, body=reply.body, content_type=reply.content_type
            )
        finally:
            stats.active -= 1

    def _serve(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            server = site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self._stop = asyncio.Event()
            self._ready.set()
            await self._stop.wait()
            await self._runner.cleanup()

        asyncio.run(main())

    def start(self) -> "Target":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the target did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
