"""Fail fast while storage is down: a circuit breaker in front of every repository.

Without it, every call during an outage waits out the backend's own timeout before failing:
PyMongo's server selection (5 s) for each request against a stopped MongoDB, SQLite's busy
timeout (5 s) for each statement against a file another process holds write-locked, and on
SQLite every other call queues behind that one database thread. Under load the API then
answers 503 after many seconds and requests pile up (tests/faults/test_storage_outage.py).

- Closed (normal): calls pass. The first call that raises StorageUnavailable opens it.
- Open: calls fail at once with StorageUnavailable (503 UNAVAILABLE). The next call after
  `retry_interval` first probes storage (`ping`, bounded by `probe_timeout`); while it probes,
  the others keep failing fast. A probe that answers closes the breaker and that call goes on;
  one that fails keeps it open for another interval.

So at most one caller at a time waits on a storage that is down, and recovery is noticed by the
first call within `retry_interval` of storage answering again. Only StorageUnavailable counts: a
not-found or a duplicate is an answer, not an outage. The first call after a trip probes at once,
so a single dropped connection costs one ping, not an interval of refusals. Background writers
(the activity log, the health recorder) keep their own retries; to them an open breaker is a
faster "unavailable". Hand-written because the libraries let every call through when half-open
(here one probe runs and the rest fail fast: that is the point on SQLite's single thread).
"""

import asyncio
import functools
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, cast

import structlog

from envdeck.domain.errors import StorageUnavailable
from envdeck.repositories.base import ClusterStore, Storage

log = structlog.get_logger(__name__)

RETRY_INTERVAL = 1.0
PROBE_TIMEOUT = 2.0

R = TypeVar("R")


class StorageBreaker:
    """The breaker's state; see the module docstring."""

    def __init__(
        self,
        probe: Callable[[], Awaitable[None]],
        *,
        backend: str,
        retry_interval: float = RETRY_INTERVAL,
        probe_timeout: float = PROBE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._backend = backend
        self.retry_interval = retry_interval
        self.probe_timeout = probe_timeout
        self._clock = clock
        self._opened_at: float | None = None
        self._retry_at = 0.0
        self._probing = False
        # Counters for /metrics and tests: times opened, calls refused without touching storage.
        self.trips = 0
        self.refused = 0

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def trip(self) -> None:
        """Note a StorageUnavailable: open, and let the next call probe at once."""
        if self._opened_at is None:
            self._opened_at = self._clock()
            self._retry_at = self._opened_at
            self.trips += 1
            log.warning("storage_breaker_opened", backend=self._backend)

    async def admit(self) -> None:
        """Return when a call may go to storage; raise StorageUnavailable when it may not."""
        if self._opened_at is None:
            return
        if self._probing or self._clock() < self._retry_at:
            self._refuse()
        self._probing = True
        try:
            await asyncio.wait_for(self._probe(), self.probe_timeout)
        except (StorageUnavailable, TimeoutError):
            self._retry_at = self._clock() + self.retry_interval
            self._refuse()
        finally:
            self._probing = False
        down_for = self._clock() - self._opened_at
        self._opened_at = None
        log.info("storage_breaker_closed", backend=self._backend, down_s=round(down_for, 2))

    def _refuse(self) -> None:
        self.refused += 1
        raise StorageUnavailable(details={"backend": self._backend, "retrying": True})


class _Guarded:
    """A repository whose coroutine methods and async iterators go through the breaker."""

    def __init__(self, inner: object, breaker: StorageBreaker) -> None:
        self._inner = inner
        self._breaker = breaker

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if inspect.iscoroutinefunction(attribute):
            wrapped: Any = self._call(attribute)
        elif inspect.isasyncgenfunction(attribute):
            wrapped = self._iterate(attribute)
        else:
            return attribute
        # Looked up once: later accesses find the wrapper without coming back here.
        setattr(self, name, wrapped)
        return wrapped

    def _call(self, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        breaker = self._breaker

        @functools.wraps(method)
        async def call(*args: Any, **kwargs: Any) -> Any:
            await breaker.admit()
            try:
                return await method(*args, **kwargs)
            except StorageUnavailable:
                breaker.trip()
                raise

        return call

    def _iterate(self, method: Callable[..., AsyncIterator[Any]]) -> Callable[..., Any]:
        breaker = self._breaker

        @functools.wraps(method)
        async def iterate(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            await breaker.admit()
            try:
                async for item in method(*args, **kwargs):
                    yield item
            except StorageUnavailable:
                breaker.trip()
                raise

        return iterate


def guarded(repository: R, breaker: StorageBreaker) -> R:
    """Return `repository` with its calls going through `breaker`."""
    # _Guarded answers every attribute of the repository it wraps: it is one to its callers.
    return cast(R, _Guarded(repository, breaker))


class GuardedStorage:
    """A Storage whose every repository goes through one breaker.

    open(), ping() and close() go straight to the backend: start-up waits for storage its own
    way, and /ready must see the truth, not the breaker.
    """

    def __init__(self, storage: Storage, breaker: StorageBreaker | None = None) -> None:
        self._storage = storage
        self.breaker = breaker or StorageBreaker(storage.ping, backend=storage.backend)
        self.backend = storage.backend
        self.environments = guarded(storage.environments, self.breaker)
        self.users = guarded(storage.users, self.breaker)
        self.logs = guarded(storage.logs, self.breaker)
        self.operations = guarded(storage.operations, self.breaker)
        self.credentials = guarded(storage.credentials, self.breaker)
        self.tokens = guarded(storage.tokens, self.breaker)
        self.revocations = guarded(storage.revocations, self.breaker)
        self.health_samples = guarded(storage.health_samples, self.breaker)
        self.maintenance_windows = guarded(storage.maintenance_windows, self.breaker)
        self.status_pages = guarded(storage.status_pages, self.breaker)
        self.notification_channels = guarded(storage.notification_channels, self.breaker)
        self.instances = guarded(storage.instances, self.breaker)
        self.login_attempts = guarded(storage.login_attempts, self.breaker)
        self.alert_states = guarded(storage.alert_states, self.breaker)
        self.notification_outbox = guarded(storage.notification_outbox, self.breaker)
        self.reservations = guarded(storage.reservations, self.breaker)
        self.pipelines = guarded(storage.pipelines, self.breaker)
        self.promotions = guarded(storage.promotions, self.breaker)

    async def open(self) -> None:
        await self._storage.open()

    async def ping(self) -> None:
        await self._storage.ping()

    async def cluster_store(self) -> ClusterStore:
        return await self._storage.cluster_store()

    async def close(self) -> None:
        await self._storage.close()
