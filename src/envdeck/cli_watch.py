"""Following a promotion over Envdeck's WebSocket (docs/realtime.md), for `envdeck promote
--wait`: one connection, authenticated by a first `auth` frame with the API token, reading the
`promotion_update` frames every authenticated client gets.
"""

import contextlib
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

OPEN_SECONDS = 10.0
# Envdeck's frames are small; a promotion of many environments is the largest one read here.
MAX_FRAME_BYTES = 4 * 1024 * 1024


class WatchLost(Exception):
    """The WebSocket closed or failed: follow by reading the promotion instead."""


def websocket_url(url: str) -> str:
    """Return the /ws URL of the Envdeck at url (http → ws, https → wss, under its path)."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme.lower(), parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/ws", "", ""))


class PromotionWatch:
    """An authenticated WebSocket that hands out the promotion_update frames of a promotion."""

    def __init__(self, connection: "ClientConnection") -> None:
        self._connection = connection

    @classmethod
    def open(cls, url: str, token: str) -> "PromotionWatch | None":
        """Connect and authenticate; None when the server cannot be watched this way."""
        from websockets.exceptions import WebSocketException
        from websockets.sync.client import connect

        try:
            connection = connect(
                websocket_url(url),
                open_timeout=OPEN_SECONDS,
                compression=None,  # the server does not compress (docs/realtime.md)
                max_size=MAX_FRAME_BYTES,
            )
        except (OSError, TimeoutError, ValueError, WebSocketException):
            return None
        watch = cls(connection)
        try:
            connection.send(json.dumps({"type": "auth", "payload": {"token": token}}))
            ready = watch._frame(OPEN_SECONDS)
        except (OSError, WebSocketException, WatchLost):
            ready = None
        if ready is None or ready.get("type") != "ready":
            watch.close()
            return None
        return watch

    def next(self, promotion_id: str, seconds: float) -> dict[str, Any] | None:
        """Return the promotion from its next promotion_update frame; None if none came within
        `seconds`. Raise WatchLost when the connection ended."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            frame = self._frame(left)
            if frame is None:
                return None
            if frame.get("type") != "promotion_update":
                continue
            promotion = (frame.get("payload") or {}).get("promotion")
            if isinstance(promotion, dict) and promotion.get("id") == promotion_id:
                return promotion
        return None

    def _frame(self, seconds: float) -> dict[str, Any] | None:
        from websockets.exceptions import WebSocketException

        try:
            text = self._connection.recv(timeout=seconds)
        except TimeoutError:
            return None
        except (OSError, WebSocketException) as exc:
            raise WatchLost(str(exc)) from None
        try:
            frame = json.loads(text)
        except ValueError:
            return {}
        return frame if isinstance(frame, dict) else {}

    def close(self) -> None:
        from websockets.exceptions import WebSocketException

        with contextlib.suppress(OSError, WebSocketException):
            self._connection.close()
