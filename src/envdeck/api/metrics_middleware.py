"""Times every HTTP request into the request-duration histogram, labelled by route template.

The label is the matched route's template (`/api/v1/environments/{environment_id}`), never the
raw path: ids in paths would make the label set grow without bound. Plain ASGI, like
RequestContextMiddleware, so streaming responses and WebSockets pass through untouched.
"""

import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from envdeck.adapters.metrics import UNMATCHED_ROUTE, Metrics


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            metrics = _metrics_of(scope)
            if metrics is not None:
                metrics.observe_request(
                    scope["method"], route_template(scope), status, time.perf_counter() - started
                )


def route_template(scope: Scope) -> str:
    """Return the full template of the route the router matched, or `unmatched`."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(template, str) or not template or not isinstance(pattern, re.Pattern):
        return UNMATCHED_ROUTE
    # FastAPI puts the route of an included router in scope as declared, without the
    # router's prefix: find the prefix (static in Envdeck) as the raw path's part before the
    # shortest tail that the route matches.
    path: str = scope["path"]
    for index, char in enumerate(path):
        if char == "/" and pattern.match(path[index:]):
            return path[:index] + template
    return template


def _metrics_of(scope: Scope) -> Metrics | None:
    # The services exist once the lifespan has started; requests before that are not counted.
    services = getattr(scope["app"].state, "services", None)
    return services.metrics if services is not None else None
