"""Storage goes away for 20 s while clients call the API and the health engine checks.

Real outages, on both backends:
- MongoDB (SecantusDB behind a TCP proxy): for 10 s the network drops every packet (a
  partition: connections stay open and hear nothing), then for 10 s the server is down
  (connections refused); then it starts again on the same port with the same data.
- SQLite: another process holds the database's write lock for 20 s (an admin's `sqlite3`
  shell in a transaction, a maintenance tool), so every write Envdeck tries fails.

Throughout, the API answers quickly: 503 UNAVAILABLE with the error envelope (or 200 from what
it can serve without storage), never a 500 and never a hang (a client timeout would fail the
test). The process keeps running. Within 5 s of storage returning, the check engine's results
and the activity log are written again; in the end every log entry that was recorded is stored,
once.
"""

import asyncio
import contextlib
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from secantus import SecantusDBServer

from envdeck.domain.log import ActivityLogUnavailable, LogFilter, LogType
from tests.conftest import unique_database_name
from tests.faults.conftest import fault_settings
from tests.support.faults import TcpProxy
from tests.support.live_app import Account, LiveApp, create_account, set_up_admin
from tests.support.targets import Target

OUTAGE_SECONDS = 20.0
# "Does not hang": any request taking longer fails the test with a client timeout.
CLIENT_TIMEOUT = 30.0
# Liveness bound after recovery (the "within 5 s"), polled with a deadline.
RESUME_WITHIN = 5.0
CHECKED_ENVIRONMENTS = 20  # interval 10 s each: about two checks a second in all


class Outage(Protocol):
    def begin(self) -> None: ...

    def end(self) -> None: ...


# ---- the two outages --------------------------------------------------------------------------


class MongoOutage:
    """A partition for half the outage, then the server down for the other half."""

    def __init__(self, workdir: Path) -> None:
        self.data = str(workdir / "mongo")
        self.server = SecantusDBServer(storage_path=self.data)
        self.server.start()
        self.proxy = TcpProxy(self.server.port).start()
        self.database = unique_database_name()

    def environ(self) -> dict[str, str]:
        return {
            "MONGODB_URI": f"mongodb://127.0.0.1:{self.proxy.port}/?directConnection=true",
            "MONGODB_DATABASE": self.database,
        }

    def begin(self) -> None:
        self.proxy.blackhole()
        time.sleep(OUTAGE_SECONDS / 2)
        self.proxy.drop()  # the server's side of the frozen connections, so it can stop
        self.server.stop()
        self.proxy.heal()  # connections now reach a closed port: refused
        time.sleep(OUTAGE_SECONDS / 2)

    def end(self) -> None:
        # The same data, reached at the same address (the proxy's): the server came back.
        self.server = SecantusDBServer(storage_path=self.data)
        self.server.start()
        self.proxy.upstream = ("127.0.0.1", self.server.port)

    def close(self) -> None:
        self.proxy.stop()
        self.server.stop()


LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
conn.execute("ROLLBACK")
"""


class SqliteOutage:
    """Another process holds the write lock of the database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.holder: subprocess.Popen[str] | None = None

    def begin(self) -> None:
        self.holder = subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(self.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.holder.stdout is not None
        assert self.holder.stdout.readline().strip() == "locked"
        time.sleep(OUTAGE_SECONDS)

    def end(self) -> None:
        assert self.holder is not None
        assert self.holder.stdin is not None
        self.holder.stdin.close()
        assert self.holder.wait(timeout=10) == 0

    def close(self) -> None:
        if self.holder is not None and self.holder.poll() is None:
            self.holder.kill()
            self.holder.wait()


# ---- load -------------------------------------------------------------------------------------


@dataclass
class Call:
    started: float
    seconds: float
    kind: str
    status: int | None  # None: the client gave up (a hang) or the connection failed
    code: str | None = None
    created: str | None = None  # the environment a 201 created
    name: str | None = None  # the environment a write tried to create


@dataclass
class Load:
    """Clients calling the API all along: writes, uncached reads, liveness and readiness."""

    app: LiveApp
    admin: Account
    viewer: Account
    calls: list[Call] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for worker in (self._writer, self._reader, self._prober):
            thread = threading.Thread(target=worker, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)

    def _client(self, account: Account | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {account.token}"} if account else {}
        return httpx.Client(base_url=self.app.url, headers=headers, timeout=CLIENT_TIMEOUT)

    def _call(
        self,
        client: httpx.Client,
        kind: str,
        method: str,
        path: str,
        name: str | None = None,
        **kw: Any,
    ) -> None:
        started = time.monotonic()
        try:
            response = client.request(method, path, **kw)
        except httpx.HTTPError:
            self.calls.append(Call(started, time.monotonic() - started, kind, None, name=name))
            return
        call = Call(started, time.monotonic() - started, kind, response.status_code, name=name)
        body = response.json()
        if response.status_code >= 400:
            call.code = body["error"]["code"]
        elif response.status_code == 201:
            call.created = body["id"]
        self.calls.append(call)

    def _writer(self) -> None:
        with self._client(self.admin) as client:
            while not self._stop.wait(0.05):
                name = f"load-{secrets.token_hex(5)}"
                path = "/api/v1/environments"
                self._call(client, "write", "POST", path, name=name, json={"name": name})

    def _reader(self) -> None:
        with self._client(self.viewer) as client:
            while not self._stop.wait(0.05):
                # A different query each time: never served from the list cache.
                q = secrets.token_hex(3)
                self._call(client, "read", "GET", "/api/v1/environments", params={"q": q})
                self._call(client, "read", "GET", "/api/v1/logs", params={"q": q})

    def _prober(self) -> None:
        with self._client(None) as client:
            while not self._stop.wait(0.2):
                self._call(client, "health", "GET", "/api/v1/health")
                self._call(client, "ready", "GET", "/api/v1/ready")

    def between(self, start: float, end: float, *kinds: str) -> list[Call]:
        return [
            c for c in self.calls if start <= c.started < end and (not kinds or c.kind in kinds)
        ]


class Burst:
    """Entries recorded straight into the activity log, on the app's loop, all along."""

    def __init__(self, app: LiveApp) -> None:
        self.app = app
        self.ids: list[str] = []
        self.running = True
        self._future = app.run(self._produce())

    async def _produce(self) -> None:
        activity = self.app.services.activity
        n = 0
        with contextlib.suppress(ActivityLogUnavailable):
            while self.running:
                await activity.wait_for_room()
                entry = activity.record(type=LogType.SYSTEM, action="fault_burst", message=f"#{n}")
                self.ids.append(entry.id)
                n += 1
                await asyncio.sleep(0.02)

    def stop(self) -> None:
        self.running = False
        self._future.result(timeout=10)


# ---- helpers ------------------------------------------------------------------------------------


def wait_until(
    condition: Callable[[], bool], seconds: float, what: str, since: float | None = None
) -> float:
    """Poll until condition holds; return how long it took from since (default: now); fail
    once seconds have passed since then."""
    started = time.monotonic() if since is None else since
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started


def stored_ids(app: LiveApp, log_filter: LogFilter) -> list[str]:
    async def read() -> list[str]:
        logs = app.services.storage.logs
        return [entry.id async for batch in logs.iterate(log_filter, 1000) for entry in batch]

    return app.run(read()).result(timeout=30)


def stored_environments(app: LiveApp, admin: Account) -> dict[str, str]:
    """Return {name: id} of every stored environment."""
    found: dict[str, str] = {}
    page = 1
    while True:
        response = httpx.get(
            f"{app.url}/api/v1/environments",
            params={"page": page, "limit": 200},
            headers={"Authorization": f"Bearer {admin.token}"},
            timeout=CLIENT_TIMEOUT,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        found |= {env["name"]: env["id"] for env in body["environments"]}
        if page >= body["pagination"]["totalPages"]:
            return found
        page += 1


def latency_summary(calls: list[Call]) -> str:
    seconds = sorted(c.seconds for c in calls)
    if not seconds:
        return "no calls"
    p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))]
    return (
        f"{len(seconds)} calls, median {statistics.median(seconds) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {seconds[-1] * 1000:.0f} ms"
    )


@pytest.fixture
def target() -> Iterator[Target]:
    running = Target().start()
    yield running
    running.stop()


@contextlib.contextmanager
def live_app(environ: dict[str, str], data_dir: Path) -> Iterator[LiveApp]:
    app = LiveApp(fault_settings(data_dir, **environ)).start()
    try:
        yield app
    finally:
        app.stop()


# ---- the test -----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "mongo"])
def test_a_20_second_storage_outage_under_load_loses_nothing(
    backend: str, tmp_path: Path, target: Target
) -> None:
    outage: MongoOutage | SqliteOutage
    environ: dict[str, str] = {}
    if backend == "mongo":
        outage = MongoOutage(tmp_path)
        environ = outage.environ()
    else:
        outage = SqliteOutage(tmp_path / "data" / "envdeck.db")
    try:
        with live_app(environ, tmp_path / "data") as app:
            run_outage(app, outage, target)
    finally:
        outage.close()


