"""Events, operations and sign-in limits across three instances on one MongoDB (issue 17).

A WebSocket client connected to instance A sees what is caused on B: a status change (a
"check now" on B), an operation's output (a restart sent to B) and activity-log entries (an
edit on B), each environment's events in order. Two restarts of one environment sent to A and
B at once: one is accepted, the other refused with 409. A cancel sent to another instance than
the one running the operation reaches it. Failed sign-ins spread over A, B and C count
together.
"""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.support.cluster import Cluster, ClusterConfig, Instance, environment_config, wait_for

pytestmark = pytest.mark.cluster

T = TypeVar("T")

CLUSTER = ClusterConfig(
    instances=3,
    environments=60,
    environ={
        "ENVDECK_SERVER__SHUTDOWN_TIMEOUT": "3s",
        "ENVDECK_AUTH__LOGIN_ATTEMPTS": "6",
    },
)
LOGIN_ATTEMPTS = 6
PROBES = 4
WAIT = 30.0  # seconds any one expected frame may take


# --- a WebSocket client -----------------------------------------------------------------------


@asynccontextmanager
async def session(cluster: Cluster, instance: Instance) -> AsyncIterator[ClientConnection]:
    """Connect to instance's /ws as the admin; yield the connection once `ready`."""
    async with connect(instance.ws_url) as websocket:
        await send(websocket, "auth", {"token": cluster.token})
        ready = await receive(websocket)
        assert ready["type"] == "ready", ready
        yield websocket


async def send(websocket: ClientConnection, kind: str, payload: dict[str, Any]) -> None:
    await websocket.send(json.dumps({"type": kind, "payload": payload}))


async def receive(websocket: ClientConnection, seconds: float = WAIT) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), seconds))
    return frame


async def subscribe(websocket: ClientConnection, **payload: Any) -> None:
    """Subscribe, and return once the server has it (frames are handled in order: the pong
    to a ping sent after the subscribe follows it)."""
    await send(websocket, "subscribe", payload)
    await send(websocket, "ping", {"after": "subscribe"})
    while (await receive(websocket))["type"] != "pong":
        pass


async def frames_until(
    websocket: ClientConnection,
    done: Callable[[dict[str, Any]], bool],
    what: str,
    seconds: float = WAIT,
) -> list[dict[str, Any]]:
    """Return every frame received up to and including the first for which done() holds."""
    frames: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        try:
            frame = await receive(websocket, max(left, 0.01))
        except TimeoutError:
            kinds = [f["type"] for f in frames]
            raise AssertionError(f"not within {seconds:.0f} s: {what}; got {kinds}") from None
        frames.append(frame)
        if done(frame):
            return frames


