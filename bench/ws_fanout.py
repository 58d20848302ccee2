"""WebSocket fan-out benchmark: status events pushed to many authenticated /ws clients.

Runs the real app (create_app under uvicorn, as `envdeck serve` runs it) in this process and
publishes `StatusChanged` events on its bus (a bench-only way in: no product endpoint), while
the clients run in a separate process: each authenticates with its own login token, reads
every frame, and measures the delay from publish to arrival. The same broadcast through a bare
`websockets` server (websockets.broadcast, no auth re-checks, no queues) in the same run is the
baseline.

    python bench/ws_fanout.py [--quick] [--clients 1000] [--seconds 30]

Targets at 20 events/s: p99 < 250 ms, 0 lost by healthy clients, p99 ratio to bare <= 3.
100 events/s is reported (where it saturates and why).
"""

import argparse
import asyncio
import contextlib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, bench_line, free_port, percentile

RATES = (20, 100)
# status.message carries "<seq> <publish time>": parsed with a regex, not json, on the client.
STAMP = re.compile(rb'"message":"(\d+) ([0-9.]+)"')


@dataclass
class Result:
    p50_ms: float
    p99_ms: float
    deliveries_per_s: float
    expected: int
    delivered: int
    lost: int
    disconnected: int
    # CPU time per frame delivered: where the capacity of these 2 cores goes.
    server_us_per_delivery: float
    client_us_per_delivery: float

    @property
    def delivered_pct(self) -> float:
        return 100.0 * self.delivered / self.expected if self.expected else 0.0


def run(coroutine: Any) -> Any:
    """Run on uvloop when it is there, as `envdeck serve` does."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# --- the client process ---------------------------------------------------------------------


async def run_clients(url: str, tokens: list[str]) -> None:
    """Connect and authenticate every client, print READY, read until told DONE <n>."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    latencies: list[float] = []
    received = [0] * len(tokens)
    closed = [False] * len(tokens)
    first_arrival: list[float] = []
    last_arrival = [0.0]

    async def open_one(token: str) -> Any:
        websocket = await connect(url, open_timeout=60, max_queue=None)
        await websocket.send(json.dumps({"type": "auth", "payload": {"token": token}}))
        ready = json.loads(await websocket.recv())
        if ready["type"] != "ready":
            raise RuntimeError(f"not ready: {ready}")
        return websocket

    websockets = []
    for start in range(0, len(tokens), 50):  # no thundering herd of handshakes
        websockets += await asyncio.gather(*(open_one(t) for t in tokens[start : start + 50]))

    async def read(index: int, websocket: Any) -> None:
        try:
            async for message in websocket:
                arrived = time.time()
                data = message.encode() if isinstance(message, str) else message
                stamp = STAMP.search(data)
                if stamp is None:
                    continue
                latencies.append(arrived - float(stamp.group(2)))
                received[index] += 1
                if not first_arrival:
                    first_arrival.append(arrived)
                last_arrival[0] = arrived
        except ConnectionClosed:
            pass
        closed[index] = True

    readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(websockets)]
    print("READY", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    expected = int(line.split()[1])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        healthy = [n for n, gone in zip(received, closed, strict=True) if not gone]
        if all(n >= expected for n in healthy):
            break
        await asyncio.sleep(0.1)
    healthy_counts = [n for n, gone in zip(received, closed, strict=True) if not gone]
    span = max(last_arrival[0] - (first_arrival[0] if first_arrival else 0.0), 1e-9)
    result = {
        "p50_ms": percentile(latencies, 50) * 1000 if latencies else 0.0,
        "p99_ms": percentile(latencies, 99) * 1000 if latencies else 0.0,
        "deliveries_per_s": sum(received) / span,
        "expected": expected * len(healthy_counts),
        "delivered": sum(healthy_counts),
        "lost": sum(max(0, expected - n) for n in healthy_counts),
        "disconnected": sum(closed),
        "received": sum(received),
    }
    print("RESULT " + json.dumps(result), flush=True)
    for task in readers:
        task.cancel()
    for websocket in websockets:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(websocket.close(), 1)


# --- the server process ---------------------------------------------------------------------


def status_payload(seq: int) -> tuple[str, dict[str, Any]]:
    # A new environment each time: nothing may be coalesced.
    environment_id = f"{seq % 16**24:024x}"
    return environment_id, {
        "health": "unhealthy",
        "lastCheck": None,
        "message": f"{seq} {time.time():.6f}",
        "responseTime": 1250.0,
        "statusCode": 503,
        "since": None,
        "consecutiveFailures": 3,
    }


async def phase(
    name: str,
    url: str,
    token_file: Path,
    rate: int,
    seconds: float,
    publish: Any,
) -> Result:
    """Start the client process, publish rate events/s for seconds, return its measures."""
    client = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--client",
        url,
        str(token_file),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert client.stdin is not None
    assert client.stdout is not None
    line = await asyncio.wait_for(client.stdout.readline(), 300)
    if line.strip() != b"READY":
        raise RuntimeError(f"{name}: the clients did not connect: {line!r}")
    total = int(rate * seconds)
    loop = asyncio.get_running_loop()
    started = loop.time()
    # One second of warm-up events (negative seqs, which the clients do not count) first.
    seqs = [*range(-rate, 0), *range(1, total + 1)]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    for tick, seq in enumerate(seqs):
        delay = started + tick / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        publish(seq)
    client.stdin.write(f"DONE {total}\n".encode())
    await client.stdin.drain()
    result_line = await asyncio.wait_for(client.stdout.readline(), 120)
    server_cpu = cpu_seconds(resource.getrusage(resource.RUSAGE_SELF), cpu_before)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    await client.wait()
    if not result_line.startswith(b"RESULT "):
        raise RuntimeError(f"{name}: no result from the clients: {result_line!r}")
    measured = json.loads(result_line.removeprefix(b"RESULT "))
    client_cpu = cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN), children_before)
    received = max(measured.pop("received"), 1)
    return Result(
        **measured,
        server_us_per_delivery=server_cpu * 1e6 / received,
        client_us_per_delivery=client_cpu * 1e6 / received,
    )


