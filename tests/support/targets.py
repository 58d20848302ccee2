"""A real HTTP target on 127.0.0.1 for health checks, running in its own thread and loop.

Each path answers as configured (`target.reply("/health", status=503, json={...}, delay=1)`),
and the target counts requests per path and the most it ever served at once, so tests can
tell whether a client overlapped its checks. An unconfigured path answers 200 {"status": "ok"};
`hang=True` never answers; `echo=True` answers with the request it got.
"""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.loopback import LoopbackHttpServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"status": "ok"}'
    content_type: str = "application/json"
    delay: float = 0.0
    hang: bool = False
    redirect_to: str | None = None
    echo: bool = False  # answer with what was received: headers, query, body


@dataclass
class PathStats:
    requests: int = 0
    active: int = 0
    max_active: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # as sent (query_string)
    bodies: list[bytes] = field(default_factory=list)


class Target(LoopbackHttpServer):
    thread_name = "target"

    def __init__(self) -> None:
        super().__init__()
        self.replies: dict[str, Reply] = {}
        self.stats: dict[str, PathStats] = {}

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
        echo: bool = False,
    ) -> str:
        """Configure how path answers; return its URL. An echo answers with what it received
        (headers, raw query string and body) as JSON."""
        if text is not None:
            body, content_type = text.encode(), "text/plain"
        else:
            payload = {"status": "ok"} if json_body is None else json_body
            body, content_type = json.dumps(payload).encode(), "application/json"
        self.replies[path] = Reply(status, body, content_type, delay, hang, redirect_to, echo)
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
        stats.queries.append(request.query_string)
        stats.bodies.append(await request.read())
        try:
            reply = self.replies.get(path, Reply())
            if reply.hang:
                await asyncio.sleep(3600)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.redirect_to is not None:
                raise web.HTTPFound(reply.redirect_to)
            if reply.echo:
                received = {
                    "headers": dict(request.headers),
                    "query": request.query_string,
                    "body": stats.bodies[-1].decode("utf-8", "replace"),
                }
                return web.json_response(received, status=reply.status)
            return web.Response(
                status=reply.status, body=reply.body, content_type=reply.content_type
            )
        finally:
            stats.active -= 1

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app
