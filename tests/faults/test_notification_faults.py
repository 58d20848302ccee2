"""Notification receivers that are down: one refuses connections, one accepts and never answers.

With the health engine running: each delivery is retried, then ends in exactly one failure entry
(the channel's lastDelivery says so too, its URL never shown); the engine keeps checking the
other environments and the API keeps answering meanwhile; once the receiver is back, the next
message goes through.
"""

import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.faults.conftest import fault_settings
from tests.support.faults import TcpProxy
from tests.support.live_app import Account, LiveApp, live_app_fixture, set_up_admin
from tests.support.receiver import Receiver
from tests.support.targets import Target

NEIGHBOURS = 5
WAIT = 30.0


def closed_port() -> int:
    """A port nothing listens on: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


live = live_app_fixture(
    "notification-faults",
    lambda data: fault_settings(
        data,
        ENVDECK_NOTIFICATIONS__RETRY_ATTEMPTS="3",
        ENVDECK_NOTIFICATIONS__RETRY_BASE_DELAY="200ms",
        ENVDECK_NOTIFICATIONS__SEND_TIMEOUT="1s",
    ),
    scope="function",
)


class Api:
    def __init__(self, live: LiveApp, admin: Account) -> None:
        self.live = live
        self.client = httpx.Client(
            base_url=f"{live.url}/api/v1",
            headers={"Authorization": f"Bearer {admin.token}"},
            timeout=WAIT,
        )

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def channel(self, name: str, url: str) -> str:
        body = {
            "name": name,
            "url": url,
            "events": ["environment.unhealthy", "environment.recovered"],
            "scope": {"kind": "all"},
        }
        return str(self.call("POST", "/notifications/channels", json=body)["id"])

    def environment(self, name: str, endpoint: str) -> str:
        health = {"enabled": True, "endpoint": endpoint, "interval": 10, "timeout": 2}
        body = {"name": name, "healthCheck": {**health, "failureThreshold": 1}}
        return str(self.call("POST", "/environments", json=body)["id"])

    def entries(self, action: str) -> list[dict[str, Any]]:
        logs: list[dict[str, Any]] = self.call("GET", "/logs", params={"action": action})["logs"]
        return logs

    def wait_for_entries(self, action: str, count: int) -> list[dict[str, Any]]:
        deadline = time.monotonic() + WAIT
        while len(found := self.entries(action)) < count:
            assert time.monotonic() < deadline, f"{action}: {len(found)} of {count}"
            time.sleep(0.1)
        return found

    def settle(self) -> None:
        self.live.run(self.live.services.notifications.settle()).result(timeout=WAIT)


def test_receivers_that_are_down_end_in_one_failure_each_and_the_engine_is_unaffected(
    live: LiveApp, target: Target, receiver: Receiver
) -> None:
    api = Api(live, set_up_admin(live))
    with TcpProxy(receiver.port) as silent:
        silent.blackhole()  # accepts, then never says a word
        refused_id = api.channel("refused", f"json://127.0.0.1:{closed_port()}/hooks/r3fused")
        silent_id = api.channel("silent", f"json://127.0.0.1:{silent.port}/hooks/s1lent")
        failing = api.environment("failing", target.reply("/failing", status=503))
        neighbours = [
            api.environment(f"neighbour-{n}", target.url(f"/ok-{n}")) for n in range(NEIGHBOURS)
        ]
        health = live.services.health

        # Its first check (within 2 s) makes it unhealthy: one message for each channel.
        failed = api.wait_for_entries("notification_failed", 2)
        checks_meanwhile = health.stats.finished

        by_channel = {entry["details"]["channel"]: entry for entry in failed}
        assert set(by_channel) == {"refused", "silent"}
        for entry in failed:
            assert entry["level"] == "error"
            assert entry["environmentId"] == failing
            assert entry["details"]["attempts"] == 3
        refused_error = by_channel["refused"]["details"]["error"].lower()
        assert "refused" in refused_error or "connect" in refused_error
        assert by_channel["silent"]["details"]["error"]
        assert "r3fused" not in str(failed)
        assert "s1lent" not in str(failed)
        assert api.entries("notification_sent") == []
        for channel_id in (refused_id, silent_id):
            last = api.call("GET", f"/notifications/channels/{channel_id}")["lastDelivery"]
            assert last["status"] == "failed"
            assert last["attempts"] == 3

        # The engine checked everyone, and kept checking, while deliveries failed.
        assert checks_meanwhile >= NEIGHBOURS + 1
        statuses = {
            env["id"]: env["status"]["health"]
            for env in api.call("GET", "/environments", params={"limit": 200})["environments"]
        }
        assert statuses[failing] == "unhealthy"
        assert all(statuses[n] == "healthy" for n in neighbours)
        assert api.call("GET", "/notifications/channels")["pagination"]["total"] == 2

        # The silent receiver answers again: the recovery message goes through to it.
        silent.heal()
        target.reply("/failing", status=200)
        api.call("POST", f"/environments/{failing}/check-health")
        api.settle()
        sent = api.wait_for_entries("notification_sent", 1)
        assert [entry["details"]["channel"] for entry in sent] == ["silent"]
        assert receiver.wait_for(1)[0].path == "/hooks/s1lent"
        assert len(api.wait_for_entries("notification_failed", 3)) == 3  # refused, still down
