"""A webhook receiver on 127.0.0.1, the target of Apprise `json://` channels in tests.

    receiver = Receiver().start()
    url = receiver.apprise_url("/hooks/secret-path")   # json://127.0.0.1:PORT/hooks/secret-path
    receiver.fail_next(2)        # the next two requests answer 500
    receiver.delay_next(1.0)     # the next request is answered a second late
    receiver.go_down()           # stop listening: connections are refused
    receiver.come_back()         # listen again on the same port
    receiver.wait_for(1)         # the messages received (2xx answered), waiting for one

It runs in its own thread and event loop (tests/support/loopback.py) and logs nothing
itself: no access log, so a test that captures logs sees only what Envdeck wrote.
"""

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.loopback import LoopbackHttpServer


@dataclass
class Received:
    """One request: its path, JSON body and headers, the status it was answered, and when it
    arrived (wall clock)."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    received_at: float = field(default_factory=time.time)

    @property
    def title(self) -> str:
        return str(self.body.get("title", ""))

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))

    @property
    def type(self) -> str:
        return str(self.body.get("type", ""))


@dataclass
class _Control:
    fail_next: int = 0
    fail_status: int = 500
    delay: float = 0.0
    delay_next: float = 0.0
    requests: list[Received] = field(default_factory=list)


class Receiver(LoopbackHttpServer):
    thread_name = "receiver"

    def __init__(self) -> None:
        super().__init__()
        self._control = _Control()
        self._lock = threading.Lock()

    # --- addresses ------------------------------------------------------------------------

    def apprise_url(self, path: str = "/hook") -> str:
        """Return the json:// URL that makes Apprise POST to path here."""
        return f"json://127.0.0.1:{self.port}{path}"

    # --- control --------------------------------------------------------------------------

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next count requests with this status."""
        with self._lock:
            self._control.fail_next, self._control.fail_status = count, status

    def delay(self, seconds: float) -> None:
        """Wait this long before answering each request (a slow receiver)."""
        with self._lock:
            self._control.delay = seconds

    def delay_next(self, seconds: float) -> None:
        """Wait this long before answering the next request only."""
        with self._lock:
            self._control.delay_next = seconds

    def go_down(self) -> None:
        """Stop listening: new connections are refused until come_back()."""
        self._call(self._close_site())

    def come_back(self) -> None:
        """Listen again on the same port."""
        self._call(self._open_site(self.port))

    # --- what arrived -----------------------------------------------------------------------

    @property
    def requests(self) -> list[Received]:
        """Every request, answered or failed, in order."""
        with self._lock:
            return list(self._control.requests)

    @property
    def messages(self) -> list[Received]:
        """The requests answered with success: the messages delivered."""
        return [r for r in self.requests if r.status < 300]

    def wait_for(self, count: int, seconds: float = 15.0) -> list[Received]:
        """Return the delivered messages once there are at least count (AssertionError after
        seconds)."""
        deadline = time.monotonic() + seconds
        while True:
            messages = self.messages
            if len(messages) >= count:
                return messages
            if time.monotonic() > deadline:
                titles = [m.title for m in messages]
                raise AssertionError(f"expected {count} messages, got {len(messages)}: {titles}")
            time.sleep(0.02)

    def wait_for_requests(self, count: int, seconds: float = 15.0) -> list[Received]:
        """Return every request once there are at least count."""
        deadline = time.monotonic() + seconds
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            time.sleep(0.02)
        return self.requests

    def clear(self) -> None:
        with self._lock:
            self._control.requests.clear()

    # --- serving ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            body = {"raw": (await request.read()).decode("utf-8", "replace")}
        with self._lock:
            control = self._control
            status = 200
            if control.fail_next > 0:
                control.fail_next -= 1
                status = control.fail_status
            delay = control.delay + control.delay_next
            control.delay_next = 0.0
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            received = Received(request.path, body, dict(request.headers), status)
            control.requests.append(received)
        return web.json_response({"ok": status < 300}, status=status)

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app


def body_text(received: Received) -> str:
    """Return a delivered message as one text (title and body), for assertions."""
    return f"{received.title}\n{received.message}"
