"""`kill -9` in the middle of everything, then a restart on the same data.

The real `envdeck serve` runs as a subprocess (SQLite, and MongoDB through SecantusDB) with, at
the moment it is killed: operations running (an HTTP restart and an HTTP upgrade waiting for
verification against the demo fleet, and an SSH script on a real sshd when there is one), health
checks in flight (fleet targets that hang or answer slowly), clients creating and editing
environments as fast as they can, and a WebSocket client tailing the activity log. Then SIGKILL,
and a restart on the same data. Afterwards:

- every operation left running is `interrupted`, with its activity-log entry, and its environment
  is free again (at start-up on SQLite; on MongoDB, a replica set here and so in cluster mode,
  once the killed instance's heartbeat is older than `cluster.instanceTtl`);
- no stored document is half-written: SQLite's `PRAGMA integrity_check`, every JSON document
  valid, and every document of every collection parsed into its domain model;
- the activity log holds every entry that was acknowledged before the kill: each change whose
  response the client received (the API answers only once its entries are stored), and each
  entry a WebSocket client was shown (published once stored).

The log's flushInterval is 5 s here: were responses sent before their entries were stored, the
kill would lose the last seconds of acknowledged changes, and this test would say so.
"""

import asyncio
import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import BACKENDS, unique_database_name
from tests.faults.durability import check_sqlite_file, read_stored_state, server_settings
from tests.support import sshd as ssh_servers
from tests.support.fleet import FleetProcess, start_fleet
from tests.support.operations import fleet_environment
from tests.support.server import RunningServer, start_server
from tests.support.sshd import SSHD, OpenSshServer, SshAccount

ssh_account = ssh_servers.ssh_account
sshd = ssh_servers.sshd

ADMIN = "admin"
PASSWORD = "quartz-lantern-orbit-91"
CHURN_WORKERS = 3
ACKNOWLEDGED_BEFORE_KILL = 60  # changes acknowledged before the kill, at least


def server_environ(backend: dict[str, str]) -> dict[str, str]:
    return {
        "ENVDECK_ADMIN_USERNAME": ADMIN,
        "ENVDECK_ADMIN_PASSWORD": PASSWORD,
        "ENVDECK_AUTH__BCRYPT_COST": "4",
        "ENVDECK_ACTIVITY_LOG__FLUSH_INTERVAL": "5s",
        "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
        "ENVDECK_OPERATIONS__OUTPUT_FLUSH_INTERVAL": "200ms",
        "ENVDECK_LOG__LEVEL": "warning",
        # On a replica set (cluster mode) the restarted instance takes the killed one for gone
        # once its heartbeat is older than the TTL: shortened, so the test waits seconds.
        "ENVDECK_CLUSTER__HEARTBEAT_INTERVAL": "500ms",
        "ENVDECK_CLUSTER__INSTANCE_TTL": "2s",
        **backend,
    }


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The variables that select the backend: SQLite in the data dir, or a fresh database."""
    if request.param == "sqlite":
        yield {}
        return
    uri: str = request.getfixturevalue("mongo_uri")
    database = unique_database_name()
    yield {"MONGODB_URI": uri, "MONGODB_DATABASE": database}
    with MongoClient(uri) as client:
        client.drop_database(database)


@pytest.fixture
def fleet() -> Iterator[FleetProcess]:
    with start_fleet(12, transition_seconds=1.0) as running:
        yield running


@pytest.fixture
def ssh_server(request: pytest.FixtureRequest) -> OpenSshServer | None:
    """The session's real sshd; None where sshd is not installed (CI insists on one)."""
    if not SSHD.exists() and os.environ.get("CI") != "true":
        return None
    server: OpenSshServer = request.getfixturevalue("sshd")
    return server


@dataclass
class Acknowledged:
    """The changes whose response a client received before the kill."""

    created: set[str] = field(default_factory=set)
    updated: Counter[str] = field(default_factory=Counter)

    def __len__(self) -> int:
        return len(self.created) + sum(self.updated.values())


