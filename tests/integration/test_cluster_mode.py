"""Cluster mode is decided at start-up, from what MongoDB is, and said in one line.

A replica set carries several instances (change streams); a standalone server does not, and
an instance on one says so and runs alone. An instance in cluster mode whose JWT secret and
encryption key were generated into its own data dir warns that the others would refuse its
sign-ins and secrets.
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import unique_database_name
from tests.support.server import RunningServer, start_server

SHARED_SECRETS = {
    "JWT_SECRET": "a-jwt-secret-every-instance-shares-0123456789",
    "ENVDECK_ENCRYPTION__KEY": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
}


@pytest.fixture
def standalone_mongo_uri(tmp_path: Path) -> Iterator[str]:
    """A MongoDB that is not a replica set (no change streams)."""
    from secantus import SecantusDBServer

    with SecantusDBServer(storage_path=str(tmp_path / "standalone"), replica_set_name=None) as db:
        yield db.uri


def serve_on(uri: str, workdir: Path, **extra: str) -> RunningServer:
    workdir.mkdir()
    env = {"MONGODB_URI": uri, "MONGODB_DATABASE": unique_database_name(), **extra}
    return start_server(workdir, env=env)


def events_after_start(server: RunningServer) -> list[dict[str, Any]]:
    """Stop the server once it has joined (or declined) and return its JSON log lines."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if httpx.get(f"{server.url}/ready", timeout=2).status_code == 200:
            break
        time.sleep(0.1)
    events = []
    for line in server.output().splitlines():
        if line.startswith("{"):
            events.append(json.loads(line))
    return events


def named(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e.get("event") == name]


def test_a_standalone_mongodb_runs_one_instance_and_says_why_in_one_line(
    standalone_mongo_uri: str, tmp_path: Path
) -> None:
    events = events_after_start(serve_on(standalone_mongo_uri, tmp_path / "a", **SHARED_SECRETS))
    [off] = named(events, "cluster_mode_off")
    assert off["level"] == "warning"
    assert "not a replica set" in off["reason"]
    assert "Running several instances" in off["reason"]
    assert not named(events, "cluster_mode_on")


def test_a_replica_set_turns_cluster_mode_on_and_generated_secrets_are_flagged(
    mongo_uri: str, tmp_path: Path
) -> None:
    shared = events_after_start(serve_on(mongo_uri, tmp_path / "shared", **SHARED_SECRETS))
    assert named(shared, "cluster_mode_on")
    assert not named(shared, "cluster_secrets_not_configured")
    assert not named(shared, "cluster_mode_off")

    generated = events_after_start(serve_on(mongo_uri, tmp_path / "generated"))
    assert named(generated, "cluster_mode_on")
    [warning] = named(generated, "cluster_secrets_not_configured")
    assert "ENVDECK_ENCRYPTION__KEY" in warning["fix"]
