"""The instance registry across real `envdeck serve` processes on one MongoDB (SecantusDB).

A (the observer) and other instances share one database, with a short heartbeat and TTL. Each
appears live with its pid and version; one stopped with SIGTERM shows `stopped`; one killed
with SIGKILL shows `lost` once its TTL has passed. Nothing is timed: each state is polled for
until a generous deadline.
"""

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from envdeck import __version__
from tests.conftest import unique_database_name
from tests.support.server import RunningServer, start_server

ADMIN = "admin"
PASSWORD = "quartz-lantern-orbit-91"
DEADLINE = 30.0


@pytest.fixture
def environ(mongo_uri: str) -> Iterator[dict[str, str]]:
    database = unique_database_name()
    yield {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "ENVDECK_ADMIN_USERNAME": ADMIN,
        "ENVDECK_ADMIN_PASSWORD": PASSWORD,
        "ENVDECK_AUTH__BCRYPT_COST": "4",
        "ENVDECK_CLUSTER__HEARTBEAT_INTERVAL": "200ms",
        "ENVDECK_CLUSTER__INSTANCE_TTL": "1s",
        "ENVDECK_CLUSTER__LEASE_DURATION": "1s",
        "ENVDECK_LOG__LEVEL": "warning",
    }
    with MongoClient(mongo_uri) as client:
        client.drop_database(database)


@pytest.fixture
def serve(tmp_path: Path, environ: dict[str, str]) -> Iterator[Callable[[], RunningServer]]:
    """Start another `envdeck serve` on the shared database (each in its own work dir)."""
    started: list[RunningServer] = []

    def start() -> RunningServer:
        workdir = tmp_path / f"instance-{len(started)}"
        workdir.mkdir()
        started.append(start_server(workdir, env=environ))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def sign_in(server: RunningServer) -> dict[str, str]:
    answer = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"username": ADMIN, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def instances(server: RunningServer, headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/api/v1/system/instances", headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def wait_for_instance(
    observer: RunningServer, headers: dict[str, str], pid: int, status: str
) -> dict[str, Any]:
    """Return the listing of the instance with this pid once it has `status`."""
    deadline = time.monotonic() + DEADLINE
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        seen = instances(observer, headers)["instances"]
        for instance in seen:
            if instance["pid"] == pid and instance["status"] == status:
                return instance
        time.sleep(0.1)
    raise AssertionError(f"no instance with pid {pid} became {status} in {DEADLINE} s: {seen}")


def wait_for_shards(
    observer: RunningServer, headers: dict[str, str], pids: set[int]
) -> dict[int, int]:
    """Return {pid: health shards held} once exactly these instances share all 32 evenly."""
    deadline = time.monotonic() + DEADLINE
    held: dict[int, int] = {}
    while time.monotonic() < deadline:
        listing = instances(observer, headers)
        assert listing["cluster"] is True
        held = {i["pid"]: i["healthShards"] for i in listing["instances"] if i["healthShards"]}
        shares = held.values()
        if set(held) == pids and sum(shares) == 32 and max(shares) - min(shares) <= 1:
            return held
        time.sleep(0.1)
    raise AssertionError(f"the shards never went to exactly {pids}: {held}")


def test_instances_show_live_then_stopped_or_lost(
    serve: Callable[[], RunningServer],
) -> None:
    observer = serve()
    headers = sign_in(observer)
    graceful, killed = serve(), serve()

    me = wait_for_instance(observer, headers, observer.process.pid, "live")
    assert instances(observer, headers)["self"] == me["id"]
    for server in (graceful, killed):
        listed = wait_for_instance(observer, headers, server.process.pid, "live")
        assert listed["version"] == __version__
        assert listed["backend"] == "mongodb"
        assert listed["id"] != me["id"]
        assert listed["stoppedAt"] is None

    # The three share the health checks' 32 shards evenly (11, 11, 10).
    everyone = {s.process.pid for s in (observer, graceful, killed)}
    assert sorted(wait_for_shards(observer, headers, everyone).values()) == [10, 11, 11]

    graceful.stop()
    assert graceful.process.returncode == 0
    stopped = wait_for_instance(observer, headers, graceful.process.pid, "stopped")
    assert stopped["stoppedAt"] is not None

    killed.process.send_signal(signal.SIGKILL)
    killed.process.wait()
    lost = wait_for_instance(observer, headers, killed.process.pid, "lost")
    assert lost["stoppedAt"] is None
    # What the stopped one handed back and the killed one's expired leases: all the observer's.
    assert wait_for_shards(observer, headers, {observer.process.pid}) == {observer.process.pid: 32}

    # The observer itself stays live throughout, and says which one it is.
    assert wait_for_instance(observer, headers, observer.process.pid, "live")["id"] == me["id"]
