"""Several real `envdeck serve` processes on one MongoDB, and a demo fleet for them to check.

    with start_cluster(tmp_path, ClusterConfig(instances=3, environments=300)) as cluster:
        a, b, c = cluster.instances
        cluster.api(b).post("/environments/{id}/restart")
        checks = cluster.checks(since=time.time() - 30)   # what the fleet saw, per environment
        cluster.kill(c)                                    # SIGKILL: no goodbye to storage

The pieces, each a real process: MongoDB (SecantusDB in a process of its own, so it never
takes the GIL from the test's clients; or `ENVDECK_TEST_MONGODB_URI`), the demo fleet
(`python -m envdeck.demo.fleet`, every environment healthy) and N `envdeck serve` on one fresh
database, each in a work dir of its own but sharing the JWT secret and the encryption key, as
instances behind a load balancer must. The first instance creates the admin; the others start
once it answers. Environments are registered through the API, half before the other instances
start (they find them at start), half after, spread over every instance (each instance must
follow what the others create); each is checked every `interval` seconds on the fleet, as the
demo registers them.

Nothing here times anything: callers poll for states until generous deadlines. The
benchmark `bench/cluster.py` runs the same cluster.
"""

import asyncio
import base64
import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from envdeck.demo.register import demo_config
from tests.support.fleet import FleetProcess, launch_fleet
from tests.support.server import RunningServer, start_server

T = TypeVar("T")

MONGODB_URI_VARIABLE = "ENVDECK_TEST_MONGODB_URI"
LOG_LEVEL_VARIABLE = "ENVDECK_TEST_CLUSTER_LOG_LEVEL"
ADMIN = "admin"
PASSWORD = "quartz-lantern-orbit-91"
NAME_PREFIX = "cluster"
REGISTER_CONCURRENCY = 12
PORT_ATTEMPTS = 3
# An instance joining a busy SecantusDB (thousands of environments) may take a while to answer.
READY_WITHIN = 120.0
FINISHED = {"succeeded", "failed", "cancelled", "timed_out", "stop_unconfirmed", "interrupted"}


@dataclass(frozen=True)
class ClusterConfig:
    """The cluster's shape and its (short) timings; durations in seconds."""

    instances: int = 3
    environments: int = 300
    interval: int = 10  # each environment's health-check interval (the model's minimum)
    lease: float = 2.0  # cluster.leaseDuration: health-check shards and singleton jobs
    heartbeat: float = 0.3  # cluster.heartbeatInterval
    ttl: float = 1.5  # cluster.instanceTtl
    transition_seconds: float = 1.0  # how long a fleet restart keeps health at 503
    environ: dict[str, str] = field(default_factory=dict)  # more settings for every instance

    def names(self) -> list[str]:
        return [f"{NAME_PREFIX}-{n:05d}" for n in range(1, self.environments + 1)]


# --- MongoDB ------------------------------------------------------------------------------------

_SECANTUS = """
import signal, sys, threading
from secantus import SecantusDBServer

stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
with SecantusDBServer(storage_path=sys.argv[1]) as server:
    print("SECANTUS_READY " + server.uri, flush=True)
    stop.wait()
"""


@contextlib.contextmanager
def secantus_process(storage_path: Path, timeout: float = 60) -> Iterator[str]:
    """Run SecantusDB (a replica set of one, `secantus`) in its own process; yield its URI."""
    log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-c", _SECANTUS, str(storage_path)],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        uri = _ready_line(process, "SECANTUS_READY ", timeout)
        if uri is None:
            log.seek(0)
            raise RuntimeError(f"SecantusDB did not start:\n{log.read()[-4000:]}")
        yield uri
    finally:
        _terminate(process, 15)
        if process.stdout is not None:
            process.stdout.close()
        log.close()


@contextlib.contextmanager
def mongodb(storage_path: Path) -> Iterator[str]:
    """Yield the URI of ENVDECK_TEST_MONGODB_URI, or of a SecantusDB started for the block."""
    uri = os.environ.get(MONGODB_URI_VARIABLE)
    if uri:
        yield uri
        return
    with secantus_process(storage_path) as started:
        yield started


def _ready_line(process: subprocess.Popen[str], prefix: str, timeout: float) -> str | None:
    """Return what follows `prefix` on the line the process prints once ready (None: it died
    or took longer than timeout)."""
    assert process.stdout is not None
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(prefix):
                found.append(line[len(prefix) :].strip())
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return found[0] if found else None


def _terminate(process: subprocess.Popen[Any], timeout: float) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- one instance -------------------------------------------------------------------------------


