"""A response is sent only once the activity-log entries of its request are stored.

An audit trail that can lose an action the API already confirmed is not one: with the log
written in batches, a `kill -9` (or a power cut) between "201 Created" and the next batch would
lose the entry. So every HTTP request runs inside `activity.receipt()`, and before its response
starts, the entries it recorded are waited for (`ActivityLog.wait_until_stored`, a group commit:
concurrent requests share one write). Requests that recorded nothing (reads) wait for nothing.

If storage refuses the write (an outage: answered at once) or does not confirm it within
`activityLog.ackTimeout`, the response goes out anyway, because the action itself is done, with
the header `Envdeck-Audit: pending`: the entry is held in memory and retried, and only a process
death before storage returns would lose it.
`activityLog.ackTimeout: 0` turns the wait off (entries are then stored within flushInterval).

Plain ASGI, like the other middleware, so streaming responses pass through untouched.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from envdeck.services.activity.writer import ActivityLog

AUDIT_HEADER = b"envdeck-audit"


class AuditAcknowledgementMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        activity = _activity_of(scope)
        if scope["type"] != "http" or activity is None or activity.ack_timeout <= 0:
            await self.app(scope, receive, send)
            return
        with activity.receipt() as receipt:

            async def send_when_stored(message: Message) -> None:
                if message["type"] == "http.response.start" and receipt.open:
                    receipt.open = False  # what tasks started by the request record is theirs
                    if receipt.last and not await activity.wait_until_stored(receipt):
                        headers = list(message.get("headers", []))
                        headers.append((AUDIT_HEADER, b"pending"))
                        message = {**message, "headers": headers}
                await send(message)

            await self.app(scope, receive, send_when_stored)


def _activity_of(scope: Scope) -> ActivityLog | None:
    services = getattr(getattr(scope.get("app"), "state", None), "services", None)
    activity = getattr(services, "activity", None)
    return activity if isinstance(activity, ActivityLog) else None