async def sign_in(url: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/api/v1/auth/login", json={"username": ADMIN, "password": PASSWORD}
        )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def create_environment(api: httpx.AsyncClient, config: dict[str, Any]) -> str:
    response = await api.post("/environments", json=config)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def start_operations(
    api: httpx.AsyncClient,
    fleet: FleetProcess,
    ssh: tuple[OpenSshServer, SshAccount] | None,
) -> dict[str, str]:
    """Start operations that will still run at the kill; return {operation id: environment id}."""
    fleet.configure("shop-qa", restartDownSeconds=600)  # down long after the restart call
    fleet.configure("shop-staging", upgradeApplies=False)  # never reports the new version
    restarting = await create_environment(
        api, fleet_environment(fleet, "shop-qa", verify_timeout=600)
    )
    upgrading = await create_environment(
        api, fleet_environment(fleet, "shop-staging", verify_timeout=600)
    )
    started = {
        restarting: await api.post(f"/environments/{restarting}/restart", json={}),
        upgrading: await api.post(f"/environments/{upgrading}/upgrade", json={"version": "2.5.0"}),
    }
    if ssh is not None:
        server, account = ssh
        credential = await api.post(
            "/credentials",
            json={
                "name": "deploy-key",
                "type": "key",
                "secret": account.keys.key_credential().private_key,
            },
        )
        assert credential.status_code == 201, credential.text
        remote = await create_environment(
            api,
            {
                "name": "ssh-host",
                "target": {"host": "127.0.0.1", "port": server.port, "hostKeyPolicy": "tofu"},
                "credentials": {
                    "type": "key",
                    "username": account.username,
                    "keyId": credential.json()["id"],
                },
                "commands": {
                    "type": "ssh",
                    "restart": {
                        "enabled": True,
                        "command": "echo restarting; sleep 60",
                        "timeout": 600,
                    },
                },
            },
        )
        started[remote] = await api.post(f"/environments/{remote}/restart", json={})
    operations = {}
    for env_id, response in started.items():
        assert response.status_code == 202, response.text
        operations[response.json()["operationId"]] = env_id
    return operations


async def start_health_checks(api: httpx.AsyncClient, fleet: FleetProcess) -> None:
    """Environments whose checks take long: one target hangs (30 s timeout), one is slow."""
    for name, behaviour, timeout in (("search-dev", "hang", 30), ("search-qa", "slow", 5)):
        fleet.set_behaviour(name, behaviour)
        await create_environment(
            api,
            {
                "name": f"checked-{name}",
                "healthCheck": {
                    "enabled": True,
                    "endpoint": fleet.health_url(name),
                    "interval": 60,
                    "timeout": timeout,
                },
            },
        )


async def churn(url: str, headers: dict[str, str], worker: int, acked: Acknowledged) -> None:
    """Create and edit environments until the server goes away; note what was acknowledged."""
    async with httpx.AsyncClient(base_url=f"{url}/api/v1", headers=headers, timeout=10) as api:
        n = 0
        with contextlib.suppress(httpx.TransportError):
            while True:
                n += 1
                created = await api.post(
                    "/environments", json={"name": f"churn-{worker}-{n}", "tags": ["churn"]}
                )
                assert created.status_code == 201, created.text
                env_id = created.json()["id"]
                acked.created.add(env_id)
                edited = await api.patch(f"/environments/{env_id}", json={"description": "edited"})
                assert edited.status_code == 200, edited.text
                acked.updated[env_id] += 1


async def tail_logs(ws_url: str, token: str, shown: set[str]) -> None:
    """Collect the ids of the activity-log entries the WebSocket shows (stored ones)."""
    websocket: ClientConnection = await connect(ws_url)
    await websocket.send(json.dumps({"type": "auth", "payload": {"token": token}}))
    await websocket.send(json.dumps({"type": "subscribe", "payload": {"logs": True}}))
    with contextlib.suppress(ConnectionClosed):
        async for message in websocket:
            frame = json.loads(message)
            if frame["type"] == "log":
                shown.add(frame["payload"]["entry"]["id"])


