"""A subscriber of the event bus that raises on every event, and one that hangs for good.

In the running app, beside the real subscribers (the realtime hub, the health scheduler, the
health history, notifications): the others keep receiving everything, publishing never waits,
what the hung subscriber cannot take is dropped and counted, and the app still shuts down.
"""

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from envdeck.adapters.events import Event, Subscription
from tests.faults.conftest import api, fault_settings
from tests.support.live_app import (
    LiveApp,
    live_app_fixture,
    open_session,
    recv_matching,
    send_frame,
    set_up_admin,
)
from tests.support.targets import Target

HUNG_QUEUE = 5


@pytest.fixture
def target() -> Iterator[Target]:
    running = Target().start()
    yield running
    running.stop()


live = live_app_fixture("bus-faults", fault_settings, scope="function")


class BrokenSubscribers:
    """The two broken subscribers, subscribed on the app's own loop."""

    def __init__(self, live: LiveApp) -> None:
        self.raised = 0
        self.hung_on: list[str] = []
        self._never = asyncio.Event()
        self.crashing: Subscription | None = None
        self.hung: Subscription | None = None

        async def subscribe() -> None:
            bus = live.services.bus
            self._never = asyncio.Event()
            self.crashing = bus.subscribe("fault-crashing", self._crash)
            self.hung = bus.subscribe("fault-hung", self._hang, queue_size=HUNG_QUEUE)

        live.run(subscribe()).result(timeout=10)

    async def _crash(self, event: Event) -> None:
        self.raised += 1
        raise RuntimeError(f"subscriber bug on {event.topic}")

    async def _hang(self, event: Event) -> None:
        self.hung_on.append(event.topic)
        await self._never.wait()


async def test_a_crashing_and_a_hung_subscriber_harm_no_other_subscriber(
    live: LiveApp, target: Target
) -> None:
    admin = set_up_admin(live)
    broken = BrokenSubscribers(live)
    websocket = await open_session(live, admin.token)
    await send_frame(websocket, "subscribe", {"environments": "*", "logs": True})

    # Many events: environments created (each checked, each logged), far more than the hung
    # subscriber's queue holds.
    created = [
        api(
            live,
            admin,
            "POST",
            "/environments",
            json={
                "name": f"bus-{n}",
                "healthCheck": {
                    "enabled": True,
                    "endpoint": target.url(f"/e{n}"),
                    "interval": 10,
                    "timeout": 2,
                },
            },
        )["id"]
        for n in range(8)
    ]

    # The realtime hub still delivers: the last create, its status, its log entry.
    last = created[-1]
    await recv_matching(
        websocket,
        "environment_update",
        lambda p: p["action"] == "created" and p["environment"]["id"] == last,
    )
    await recv_matching(websocket, "status_update", lambda p: p["environmentId"] == last)
    await recv_matching(websocket, "log", lambda p: p["entry"]["environmentId"] == last)
    await websocket.close()
    # The health scheduler followed every create (it learns of them from the bus).
    assert live.services.health.environment_count == len(created)

    def env(env_id: str) -> dict[str, Any]:
        body: dict[str, Any] = api(live, admin, "GET", f"/environments/{env_id}")
        return body

    deadline = time.monotonic() + 15
    while not all(env(i)["status"]["health"] == "healthy" for i in created):
        assert time.monotonic() < deadline, "not every environment was checked"
        await asyncio.sleep(0.2)

    assert broken.raised > len(created)  # it got (and failed on) every event
    assert broken.hung is not None
    assert broken.crashing is not None
    assert len(broken.hung_on) == 1  # stuck on its first event for good
    assert broken.hung.dropped > 0  # the rest was dropped for it, counted, not waited for
    assert broken.crashing.dropped == 0
    entries = api(live, admin, "GET", "/logs", params={"action": "create"})["logs"]
    assert {e["environmentId"] for e in entries} == set(created)

    # Shutting down does not wait forever for the hung subscriber.
    started = time.monotonic()
    await asyncio.to_thread(live.stop)
    assert not live._thread.is_alive(), "the app did not shut down"
    print(f"\nshutdown with a hung subscriber took {time.monotonic() - started:.1f} s")