async def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a blocking client method off the event loop (the WebSocket keeps reading)."""
    return await asyncio.to_thread(function, *args, **kwargs)


def environment_id(cluster: Cluster, index: int) -> tuple[str, str]:
    name = list(cluster.environments)[index]
    return name, cluster.environments[name]


# --- events -----------------------------------------------------------------------------------


async def test_a_client_on_a_sees_a_status_change_checked_on_b(cluster: Cluster) -> None:
    a, b = cluster.live[:2]
    # Probes checked on schedule once an hour: after their first check only the check-now on B
    # below checks them, so each change can only come from B. Several, so that some fall in
    # shards B does not hold (whoever holds the shard, B's verdict must count).
    targets = list(cluster.environments)[:PROBES]
    probes: dict[str, str] = {}
    for n, target in enumerate(targets):
        config = environment_config(cluster.fleet, f"status-probe-{n}", 3600, target=target)
        created = cluster.api(b).post("/environments", json=config)
        assert created.status_code == 201, created.text
        probes[created.json()["id"]] = target
    for env_id in probes:
        wait_for(f"probe {env_id}'s first check", partial(health, cluster, a, env_id), WAIT)
    async with session(cluster, a) as websocket:
        for target in targets:
            cluster.fleet.set_behaviour(target, "down")
        try:
            for env_id in probes:
                checked = await call(cluster.api(b).post, f"/environments/{env_id}/check-health")
                assert checked.status_code == 200, checked.text
                assert checked.json()["health"] == "unhealthy"
            # Recorded as any check is (written within a health flush), whoever holds the shard.
            stored = await call(stored_unhealthy, cluster, a, list(probes))
            assert set(stored.values()) == {"unhealthy"}, f"B's verdicts as stored: {stored}"
            told: dict[str, dict[str, Any]] = {}
            await frames_until(
                websocket,
                lambda f: told_unhealthy(f, probes, told) and len(told) == len(probes),
                "A's client told every probe is unhealthy",
            )
            assert all(f["transition"] for f in told.values()), told
            assert all(f["previous"] == "healthy" for f in told.values()), told
        finally:
            for target in targets:
                cluster.fleet.set_behaviour(target, "healthy")


def health(cluster: Cluster, instance: Instance, env_id: str) -> str | None:
    """Return an environment's stored health once it has been checked (None before)."""
    response = cluster.api(instance).get(f"/environments/{env_id}")
    assert response.status_code == 200, response.text
    found: str = response.json()["status"]["health"]
    return None if found == "unknown" else found


