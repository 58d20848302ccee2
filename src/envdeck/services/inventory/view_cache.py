"""Results of read-only queries, shared by concurrent callers and reused until the data changes.

A dashboard opened by many people at once asks the same questions (the first page, the counts)
over and over. Each answer is built once per data version: callers that arrive while it is being
built wait for that build instead of starting their own, and later callers get the stored result
until `version()` moves on: after a write here, or a change another instance announced (the
event relay counts them). Entries also expire after `max_age` seconds, which bounds how stale
an answer can be should an announcement be late or lost.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

from cachetools import TTLCache

T = TypeVar("T")

MAX_ENTRIES = 256
MAX_AGE_SECONDS = 1.0


class ViewCache:
    def __init__(
        self,
        version: Callable[[], int],
        *,
        max_entries: int = MAX_ENTRIES,
        max_age: float = MAX_AGE_SECONDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._version = version
        self._entries: TTLCache[tuple[int, Hashable], Any] = TTLCache(
            max_entries, max_age, timer=timer
        )
        self._building: dict[tuple[int, Hashable], asyncio.Future[Any]] = {}

    async def get(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        """Return the result for key at the current version, building it if needed."""
        # The version is read before building: a write during the build files the result
        # under the old version, which is never asked for again.
        versioned = (self._version(), key)
        if versioned in self._entries:
            return cast(T, self._entries[versioned])
        pending = self._building.get(versioned)
        if pending is None:
            pending = asyncio.ensure_future(build())
            self._building[versioned] = pending
            pending.add_done_callback(lambda done: self._finished(versioned, done))
        # Shielded: one caller giving up (a closed connection) must not cancel the others' build.
        return cast(T, await asyncio.shield(pending))

    def _finished(self, versioned: tuple[int, Hashable], done: asyncio.Future[Any]) -> None:
        self._building.pop(versioned, None)
        if not done.cancelled() and done.exception() is None:
            self._entries[versioned] = done.result()
