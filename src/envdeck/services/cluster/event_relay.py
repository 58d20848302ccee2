"""The event relay: every instance's events on every instance's bus (docs/operations.md).

Each event published on this instance's bus (`origin` None) is appended to the shared event
stream (MongoDB: an `events` collection with a TTL index), in publish order, by one writer;
each instance follows the stream (a change stream) and publishes what other instances
appended on its own bus, with `origin` naming the instance it came from. So a WebSocket client
of any instance sees status changes, operation output and log entries caused on any other,
in order per environment (one writer per instance, and each environment's events come from
the one instance that checks it or runs its operation); caches that follow the bus stay true.
"""

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Any

import structlog
from pydantic import TypeAdapter, ValidationError

from envdeck.adapters.events import (
    EnvironmentChanged,
    Event,
    EventBus,
    OperationUpdated,
    ReservationUpdated,
    StatusChanged,
    Subscription,
    VersionChanged,
)
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.errors import StorageUnavailable
from envdeck.repositories.base import EventStream

log = structlog.get_logger(__name__)

# Events appended in one write at most; more wait for the next.
BATCH_LIMIT = 500
# Events waiting to be appended at most; past that the newest are dropped (said in the log),
# so a storage outage cannot grow the process without bound.
QUEUE_LIMIT = 50_000
RETRY_SECONDS = 1.0
# At shutdown, what waits to be appended gets this long.
CLOSE_TIMEOUT = 2.0
# Events by which another instance changed stored environments (what cached views show).
_ENVIRONMENT_TOPICS = frozenset(
    {
        EnvironmentChanged.topic,
        StatusChanged.topic,
        VersionChanged.topic,
        OperationUpdated.topic,
        # Environment responses show their current and next reservation.
        ReservationUpdated.topic,
    }
)


def _event_classes() -> dict[str, type[Event]]:
    found: dict[str, type[Event]] = {}
    pending: list[type[Event]] = [Event]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not Event:
            found[cls.topic] = cls
    return found


class EventCodec:
    """Events to JSON-ready documents and back, by topic."""

    def __init__(self) -> None:
        self._adapters: dict[str, TypeAdapter[Any]] = {
            topic: TypeAdapter(cls) for topic, cls in _event_classes().items()
        }

    def encode(self, event: Event, origin: str) -> dict[str, Any]:
        payload = self._adapters[event.topic].dump_python(event, mode="json", by_alias=True)
        return {"topic": event.topic, "origin": origin, "event": payload}

    def decode(self, document: Mapping[str, Any]) -> Event | None:
        """Return the event a document carries (its origin set), or None when unreadable (a
        topic this version does not know, say, from a newer instance)."""
        adapter = self._adapters.get(str(document.get("topic")))
        if adapter is None:
            return None
        try:
            event: Event = adapter.validate_python(
                {**document["event"], "origin": document["origin"]}
            )
        except (ValidationError, KeyError, TypeError):
            return None
        return event


class EventRelay:
    """Appends this instance's events to the stream and publishes the others'."""

    def __init__(
        self,
        bus: EventBus,
        instance_id: str,
        interested: Callable[[str], bool] | None = None,
    ) -> None:
        self._bus = bus
        self._instance_id = instance_id
        # Which environments' status refreshes this instance wants (None: all of them).
        self._interested = interested
        self._codec = EventCodec()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_LIMIT)
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.relayed_out = 0
        self.relayed_in = 0
        self.dropped = 0
        # Counts remote events that changed stored environments: views cached on this
        # instance re-read when it moves (container.py).
        self.environment_changes = 0

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def start(self, stream: EventStream) -> None:
        """Follow the stream, then relay this instance's events to it."""
        if self._tasks:
            return
        following = asyncio.Event()
        self._tasks.append(
            asyncio.create_task(self._follow(stream, following), name="event-relay-in")
        )
        # Following before relaying out: the first events of a new instance are not lost to it.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await following.wait()
        self._tasks.append(asyncio.create_task(self._write(stream), name="event-relay-out"))
        self._subscription = self._bus.subscribe("event-relay", self._on_event)
        log.info("event_relay_started", instance_id=self._instance_id)

    async def close(self) -> None:
        """Stop relaying, after a moment for what is waiting to be appended."""
        if self._subscription is not None:
            await self._bus.unsubscribe(self._subscription)
            self._subscription = None
        if self._tasks:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await self._outbox.join()
        for task in self._tasks:
            await cancel_and_wait(task)
        self._tasks = []

    async def _on_event(self, event: Event) -> None:
        if event.origin is not None:
            return  # relayed here from another instance: it is already in the stream
        try:
            self._outbox.put_nowait(self._codec.encode(event, self._instance_id))
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning("event_relay_dropped", topic=event.topic)

    async def _write(self, stream: EventStream) -> None:
        while True:
            batch = [await self._outbox.get()]
            while len(batch) < BATCH_LIMIT and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            while True:
                try:
                    await stream.append(batch)
                    break
                except StorageUnavailable:
                    log.warning("event_relay_append_failed", retry_in=RETRY_SECONDS)
                    await asyncio.sleep(RETRY_SECONDS)
            self.relayed_out += len(batch)
            for _ in batch:
                self._outbox.task_done()

    async def _follow(self, stream: EventStream, following: asyncio.Event) -> None:
        documents = stream.follow(on_open=following.set, skip_origin=self._instance_id)
        async for document in documents:
            if not self._wanted(document):
                continue
            event = self._codec.decode(document)
            if event is None:
                log.warning("event_relay_unreadable", topic=document.get("topic"))
                continue
            self.relayed_in += 1
            if event.topic in _ENVIRONMENT_TOPICS:
                self.environment_changes += 1
            self._bus.publish(event)

    def _wanted(self, document: Mapping[str, Any]) -> bool:
        """Tell whether anyone here wants an event: a refresh of a status (a check that left
        the health as it was, one per check) only when the environment is of interest here
        (watched by a WebSocket client, say); read from the document, before any decoding."""
        if document.get("topic") != StatusChanged.topic or self._interested is None:
            return True
        payload = document.get("event")
        if not isinstance(payload, Mapping) or payload.get("transition", True):
            return True
        return self._interested(str(payload.get("environment_id")))