def cpu_seconds(after: resource.struct_rusage, before: resource.struct_rusage) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


async def serve_bare(port: int) -> tuple[Any, set[Any]]:
    """A bare websockets server: the auth frame is read, `ready` sent, then only broadcasts."""
    from websockets.asyncio.server import serve

    clients: set[Any] = set()

    async def handler(websocket: Any) -> None:
        await websocket.recv()
        await websocket.send(json.dumps({"type": "ready", "payload": {}}))
        clients.add(websocket)
        try:
            await websocket.wait_closed()
        finally:
            clients.discard(websocket)

    # Without permessage-deflate, like Envdeck's server (envdeck/server.py).
    server = await serve(handler, "127.0.0.1", port, max_queue=None, compression=None)
    return server, clients


async def run_bench(clients: int, seconds: float) -> dict[int, tuple[Result, Result]]:
    from websockets.asyncio.server import broadcast

    from envdeck.adapters.events import StatusChanged
    from envdeck.app import create_app
    from envdeck.config import LogSettings, load_settings
    from envdeck.domain.environment import Status
    from envdeck.logsetup import configure_logging
    from envdeck.server import EnvdeckServer, uvicorn_config
    from envdeck.services.container import Services

    configure_logging(LogSettings(level="warning", format="console"))
    results: dict[int, tuple[Result, Result]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            environ={
                "ENVDECK_DATA_DIR": str(Path(tmp) / "data"),
                "ENVDECK_AUTH__BCRYPT_COST": "4",
                # The first admin, created at start-up (no setup banner).
                "ENVDECK_ADMIN_USERNAME": "bench",
                "ENVDECK_ADMIN_PASSWORD": PASSWORD,
            }
        )
        app = create_app(settings, serve_ui=False)
        port, bare_port = free_port(), free_port()
        server = EnvdeckServer(
            uvicorn_config(app, settings, "127.0.0.1", port, log_level="warning")
        )
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn sets a flag, not an event)
            await asyncio.sleep(0.05)
        services: Services = app.state.services
        user = await services.storage.users.get_by_username("bench")
        # One login token per client, as many browsers signed in: each is re-checked.
        token_file = Path(tmp) / "tokens.json"
        token_file.write_text(
            json.dumps([services.auth.issue_session(user).token for _ in range(clients)])
        )
        token_file.chmod(0o600)
        bare, bare_clients = await serve_bare(bare_port)

        def publish_envdeck(seq: int) -> None:
            environment_id, status = status_payload(seq)
            services.bus.publish(
                StatusChanged(
                    environment_id=environment_id,
                    status=Status.model_validate(status),
                    previous=None,
                )
            )

        def publish_bare(seq: int) -> None:
            environment_id, status = status_payload(seq)
            payload = {"environmentId": environment_id, "status": status, "previous": None}
            text = json.dumps({"type": "status_update", "payload": payload}, separators=(",", ":"))
            broadcast(bare_clients, text)

        try:
            for rate in RATES:
                envdeck = await phase(
                    "envdeck",
                    f"ws://127.0.0.1:{port}/ws",
                    token_file,
                    rate,
                    seconds,
                    publish_envdeck,
                )
                baseline = await phase(
                    "bare",
                    f"ws://127.0.0.1:{bare_port}/",
                    token_file,
                    rate,
                    seconds,
                    publish_bare,
                )
                results[rate] = (envdeck, baseline)
        finally:
            bare.close()
            await bare.wait_closed()
            server.should_exit = True
            await serving
    return results