def run_outage(app: LiveApp, outage: MongoOutage | SqliteOutage, target: Target) -> None:
    admin = set_up_admin(app)
    viewer = create_account(app, admin, "victor", "viewer")
    headers = {"Authorization": f"Bearer {admin.token}"}
    flipping = target.reply("/flip")
    for n in range(CHECKED_ENVIRONMENTS):
        endpoint = flipping if n == 0 else target.url(f"/env-{n}")
        response = httpx.post(
            f"{app.url}/api/v1/environments",
            headers=headers,
            timeout=CLIENT_TIMEOUT,
            json={
                "name": f"checked-{n}",
                "healthCheck": {
                    "enabled": True,
                    "endpoint": endpoint,
                    "interval": 10,
                    "timeout": 2,
                    "failureThreshold": 1,
                },
            },
        )
        assert response.status_code == 201, response.text
        if n == 0:
            flip_id = response.json()["id"]
    health = app.services.health
    wait_until(lambda: health.recorder.stats.applied >= 1, 15, "the first check")

    load, burst = Load(app, admin, viewer), Burst(app)
    load.start()
    time.sleep(1)

    began = time.monotonic()
    checks_before = health.stats.finished
    first_of_outage = len(burst.ids)
    target.reply("/flip", status=503)  # checked during the outage: a transition to record
    outage.begin()
    # Still checking all along, storage or not.
    assert health.stats.finished > checks_before
    outage.end()
    recovered = time.monotonic()
    # The oldest entry still waiting for storage: the log writes in order, so once it is
    # stored the log has resumed (draining the whole backlog takes as long as it takes).
    oldest_waiting = burst.ids[first_of_outage]

    # Liveness after recovery: results of checks and the log written again within 5 s.
    def flip_is_stored_unhealthy() -> bool:
        env = httpx.get(
            f"{app.url}/api/v1/environments/{flip_id}", headers=headers, timeout=CLIENT_TIMEOUT
        )
        return env.status_code == 200 and env.json()["status"]["health"] == "unhealthy"

    engine_resumed = wait_until(
        flip_is_stored_unhealthy, RESUME_WITHIN, "statuses written", since=recovered
    )
    log_resumed = wait_until(
        lambda: (
            httpx.get(
                f"{app.url}/api/v1/logs/{oldest_waiting}", headers=headers, timeout=CLIENT_TIMEOUT
            ).status_code
            == 200
        ),
        RESUME_WITHIN,
        "the log written again",
        since=recovered,
    )
    time.sleep(1)
    load.stop()
    burst.stop()
    assert app._thread.is_alive()  # the process never crashed

    # The API during the outage: quick answers, 503 UNAVAILABLE when storage was needed.
    during = load.between(began, recovered)
    assert all(c.status is not None for c in load.calls), "a request hung or failed"
    assert {c.status for c in load.calls} <= {200, 201, 503}
    assert {c.code for c in during if c.status == 503} == {"UNAVAILABLE"}
    assert any(c.status == 503 for c in load.between(began, recovered, "write"))
    assert {c.status for c in load.between(began, recovered, "health")} == {200}
    assert 503 in {c.status for c in load.between(began, recovered, "ready")}
    assert load.between(recovered, float("inf"), "write")[-1].status == 201  # writes work again
    print(
        f"\n[{app.services.storage.backend}] outage {OUTAGE_SECONDS:.0f} s: "
        f"API {latency_summary(load.between(began, recovered, 'write', 'read'))}; "
        f"503 answers {latency_summary([c for c in during if c.status == 503])}; "
        f"statuses stored {engine_resumed:.1f} s and log {log_resumed:.1f} s after recovery; "
        f"breaker refused {app.services.storage_breaker.refused} calls"
    )

    # Nothing lost, nothing twice: every burst entry, and one "create" entry per 201.
    wait_until(lambda: app.services.activity.pending == 0, 30, "the log drained")
    stored_burst = stored_ids(app, LogFilter(action="fault_burst"))
    assert sorted(stored_burst) == sorted(burst.ids)
    created = {c.created for c in load.calls if c.created}
    entries = stored_entries(app, LogFilter(action="create", type=LogType.ACTION))
    assert len({e.id for e in entries}) == len(entries)
    audited = {e.environment_id for e in entries}
    assert created <= audited
    # An environment exists only if its POST was answered 201, or answered 503 with an unknown
    # outcome (the write reached storage, the answer did not come back); none was half-made.
    environments = stored_environments(app, admin)
    answered = {c.name: c.status for c in load.calls if c.kind == "write"}
    loaded = {name: env_id for name, env_id in environments.items() if name.startswith("load-")}
    assert {answered[name] for name in loaded} <= {201, 503}
    assert {env_id for name, env_id in loaded.items() if answered[name] == 201} == created
    assert audited - {env_id for env_id in environments.values()} == set()
    # The transition made while storage was away is in the log.
    flips = [
        e
        for e in stored_entries(app, LogFilter(environment_id=flip_id, type=LogType.HEALTH_CHECK))
        if e.details.get("health") == "unhealthy"
    ]
    assert len(flips) == 1


def stored_entries(app: LiveApp, log_filter: LogFilter) -> list[Any]:
    async def read() -> list[Any]:
        logs = app.services.storage.logs
        return [entry async for batch in logs.iterate(log_filter, 1000) for entry in batch]

    return app.run(read()).result(timeout=30)