@dataclass
class Instance:
    """One `envdeck serve` of the cluster, named A, B, C… in the order started."""

    name: str
    server: RunningServer
    killed_at: float | None = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ws_url(self) -> str:
        return self.server.url.replace("http://", "ws://", 1) + "/ws"

    @property
    def pid(self) -> int:
        return self.server.process.pid

    @property
    def running(self) -> bool:
        return self.server.process.poll() is None

    def metric(self, name: str, **labels: str) -> float:
        """Return the sum of one metric's samples (of these labels) from this instance's
        /metrics: e.g. metric("envdeck_health_checks_total")."""
        response = httpx.get(f"{self.url}/metrics", timeout=10)
        response.raise_for_status()
        return sum_samples(response.text, name, labels)

    def log_tail(self, chars: int = 3000) -> str:
        """Return the end of what the process printed so far (for failure messages)."""
        self.server.log.flush()
        self.server.log.seek(0)
        return self.server.log.read()[-chars:]

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<instance {self.name} pid {self.pid} {self.url} {state}>"


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([0-9.eE+-]+|NaN|[+-]Inf)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def sum_samples(exposition: str, name: str, labels: dict[str, str] | None = None) -> float:
    """Sum the samples of `name` whose labels include `labels` in a Prometheus text page."""
    total = 0.0
    for line in exposition.splitlines():
        match = _SAMPLE.match(line)
        if match is None or match.group(1) != name:
            continue
        found = dict(_LABEL.findall(match.group(2) or ""))
        if all(found.get(key) == value for key, value in (labels or {}).items()):
            total += float(match.group(3))
    return total


# --- the cluster --------------------------------------------------------------------------------


def environment_config(
    fleet: FleetProcess, name: str, interval: int, target: str | None = None
) -> dict[str, Any]:
    """Return an environment as the demo registers it (src/envdeck/demo/register.py): a JSON
    health check on the fleet every `interval` s, HTTP restart and upgrade commands, all on the
    fleet's environment `target` (default: the same name)."""
    base = fleet.env_url(target or name)
    return demo_config(name, base, interval=interval, verify_timeout=300)


