"""Request id, one structured access-log line per request, and security headers.

Written as plain ASGI middleware (not BaseHTTPMiddleware) so streaming responses and
WebSockets pass through untouched and each request costs one extra function call.

The request id, and once the caller is authenticated their `user_id` and `username` (bound by
`api/deps.get_principal`), live in structlog's context variables for the request's task: every
line logged while it is served carries them, the access line included. They are unbound when
the request ends, so nothing of one request reaches the next one served on the same connection.
"""

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from envdeck.api.errors import error_response

log = structlog.get_logger("envdeck.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Bound per request; cleared when it ends.
REQUEST_CONTEXT_KEYS = ("request_id", "user_id", "username")

# The UI is served from the same origin and ships every asset itself: no inline script, no
# eval, nothing from elsewhere. MUI's emotion injects <style> tags, hence 'unsafe-inline' for
# styles only (docs/security.md). 'self' in connect-src covers the same-origin /ws.
UI_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# JSON, exports and metrics are never rendered as a page: nothing may load or run.
API_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
# Answers of the API may carry tokens (login) or private data: no cache keeps them.
API_HEADERS = SECURITY_HEADERS | {
    "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
}
UI_HEADERS = SECURITY_HEADERS | {"Content-Security-Policy": UI_CONTENT_SECURITY_POLICY}
_API_PATHS = ("/api/", "/metrics")


def security_headers(path: str) -> dict[str, str]:
    """Return the security headers a response to path gets (a route may set its own CSP)."""
    return API_HEADERS if path.startswith(_API_PATHS) else UI_HEADERS


class RequestContextMiddleware:
    """Give each HTTP request an id, log it once when it ends, and add security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        status = 500
        response_started = False
        defaults = security_headers(scope["path"])

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for name, value in defaults.items():
                    headers.setdefault(name, value)
            await send(message)

        # Whatever a previous request left in this context (it should be nothing) goes first.
        structlog.contextvars.unbind_contextvars(*REQUEST_CONTEXT_KEYS)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Answered here rather than by Starlette's outermost handler, so the 500 has its
            # request id and security headers, and the traceback is logged once, as JSON.
            if response_started:
                raise
            log.exception("unhandled_error", path=scope["path"])
            await error_response(500, "INTERNAL_ERROR", "internal error")(
                scope, receive, send_with_headers
            )
        finally:
            # The path only: query strings may carry tokens (?token=) and must not be logged.
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                client_ip=scope["client"][0] if scope.get("client") else None,
            )
            structlog.contextvars.unbind_contextvars(*REQUEST_CONTEXT_KEYS)
