"""One client connection: who it is, what it watches, and its bounded, coalescing outbox."""

import asyncio
from collections import deque
from typing import Protocol

from envdeck.domain.auth import Principal
from envdeck.services.realtime.protocol import Frame, coalesce_status


class TransportClosed(Exception):
    """The peer is gone: nothing more can be sent or received."""


class Transport(Protocol):
    """The socket under a connection; the API layer adapts its WebSocket to this."""

    async def receive(self) -> str | bytes | None:
        """Return the next client frame, or None once the peer has closed."""
        ...

    async def send(self, text: str) -> None:
        """Send one text frame (waiting while the peer's buffer is full); raise TransportClosed."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Send a close frame with this code; never raise."""
        ...


class Outbox:
    """A bounded FIFO of frames waiting to be sent to one client.

    A frame with a key (a status update of one environment) replaces a pending frame with the
    same key: the newer one goes to the back, the older one is skipped when it comes up. So a
    client that falls behind gets fewer, newer status updates; `put` only reports overflow when
    `limit` frames that cannot be merged are waiting.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.coalesced = 0
        self._frames: deque[Frame] = deque()
        self._pending: dict[str, Frame] = {}  # key -> the one frame with that key still to send
        self._live = 0  # frames in _frames that will be sent (not superseded)
        self._wakeup = asyncio.Event()

    def __len__(self) -> int:
        return self._live

    def put(self, frame: Frame) -> bool:
        """Queue frame; return False (queueing nothing) when the outbox is full."""
        key = frame.key
        if key is not None:
            older = self._pending.get(key)
            if older is not None:
                frame = coalesce_status(older, frame)
                self._live -= 1
                self.coalesced += 1
            elif self._live >= self.limit:
                return False
            self._pending[key] = frame
        elif self._live >= self.limit:
            return False
        self._frames.append(frame)
        self._live += 1
        self._wakeup.set()
        return True

    async def get(self) -> Frame:
        """Return the next frame to send, waiting for one."""
        while True:
            while self._frames:
                frame = self._frames.popleft()
                if frame.key is not None:
                    if self._pending.get(frame.key) is not frame:
                        continue  # superseded by a newer frame further back
                    del self._pending[frame.key]
                self._live -= 1
                return frame
            self._wakeup.clear()
            await self._wakeup.wait()


class Connection:
    """An authenticated client: its principal, its subscriptions, its outbox, how it ended."""

    def __init__(
        self, connection_id: str, transport: Transport, principal: Principal, token: str, limit: int
    ) -> None:
        self.id = connection_id
        self.transport = transport
        self.principal = principal
        # Kept only in memory, to re-check the session; never logged.
        self.token = token
        self.outbox = Outbox(limit)
        self.environments: set[str] = set()
        self.all_environments = False
        self.operations: set[str] = set()
        self.logs = False
        self.close_code: int | None = None
        self.close_reason = ""
        self.peer_closed = False
        self.finished = asyncio.Event()

    def finish(self, code: int, reason: str, *, peer_closed: bool = False) -> None:
        """End the connection (the first reason wins); its serve() closes the socket."""
        if self.finished.is_set():
            return
        self.close_code = code
        self.close_reason = reason
        self.peer_closed = peer_closed
        self.finished.set()

    def watches_environment(self, environment_id: str | None) -> bool:
        if environment_id is None:
            return False
        return self.all_environments or environment_id in self.environments

    async def write(self) -> None:
        """Send queued frames in order until the peer goes away (then finish)."""
        while True:
            frame = await self.outbox.get()
            try:
                await self.transport.send(frame.text)
            except TransportClosed:
                self.finish(1006, "peer gone", peer_closed=True)
                return
