"""An aiohttp app on 127.0.0.1, in a thread and event loop of its own: the scaffolding of the
HTTP targets and receivers that tests stand up on loopback (targets.py, hostile_http.py,
receiver.py). Each says what it answers (`make_app`); this starts, listens and stops."""

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, Self

from aiohttp import web


class LoopbackHttpServer:
    """start() returns once the app listens on a free port (`port`, `url()`); stop() ends it."""

    thread_name = "loopback-http"

    def __init__(self) -> None:
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, name=self.thread_name, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def make_app(self) -> web.Application:
        """Return the app to serve (its routes)."""
        raise NotImplementedError

    def start(self) -> Self:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError(f"the {self.thread_name} server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run a coroutine on the server's loop and wait for it (from the test's thread)."""
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _open_site(self, port: int) -> None:
        assert self._runner is not None
        # reuse_address: listening again on the port a closed site just left (a receiver that
        # comes back) must not wait for the old sockets to time out.
        self._site = web.TCPSite(self._runner, "127.0.0.1", port, reuse_address=True)
        await self._site.start()

    async def _close_site(self) -> None:
        if self._site is not None:
            await self._site.stop()
            self._site = None

    def _serve(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            # No access log: a test that captures logs sees only what Envdeck wrote.
            self._runner = web.AppRunner(
                self.make_app(), handle_signals=False, access_log=None, shutdown_timeout=0.1
            )
            await self._runner.setup()
            await self._open_site(0)
            assert self._site is not None
            server = self._site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self._ready.set()
            await self._stop.wait()
            await self._runner.cleanup()

        asyncio.run(main())