def report(clients: int, seconds: float, results: dict[int, tuple[Result, Result]]) -> None:
    print(f"\n{clients} clients, {seconds:g} s per phase, one status event = one frame per client")
    print(
        f"  {'':22}{'p50 ms':>9}{'p99 ms':>9}{'deliv/s':>10}{'delivered':>11}{'lost':>6}"
        f"{'closed':>7}{'server us':>10}{'client us':>10}"
    )
    for rate, pair in results.items():
        for name, r in zip(("envdeck /ws", "bare websockets"), pair, strict=True):
            print(
                f"  {name + ' @' + str(rate) + '/s':22}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}"
                f"{r.deliveries_per_s:>10,.0f}{r.delivered:>11,}{r.lost:>6}{r.disconnected:>7}"
                f"{r.server_us_per_delivery:>10.1f}{r.client_us_per_delivery:>10.1f}"
            )
    print(
        "  (delivered/lost: clients still connected at the end; closed: clients the server"
        " dropped;\n   server/client us: CPU microseconds per frame delivered, both on 2 cores)"
    )
    print()
    for rate, (envdeck, bare) in results.items():
        graded = rate == RATES[0]

        def ratio(a: float, b: float) -> float:
            return a / b if b else 0.0

        p99_ratio = ratio(envdeck.p99_ms, bare.p99_ms)
        healthy = envdeck.lost == 0 and envdeck.disconnected == 0
        lines = [
            bench_line(
                "ws_fanout",
                f"fanout{rate}_p99_ms",
                envdeck.p99_ms,
                "ms",
                baseline="bare_websockets_p99_ms",
                ratio=p99_ratio,
                target="p99<250 and ratio<=3" if graded else "report",
                ok=(envdeck.p99_ms < 250 and p99_ratio <= 3) if graded else True,
            ),
            bench_line(
                "ws_fanout",
                f"fanout{rate}_p50_ms",
                envdeck.p50_ms,
                "ms",
                baseline="bare_websockets_p50_ms",
                ratio=ratio(envdeck.p50_ms, bare.p50_ms),
                target="report",
                ok=True,
            ),
            bench_line(
                "ws_fanout",
                f"fanout{rate}_deliveries_per_s",
                envdeck.deliveries_per_s,
                "msg/s",
                baseline="bare_websockets_deliveries_per_s",
                ratio=ratio(envdeck.deliveries_per_s, bare.deliveries_per_s),
                target="report",
                ok=True,
            ),
            bench_line(
                "ws_fanout",
                f"fanout{rate}_delivered_pct",
                envdeck.delivered_pct,
                "%",
                baseline="bare_websockets_delivered_pct",
                ratio=ratio(envdeck.delivered_pct, bare.delivered_pct),
                target="0 lost, 0 closed" if graded else "report",
                ok=healthy if graded else True,
            ),
        ]
        for line in lines:
            print(line)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--client":
        tokens = json.loads(Path(sys.argv[3]).read_text())
        run(run_clients(sys.argv[2], tokens))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    clients = args.clients or (50 if args.quick else 1000)
    seconds = args.seconds or (3.0 if args.quick else 30.0)
    results = run(run_bench(clients, seconds))
    report(clients, seconds, results)


if __name__ == "__main__":
    main()
