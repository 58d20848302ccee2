"""The event bus delivers in order, off the publisher, and survives broken subscribers."""

import asyncio

from envdeck.adapters.events import EnvironmentChanged, Event, EventBus, LogRecorded
from envdeck.domain.environment import Environment


def changed(name: str) -> EnvironmentChanged:
    return EnvironmentChanged(action="created", environment=Environment(name=name))


async def test_delivers_events_in_order_to_each_subscriber() -> None:
    bus = EventBus()
    first: list[str] = []
    second: list[str] = []

    async def to_first(event: Event) -> None:
        assert isinstance(event, EnvironmentChanged)
        first.append(event.environment.name)

    async def to_second(event: Event) -> None:
        assert isinstance(event, EnvironmentChanged)
        second.append(event.environment.name)

    bus.subscribe("first", to_first)
    bus.subscribe("second", to_second)
    for name in ("a", "b", "c"):
        bus.publish(changed(name))
    await bus.drain()
    assert first == second == ["a", "b", "c"]
    await bus.close()


async def test_delivers_only_the_topics_asked_for() -> None:
    bus = EventBus()
    seen: list[str] = []

    async def handler(event: Event) -> None:
        seen.append(event.topic)

    bus.subscribe("logs-only", handler, topics={LogRecorded.topic})
    bus.publish(changed("a"))
    await bus.drain()
    assert seen == []
    await bus.close()


async def test_a_crashing_subscriber_keeps_receiving_and_harms_no_one() -> None:
    bus = EventBus()
    calls: list[str] = []
    healthy: list[str] = []

    async def crashing(event: Event) -> None:
        assert isinstance(event, EnvironmentChanged)
        calls.append(event.environment.name)
        raise RuntimeError("subscriber bug")

    async def fine(event: Event) -> None:
        assert isinstance(event, EnvironmentChanged)
        healthy.append(event.environment.name)

    bus.subscribe("crashing", crashing)
    bus.subscribe("fine", fine)
    bus.publish(changed("a"))
    bus.publish(changed("b"))
    await bus.drain()
    assert calls == ["a", "b"]
    assert healthy == ["a", "b"]
    await bus.close()


async def test_a_slow_subscriber_does_not_block_the_publisher_or_others() -> None:
    bus = EventBus()
    release = asyncio.Event()
    fast: list[str] = []

    async def stuck(_event: Event) -> None:
        await release.wait()

    async def quick(event: Event) -> None:
        assert isinstance(event, EnvironmentChanged)
        fast.append(event.environment.name)

    slow = bus.subscribe("stuck", stuck, queue_size=2)
    other = bus.subscribe("quick", quick)
    for name in ("a", "b", "c", "d", "e"):
        bus.publish(changed(name))  # returns at once even though "stuck" never reads
    # "quick" handles all five while "stuck" still holds its first.
    await asyncio.wait_for(other.queue.join(), timeout=10)
    assert fast == ["a", "b", "c", "d", "e"]
    # Its queue held two; the three published before its worker ran were dropped and counted.
    assert slow.dropped == 3
    release.set()
    await bus.close()