async def wait_for(condition: Callable[[], Any], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def all_running(api: httpx.AsyncClient, operations: dict[str, str]) -> bool:
    for op_id in operations:
        status = (await api.get(f"/operations/{op_id}")).json()["status"]
        assert status in ("pending", "running"), status
        if status != "running":
            return False
    return True


async def any_unfinished(api: httpx.AsyncClient, operations: dict[str, str]) -> bool:
    for op_id in operations:
        if (await api.get(f"/operations/{op_id}")).json()["status"] in ("pending", "running"):
            return True
    return False


async def test_a_kill_9_loses_nothing_acknowledged_and_leaves_nothing_running(
    tmp_path: Path,
    backend: dict[str, str],
    fleet: FleetProcess,
    ssh_server: OpenSshServer | None,
    request: pytest.FixtureRequest,
) -> None:
    environ = server_environ(backend)
    ssh = None
    if ssh_server is not None:
        ssh = (ssh_server, request.getfixturevalue("ssh_account"))
    server: RunningServer = start_server(tmp_path, env=environ)
    try:
        headers = await sign_in(server.url)
        shown: set[str] = set()
        acked = Acknowledged()
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=10
        ) as api:
            operations = await start_operations(api, fleet, ssh)
            await start_health_checks(api, fleet)
            tail = asyncio.create_task(
                tail_logs(
                    server.url.replace("http://", "ws://") + "/ws",
                    headers["Authorization"].removeprefix("Bearer "),
                    shown,
                )
            )
            workers = [
                asyncio.create_task(churn(server.url, headers, worker, acked))
                for worker in range(CHURN_WORKERS)
            ]

            async def everything_under_way() -> bool:
                return (
                    len(acked) >= ACKNOWLEDGED_BEFORE_KILL
                    and fleet.stats()["inFlight"] > 0
                    and await all_running(api, operations)
                )

            await wait_for(everything_under_way, "operations, checks and changes under way")
            checks_in_flight = fleet.stats()["inFlight"]
            server.process.kill()  # SIGKILL: no shutdown code runs
            server.process.wait()
            for task in [*workers, tail]:
                with contextlib.suppress(ConnectionClosed, httpx.TransportError):
                    await asyncio.wait_for(task, 10)
    finally:
        server.stop()

    restart_started = time.monotonic()
    server = start_server(tmp_path, env=environ)
    restart_seconds = time.monotonic() - restart_started
    try:
        headers = await sign_in(server.url)
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=10
        ) as api:
            if backend:
                # MongoDB here is a replica set: in cluster mode the killed instance is live
                # to the new one until its heartbeat is older than the TTL, and the new one's
                # sweep then interrupts what it ran. Alone (SQLite) that is done at start-up.
                async def none_unfinished() -> bool:
                    if await any_unfinished(api, operations):
                        return False
                    # The sweep frees each environment once the interruption is logged.
                    for env_id in operations.values():
                        env = (await api.get(f"/environments/{env_id}")).json()
                        if env["activeOperation"] is not None:
                            return False
                    return True

                await wait_for(
                    none_unfinished, "the killed instance's operations interrupted, claims freed"
                )
            for op_id, env_id in operations.items():
                op = (await api.get(f"/operations/{op_id}")).json()
                assert op["status"] == "interrupted", op
                assert op["error"]["code"] == "INTERRUPTED"
                env = (await api.get(f"/environments/{env_id}")).json()
                assert env["activeOperation"] is None
    finally:
        assert "Traceback" not in server.output()  # stops it (SIGTERM)

    settings = server_settings(tmp_path, environ)
    documents = check_sqlite_file(settings.sqlite_path) if not backend else None
    state = await read_stored_state(settings)  # every document parsed into its model
    assert not [op for op in state.operations if op.status.value in ("pending", "running")]
    assert not [env for env in state.environments if env.active_operation is not None]
    for op_id, env_id in operations.items():
        outcome = [
            entry
            for entry in state.logs_of(env_id)
            if entry.details.get("operationId") == op_id
            and entry.details.get("status") == "interrupted"
        ]
        assert len(outcome) == 1
        assert outcome[0].level.value == "error"
    stored_ids = {entry.id for entry in state.logs}
    created = {entry.environment_id for entry in state.logs if entry.action == "create"}
    updated = Counter(entry.environment_id for entry in state.logs if entry.action == "update")
    assert acked.created <= created, f"lost: {acked.created - created}"
    assert all(updated[env_id] >= count for env_id, count in acked.updated.items())
    assert shown <= stored_ids, f"lost: {shown - stored_ids}"

    print(
        f"\nkill -9 [{'mongo' if backend else 'sqlite'}]: {len(acked)} changes acknowledged"
        f" ({len(acked.created)} created, {sum(acked.updated.values())} edited), {len(shown)}"
        f" entries shown on /ws, {len(operations)} operations running, {checks_in_flight} checks"
        f" in flight at the kill; restart answered in {restart_seconds:.1f} s; stored:"
        f" {len(state.logs)} log entries, {len(state.environments)} environments,"
        f" {len(state.operations)} operations, {state.others}"
        + (f", {documents} SQLite documents valid" if documents is not None else "")
    )
