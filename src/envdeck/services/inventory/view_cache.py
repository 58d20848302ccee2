"""Results of read-only queries, shared by concurrent callers and reused until the data changes.

A dashboard opened by many people at once asks the same questions (the first page, the counts)
over and over. Each answer is built once per data version: callers that arrive while it is being
built wait for that build instead of starting their own, and later callers get the stored result
until `version()` moves on: after a write here, or a change another instance announced (the
event relay counts them). Entries also expire after `max_age` seconds, which bounds how stale
an answer can be should an announcement be late or lost.

With `stale_for`, an expired entry of the current version is still served for that long while
one rebuild runs in the background: under steady traffic nobody waits for a rebuild (a
summary of 10,000 environments takes milliseconds that every caller arriving meanwhile would
wait), and the staleness bound becomes `max_age + stale_for`.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

from cachetools import LRUCache

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
        stale_for: float = 0.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._version = version
        self._max_age = max_age
        self._stale_for = stale_for
        self._timer = timer
        # (version, key) -> (when its build started, the result)
        self._entries: LRUCache[tuple[int, Hashable], tuple[float, Any]] = LRUCache(max_entries)
        self._building: dict[tuple[int, Hashable], asyncio.Future[Any]] = {}

    async def get(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        """Return the result for key at the current version, building it if needed."""
        # The version is read before building: a write during the build files the result
        # under the old version, which is never asked for again.
        versioned = (self._version(), key)
        entry = self._entries.get(versioned)
        if entry is not None:
            built_at, value = entry
            age = self._timer() - built_at
            if age < self._max_age:
                return cast(T, value)
            if age < self._max_age + self._stale_for:
                self._build(versioned, build)
                return cast(T, value)
        # Shielded: one caller giving up (a closed connection) must not cancel the others' build.
        return cast(T, await asyncio.shield(self._build(versioned, build)))

    def _build(
        self, versioned: tuple[int, Hashable], build: Callable[[], Awaitable[T]]
    ) -> "asyncio.Future[Any]":
        """Start the build of versioned unless one runs; return the running one."""
        pending = self._building.get(versioned)
        if pending is None:
            # Stamped when it starts: what it reads is at least that old.
            started = self._timer()
            pending = asyncio.ensure_future(build())
            self._building[versioned] = pending
            pending.add_done_callback(lambda done: self._finished(versioned, started, done))
        return pending

    def _finished(
        self, versioned: tuple[int, Hashable], started: float, done: asyncio.Future[Any]
    ) -> None:
        self._building.pop(versioned, None)
        # Reading the exception also keeps a failed background rebuild from being reported as
        # never retrieved; the stale entry then expires and the next caller builds again.
        if not done.cancelled() and done.exception() is None:
            self._entries[versioned] = (started, done.result())
