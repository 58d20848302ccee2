"""The in-process event bus: typed events published once, delivered to each subscriber.

Each subscriber gets its own bounded queue and worker task, so a slow or failing subscriber
never delays the publisher or the other subscribers. With several instances, the event relay
(services/cluster/event_relay.py) carries each instance's events to the others' buses through
MongoDB: an event published here has `origin` None; one relayed from another instance names
that instance, so a subscriber that must act once in the cluster (alerting) can tell.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import structlog

from envdeck.adapters.tasks import cancel_and_wait
from envdeck.domain.clock import utc_now
from envdeck.domain.environment import Environment, HealthState, Status
from envdeck.domain.log import LogEntry
from envdeck.domain.operation import Operation
from envdeck.domain.promotion import Promotion
from envdeck.domain.reservation import ReservationView

log = structlog.get_logger(__name__)

DEFAULT_QUEUE_SIZE = 10_000
# At shutdown, what is queued gets this long to be delivered (a stuck subscriber cannot hold
# the process up longer).
CLOSE_TIMEOUT = 5.0


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event; `topic` names the kind ("environment.updated")."""

    topic: ClassVar[str] = "event"
    occurred_at: datetime = field(default_factory=utc_now)
    # The instance that published it, when another one did (relayed); None: this process.
    origin: str | None = None


@dataclass(frozen=True, kw_only=True)
class EnvironmentChanged(Event):
    topic: ClassVar[str] = "environment.changed"
    action: str  # created | updated | deleted
    environment: Environment


@dataclass(frozen=True, kw_only=True)
class ReservationUpdated(Event):
    """A reservation was made, extended, released, broken, or ended by itself."""

    topic: ClassVar[str] = "reservation.updated"
    action: str  # created | extended | released | broken | ended
    reservation: ReservationView


@dataclass(frozen=True, kw_only=True)
class PromotionUpdated(Event):
    """A promotion was requested, approved, rejected, moved on, or finished."""

    topic: ClassVar[str] = "promotion.updated"
    promotion: Promotion


@dataclass(frozen=True, kw_only=True)
class LogRecorded(Event):
    topic: ClassVar[str] = "log.recorded"
    entry: LogEntry


@dataclass(frozen=True, kw_only=True)
class StatusChanged(Event):
    """An environment's status changed (published by the health engine).

    `transition` is true when the health itself changed (healthy, unhealthy, unknown): that is
    the event notifications subscribe to, sent to every client. A refresh (a check that left
    the health as it was) has transition false and goes only to clients watching the
    environment; the engine publishes at most one per environment per flush.
    """

    topic: ClassVar[str] = "environment.status_changed"
    environment_id: str
    status: Status
    previous: HealthState | None = None
    transition: bool = True
    environment_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class VersionChanged(Event):
    """An environment reports another version than the one stored before (health engine, or
    an operation's verification); `previous` is never empty."""

    topic: ClassVar[str] = "environment.version_changed"
    environment_id: str
    environment_name: str
    previous: str
    version: str


@dataclass(frozen=True, kw_only=True)
class OperationUpdated(Event):
    """An operation was created or changed state (pending, running, finished)."""

    topic: ClassVar[str] = "operation.updated"
    operation: Operation


@dataclass(frozen=True, kw_only=True)
class OperationOutput(Event):
    """A chunk of an operation's live output; `seq` counts chunks of one operation from 1."""

    topic: ClassVar[str] = "operation.output"
    operation_id: str
    environment_id: str | None = None
    seq: int
    stream: str  # stdout | stderr
    chunk: str


@dataclass(frozen=True, kw_only=True)
class OperationCancelRequested(Event):
    """Someone asked to cancel an operation that another instance runs: the relay carries it
    there, and the instance running it cancels it (services/operations)."""

    topic: ClassVar[str] = "operation.cancel_requested"
    operation_id: str
    requested_by: str  # the username, as the outcome names it ("cancelled by …")


Handler = Callable[[Event], Awaitable[None]]


class Subscription:
    """One subscriber: a queue, a worker draining it, and what it wants."""

    def __init__(self, name: str, handler: Handler, topics: frozenset[str] | None, size: int):
        self.name = name
        self.handler = handler
        self.topics = topics
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=size)
        self.dropped = 0
        self.task: asyncio.Task[None] | None = None
        self.handling = False  # inside the handler now

    def wants(self, event: Event) -> bool:
        return self.topics is None or event.topic in self.topics

    async def run(self) -> None:
        while True:
            event = await self.queue.get()
            self.handling = True
            try:
                await self.handler(event)
            except Exception:
                # A crashing subscriber loses this one event, not its subscription.
                log.exception("event_handler_failed", subscriber=self.name, topic=event.topic)
            finally:
                self.handling = False
                self.queue.task_done()


class EventBus:
    """Publish/subscribe of typed events within one process."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    def subscribe(
        self,
        name: str,
        handler: Handler,
        topics: set[str] | None = None,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> Subscription:
        """Deliver events of these topics (all when None) to handler, in order, off the caller."""
        subscription = Subscription(
            name, handler, frozenset(topics) if topics else None, queue_size
        )
        subscription.task = asyncio.create_task(subscription.run(), name=f"bus:{name}")
        self._subscriptions.append(subscription)
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to a subscription and stop its worker."""
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
        await cancel_and_wait(subscription.task)

    def publish(self, event: Event) -> None:
        """Queue event for every interested subscriber; never blocks."""
        for subscription in self._subscriptions:
            if not subscription.wants(event):
                continue
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                subscription.dropped += 1
                log.warning("event_dropped", subscriber=subscription.name, topic=event.topic)

    async def drain(self) -> None:
        """Wait until every subscriber has handled what was published so far."""
        for subscription in list(self._subscriptions):
            await subscription.queue.join()

    async def close(self, timeout: float = CLOSE_TIMEOUT) -> None:  # noqa: ASYNC109
        """Deliver what is queued, for up to timeout seconds, then stop every worker.

        A subscriber stuck on an event (a handler that never returns) would make the drain
        wait forever, and the process with it: past timeout its queue is given up, said so.
        """
        try:
            async with asyncio.timeout(timeout):
                await self.drain()
        except TimeoutError:
            stuck = [s for s in self._subscriptions if s.queue.qsize() or s.handling]
            log.error(
                "event_bus_close_timeout",
                timeout_s=timeout,
                subscribers=[s.name for s in stuck],
                undelivered=sum(s.queue.qsize() for s in stuck),
            )
        for subscription in list(self._subscriptions):
            await self.unsubscribe(subscription)
