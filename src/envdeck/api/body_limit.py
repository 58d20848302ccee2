"""Refuse request bodies above server.maxBodyBytes with 413, without reading them into memory.

Plain ASGI middleware: a declared Content-Length above the limit is answered at once, before a
single byte of the body is read; a body without one (chunked) is counted as the app reads it,
and the first chunk that goes past the limit ends the request with the same 413. Whatever the
app was doing with the partial body is thrown away: its own response, if it tried to send one
(FastAPI turns a failed body read into a 400), is replaced by the 413.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from envdeck.api.errors import error_response

CODE = "PAYLOAD_TOO_LARGE"


class BodyTooLarge(Exception):
    """Raised from receive() when a streamed body passes the limit; the middleware answers."""


class BodyLimitMiddleware:
    """Answer 413 PAYLOAD_TOO_LARGE to any HTTP request whose body exceeds max_bytes."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # Once the body is known to be too large, the app's own answer is dropped.
            if exceeded:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            CODE,
            f"the request body is larger than {_size(self.max_bytes)} (server.maxBodyBytes)",
            {"maxBytes": self.max_bytes},
        )
        # No `Connection: close`: the server then discards the rest of the body as it arrives
        # (uvicorn does, without buffering it) and the client, still sending, gets to read this
        # answer; closing at once would reset the connection under a client's unread answer.
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed Content-Length itself
    return None


def _size(count: int) -> str:
    if count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    if count % 1024 == 0:
        return f"{count // 1024} KiB"
    return f"{count} bytes"