class Cluster:
    """N instances on one database, the fleet, the admin's token, the registered environments."""

    def __init__(
        self, config: ClusterConfig, workdir: Path, mongo_uri: str, fleet: FleetProcess
    ) -> None:
        self.config = config
        self.workdir = workdir
        self.mongo_uri = mongo_uri
        self.database = f"envdeck_cluster_{secrets.token_hex(8)}"
        self.fleet = fleet
        self.instances: list[Instance] = []
        self.environments: dict[str, str] = {}  # name -> id
        self.token = ""
        self._clients: dict[str, httpx.Client] = {}
        self._environ = self._shared_environ()

    def _shared_environ(self) -> dict[str, str]:
        config = self.config
        return {
            "MONGODB_URI": self.mongo_uri,
            "MONGODB_DATABASE": self.database,
            # Instances behind one load balancer sign and seal alike.
            "JWT_SECRET": secrets.token_urlsafe(48),
            "ENVDECK_ENCRYPTION__KEY": base64.b64encode(os.urandom(32)).decode(),
            "ENVDECK_ADMIN_USERNAME": ADMIN,
            "ENVDECK_ADMIN_PASSWORD": PASSWORD,
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            "ENVDECK_CLUSTER__HEARTBEAT_INTERVAL": f"{config.heartbeat}",
            "ENVDECK_CLUSTER__INSTANCE_TTL": f"{config.ttl}",
            "ENVDECK_CLUSTER__LEASE_DURATION": f"{config.lease}",
            "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "500ms",
            "ENVDECK_OPERATIONS__OUTPUT_FLUSH_INTERVAL": "200ms",
            "ENVDECK_NOTIFICATIONS__RETRY_BASE_DELAY": "200ms",
            # More of what the instances say, for a failure's report: e.g. info.
            "ENVDECK_LOG__LEVEL": os.environ.get(LOG_LEVEL_VARIABLE, "warning"),
            **config.environ,
        }

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "Cluster":
        """Start the first instance (it creates the admin) and register half the environments
        through it; start the others, which find those at start, and register the other half
        spread over every instance, which each must follow."""
        names = self.config.names()
        self.start_instance()
        self.token = self.sign_in(self.instances[0]).json()["token"]
        asyncio.run(self.register(names[: len(names) // 2]))
        if self.config.instances > 1:
            self.start_instances(self.config.instances - 1)
        asyncio.run(self.register(names[len(names) // 2 :]))
        return self

    def start_instance(self) -> Instance:
        """Start one more instance on the shared database and return it once it answers."""
        return self.start_instances(1)[0]

    def start_instances(self, count: int) -> list[Instance]:
        """Start `count` more instances at once; return them once each answers."""
        names = [_instance_name(len(self.instances) + n) for n in range(count)]
        for name in names:
            (self.workdir / f"instance-{name}").mkdir(parents=True)
        results: dict[str, RunningServer | BaseException] = {}

        def start(name: str) -> None:
            for attempt in range(PORT_ATTEMPTS):
                try:
                    workdir = self.workdir / f"instance-{name}"
                    results[name] = start_server(
                        workdir, env=self._environ, ready_within=READY_WITHIN
                    )
                    return
                except BaseException as exc:  # reported below, after every thread ended
                    results[name] = exc
                    # The free port it was given became some connection's local port first.
                    if "address already in use" not in str(exc) or attempt == PORT_ATTEMPTS - 1:
                        return

        threads = [threading.Thread(target=start, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        started = []
        for name in names:
            result = results[name]
            if isinstance(result, BaseException):
                raise RuntimeError(f"instance {name} did not start") from result
            started.append(Instance(name, result))
        self.instances.extend(started)
        return started

    def kill(self, instance: Instance) -> float:
        """SIGKILL one instance (no shutdown, no last heartbeat); return when, wall-clock."""
        instance.server.process.send_signal(signal.SIGKILL)
        instance.server.process.wait()
        instance.killed_at = time.time()
        return instance.killed_at

    def stop_instance(self, instance: Instance) -> None:
        """Stop one instance gracefully (SIGTERM: it hands its work back)."""
        instance.server.stop()

    def stop(self) -> None:
        for client in self._clients.values():
            client.close()
        for instance in self.instances:
            instance.server.stop()
            instance.server.log.close()
        with contextlib.suppress(Exception):
            _drop_database(self.mongo_uri, self.database)

    @property
    def live(self) -> list[Instance]:
        return [instance for instance in self.instances if instance.running]

    def logs_of_instances(self) -> str:
        """Every instance's recent output, for a failure message."""
        return "\n".join(f"--- {i!r}\n{i.log_tail()}" for i in self.instances)

    # --- the API --------------------------------------------------------------------------------

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def api(self, instance: Instance) -> httpx.Client:
        """Return the admin's client for this instance's /api/v1."""
        if instance.name not in self._clients:
            self._clients[instance.name] = httpx.Client(
                base_url=f"{instance.url}/api/v1", headers=self.headers, timeout=30
            )
        return self._clients[instance.name]

    def sign_in(
        self, instance: Instance, username: str = ADMIN, password: str = PASSWORD
    ) -> httpx.Response:
        return httpx.post(
            f"{instance.url}/api/v1/auth/login",
            json={"username": username, "password": password},
            timeout=30,
        )

    async def register(self, names: list[str]) -> None:
        """Create the environments through the API, spread over the live instances."""
        live = self.live
        slots = asyncio.Semaphore(REGISTER_CONCURRENCY)
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(
                    httpx.AsyncClient(base_url=f"{i.url}/api/v1", headers=self.headers, timeout=60)
                )
                for i in live
            ]

            async def create(n: int, name: str) -> None:
                async with slots:
                    body = environment_config(self.fleet, name, self.config.interval)
                    response = await clients[n % len(clients)].post("/environments", json=body)
                assert response.status_code == 201, response.text
                self.environments[name] = str(response.json()["id"])

            await asyncio.gather(*(create(n, name) for n, name in enumerate(names)))

    def operation(self, instance: Instance, operation_id: str) -> dict[str, Any]:
        response = self.api(instance).get(f"/operations/{operation_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait_for_operation(
        self, instance: Instance, operation_id: str, status: str | None = None, seconds: float = 60
    ) -> dict[str, Any]:
        """Return the operation (read through instance) once it has `status`, or once it has
        finished when status is None."""

        def probe() -> dict[str, Any] | None:
            op = self.operation(instance, operation_id)
            done = op["status"] in FINISHED if status is None else op["status"] == status
            return op if done else None

        return wait_for(f"operation {operation_id} {status or 'finished'}", probe, seconds)

    def operations(self, instance: Instance, **params: Any) -> list[dict[str, Any]]:
        response = self.api(instance).get("/operations", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["operations"]
        return found

    def log_entries(self, instance: Instance, **params: Any) -> list[dict[str, Any]]:
        response = self.api(instance).get("/logs", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()["logs"]
        return entries

    # --- what the fleet saw ---------------------------------------------------------------------

    def checks(self, since: float = 0.0, *, gaps: bool = False) -> dict[str, dict[str, Any]]:
        """Per registered environment, its health requests since `since` (see the fleet's
        `GET /control/checks`)."""
        seen: dict[str, dict[str, Any]] = self.fleet.checks(since, gaps=gaps)["environments"]
        return {name: seen[name] for name in self.environments}


def _instance_name(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"I{index}"


def _drop_database(uri: str, name: str) -> None:
    from pymongo import MongoClient

    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=5000)
    with client:
        client.drop_database(name)


@contextlib.contextmanager
def start_cluster(workdir: Path, config: ClusterConfig | None = None) -> Iterator[Cluster]:
    """Run MongoDB (unless given), the fleet and the instances for a `with` block."""
    config = config or ClusterConfig()
    names_file = workdir / "fleet-names.txt"
    workdir.mkdir(parents=True, exist_ok=True)
    names_file.write_text("".join(f"{name} healthy 2.3.0\n" for name in config.names()))
    with contextlib.ExitStack() as stack:
        uri = stack.enter_context(mongodb(workdir / "mongodb"))
        fleet = launch_fleet(names_file=names_file, transition_seconds=config.transition_seconds)
        stack.callback(fleet.stop)
        cluster = Cluster(config, workdir, uri, fleet)
        stack.callback(cluster.stop)
        cluster.start()
        yield cluster


# --- waiting ------------------------------------------------------------------------------------


def wait_for(what: str, probe: Callable[[], T | None], seconds: float, every: float = 0.2) -> T:
    """Return probe()'s first answer that is not None (AssertionError naming `what` after
    `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(every)
