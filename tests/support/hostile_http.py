"""An HTTP target that misbehaves the ways real ones do, on 127.0.0.1 in a thread of its own.

    /hang      accepts the request and never answers
    /trickle   answers 200 at once, then sends its body one byte every 0.3 s, for minutes
    /huge      answers 200 with a 10 MB body, as fast as the client reads
    /loop      redirects to itself, forever
    /ok        200 {"status": "ok"}

`stats` counts requests per path and the body bytes /huge managed to send (the client stops
reading early: far fewer than 10 MB leave the server).
"""

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web

from tests.support.loopback import LoopbackHttpServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

HUGE_BYTES = 10 * 1024 * 1024
TRICKLE_SECONDS = 0.3


class HostileTarget(LoopbackHttpServer):
    thread_name = "hostile-http"

    def __init__(self) -> None:
        super().__init__()
        self.requests: Counter[str] = Counter()
        self.huge_bytes_sent = 0

    # ---- handlers ------------------------------------------------------------------------

    async def _hang(self, _request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def _trickle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            for byte in json.dumps({"status": "ok", "padding": " " * 1000}).encode():
                await response.write(bytes([byte]))
                await asyncio.sleep(TRICKLE_SECONDS)
        return response

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = HUGE_BYTES
        await response.prepare(request)
        # One JSON document, {"padding": "xxx…", "status": "ok"}: valid only when read whole.
        head, tail = b'{"padding": "', b'", "status": "ok"}'
        chunk = b"x" * 65536
        middle = HUGE_BYTES - len(head) - len(tail)
        with contextlib.suppress(ConnectionError):
            await response.write(head)
            for _ in range(middle // len(chunk)):
                await response.write(chunk)
                self.huge_bytes_sent += len(chunk)
            await response.write(b"x" * (middle % len(chunk)) + tail)
        return response

    async def _loop_back(self, _request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/loop")

    async def _ok(self, _request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok"})

    def _counted(self, handler: Handler) -> Handler:
        async def count(request: web.Request) -> web.StreamResponse:
            self.requests[request.path] += 1
            return await handler(request)

        return count

    # ---- the app ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        for path, handler in (
            ("/hang", self._hang),
            ("/trickle", self._trickle),
            ("/huge", self._huge),
            ("/loop", self._loop_back),
            ("/ok", self._ok),
        ):
            app.router.add_route("*", path, self._counted(handler))
        return app