def stored_unhealthy(cluster: Cluster, instance: Instance, env_ids: list[str]) -> dict[str, Any]:
    """Return each environment's stored health once all are unhealthy, or as they are after
    WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        stored = {env_id: health(cluster, instance, env_id) for env_id in env_ids}
        if set(stored.values()) == {"unhealthy"} or time.monotonic() > deadline:
            return stored
        time.sleep(0.2)


def told_unhealthy(
    frame: dict[str, Any], probes: dict[str, str], told: dict[str, dict[str, Any]]
) -> bool:
    """Note a status_update saying a probe is unhealthy; tell whether it was one."""
    payload = frame["payload"]
    if (
        frame["type"] == "status_update"
        and payload["environmentId"] in probes
        and payload["status"]["health"] == "unhealthy"
    ):
        told[payload["environmentId"]] = payload
        return True
    return False


async def test_a_client_on_a_follows_the_output_of_an_operation_run_on_b(
    cluster: Cluster,
) -> None:
    a, b = cluster.live[:2]
    name, env_id = environment_id(cluster, 1)
    # Verification polls (each one a line of output) for 3 s before it is healthy again.
    cluster.fleet.configure(name, restartDownSeconds=3)
    async with session(cluster, a) as websocket:
        started = await call(cluster.api(b).post, f"/environments/{env_id}/restart")
        assert started.status_code == 202, started.text
        operation_id = started.json()["operationId"]
        await subscribe(websocket, operations=[operation_id])
        frames = await frames_until(
            websocket,
            lambda f: (
                f["type"] == "operation_update"
                and f["payload"]["operation"]["id"] == operation_id
                and f["payload"]["operation"]["status"] == "succeeded"
            ),
            f"A's client told the restart on B of {name} succeeded",
        )
    output = [
        f["payload"]
        for f in frames
        if f["type"] == "operation_output" and f["payload"]["operationId"] == operation_id
    ]
    assert output, f"no output of the operation reached A: {[f['type'] for f in frames]}"
    sequence = [chunk["seq"] for chunk in output]
    assert sequence == sorted(sequence), sequence
    assert any("verify #" in chunk["chunk"] for chunk in output), output


async def test_a_client_on_a_sees_log_entries_and_edits_made_on_b_in_order(
    cluster: Cluster,
) -> None:
    a, b = cluster.live[:2]
    name, env_id = environment_id(cluster, 2)
    edits = [f"edited on B, number {n}" for n in range(1, 11)]
    async with session(cluster, a) as websocket:
        await subscribe(websocket, logs=True)
        for description in edits:
            patched = await call(
                cluster.api(b).patch, f"/environments/{env_id}", json={"description": description}
            )
            assert patched.status_code == 200, patched.text
        frames = await frames_until(
            websocket,
            lambda f: (
                f["type"] == "log"
                and f["payload"]["entry"].get("environmentId") == env_id
                and edits[-1] in json.dumps(f["payload"]["entry"])
            ),
            f"A's client shown the log entry of the last edit of {name} on B",
        )
    updates = [
        f["payload"]["environment"]["description"]
        for f in frames
        if f["type"] == "environment_update" and f["payload"]["environment"]["id"] == env_id
    ]
    assert updates == edits, f"environment_update frames out of order or missing: {updates}"
    entries = [
        f["payload"]["entry"]
        for f in frames
        if f["type"] == "log" and f["payload"]["entry"].get("environmentId") == env_id
    ]
    assert len(entries) == len(edits), entries
    assert all(entry["action"] == "update" for entry in entries), entries


# --- operations -------------------------------------------------------------------------------


def test_one_of_two_restarts_sent_to_a_and_b_at_once_is_accepted(cluster: Cluster) -> None:
    a, b = cluster.live[:2]
    for index in range(10, 15):
        name, env_id = environment_id(cluster, index)
        cluster.fleet.configure(name, restartDownSeconds=2)
        # One client per instance, each used by one thread.
        answers = at_once(
            [partial(cluster.api(i).post, f"/environments/{env_id}/restart") for i in (a, b)]
        )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [202, 409], [answer.text for answer in answers]
        accepted = next(answer for answer in answers if answer.status_code == 202)
        refused = next(answer for answer in answers if answer.status_code == 409)
        operation_id = accepted.json()["operationId"]
        assert refused.json()["error"]["details"]["operationId"] == operation_id, refused.text
        finished = cluster.wait_for_operation(a, operation_id, seconds=WAIT * 2)
        assert finished["status"] == "succeeded", finished


def test_a_cancel_sent_to_another_instance_reaches_the_one_running_it(cluster: Cluster) -> None:
    a, b = cluster.live[:2]
    name, env_id = environment_id(cluster, 20)
    cluster.fleet.configure(name, restartDownSeconds=600)  # verification never ends by itself
    started = cluster.api(a).post(f"/environments/{env_id}/restart")
    assert started.status_code == 202, started.text
    operation_id = started.json()["operationId"]
    cluster.wait_for_operation(b, operation_id, "running", WAIT)

    cancelled = cluster.api(b).post(f"/operations/{operation_id}/cancel")

    assert cancelled.status_code == 202, cancelled.text
    finished = cluster.wait_for_operation(b, operation_id, seconds=WAIT * 2)
    assert finished["status"] == "cancelled", finished


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Make the calls from one thread each, released together."""
    barrier = threading.Barrier(len(calls))
    answers: list[httpx.Response | None] = [None] * len(calls)

    def run(n: int) -> None:
        barrier.wait()
        answers[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


# --- sign-in limits ---------------------------------------------------------------------------


def test_failed_sign_ins_spread_over_the_instances_count_together(cluster: Cluster) -> None:
    instances = cluster.live[:3]
    password = "amber-lattice-meadow-43"
    created = cluster.api(instances[0]).post(
        "/users", json={"username": "spread", "role": "viewer", "password": password}
    )
    assert created.status_code == 201, created.text

    refused = [
        cluster.sign_in(instances[n % 3], "spread", "not-the-password").status_code
        for n in range(LOGIN_ATTEMPTS)
    ]
    assert refused == [401] * LOGIN_ATTEMPTS

    # The limit is reached on every instance, whichever took which attempt: even the right
    # password is refused now.
    for instance in instances:
        answer = cluster.sign_in(instance, "spread", password)
        assert answer.status_code == 429, f"{instance.name}: {answer.status_code} {answer.text}"
