"""A simulated fleet of environments on loopback, for the demo, the tests and the benchmarks.

Each environment answers a health endpoint (healthy, slow, flapping, down or hanging), reports a
version, lists the versions it can be upgraded to, and takes HTTP restart and upgrade calls that
change what its health endpoint reports for a few seconds. A control API switches behaviours and
versions at run time, so a test can make a target fail.

Run it alone with `python -m envdeck.demo.fleet --port 0 --count N`; it prints one line
`FLEET_READY http://127.0.0.1:PORT` once it listens. `envdeck serve --demo` runs the same
`Fleet` inside the server's event loop.

The health route is the hot path (the health-engine benchmark drives 1,000 requests/s against
10,000 environments): one dict lookup and a prebuilt body, no per-request allocation beyond
what aiohttp needs.
"""

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sys
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

BEHAVIOURS = ("healthy", "slow", "flapping", "down", "hang")
FLAP_PERIOD = 20.0  # seconds a flapping environment stays up, then down
SLOW_RANGE = (1.5, 3.0)  # seconds a slow environment takes to answer
DEFAULT_COUNT = 12
# Start times kept per environment for `GET /control/checks`: at a 10 s interval, ten minutes.
KEPT_CHECKS = 64

# Release trains per product, newest first; an environment's versions list is its product's.
RELEASES: dict[str, list[str]] = {
    "shop": ["2.5.0", "2.4.1", "2.4.0", "2.3.1", "2.3.0", "2.2.0"],
    "billing": ["1.8.0", "1.7.2", "1.7.1", "1.7.0", "1.6.0"],
    "search": ["3.2.0", "3.1.1", "3.1.0", "3.0.4", "3.0.0"],
}
GENERIC_RELEASES = ["2.5.0", "2.4.1", "2.4.0", "2.3.0", "2.2.0"]

# (name, behaviour, version): mostly healthy, one slow, one flapping, one down.
PRESETS: list[tuple[str, str, str]] = [
    ("shop-dev", "healthy", "2.5.0"),
    ("shop-qa", "healthy", "2.5.0"),
    ("shop-staging", "healthy", "2.4.1"),
    ("shop-prod", "healthy", "2.4.0"),
    ("billing-dev", "healthy", "1.8.0"),
    ("billing-qa", "flapping", "1.7.2"),
    ("billing-staging", "healthy", "1.7.2"),
    ("billing-prod", "slow", "1.7.0"),
    ("search-dev", "healthy", "3.2.0"),
    ("search-qa", "healthy", "3.1.1"),
    ("search-staging", "down", "3.1.0"),
    ("search-prod", "healthy", "3.0.4"),
]


def releases_for(name: str) -> list[str]:
    """Return the versions an environment of this name can run, newest first."""
    return RELEASES.get(name.split("-", 1)[0], GENERIC_RELEASES)


@dataclass(slots=True)
class Target:
    """One simulated environment."""

    name: str
    behaviour: str
    version: str
    versions: list[str]
    # While now < busy_until the environment is restarting/upgrading and answers 503.
    busy_until: float = 0.0
    busy_reason: str = ""
    pending_version: str | None = None
    # Failure modes for operation tests (set through the control API):
    # an upgrade is accepted (202) but the reported version never changes;
    upgrade_applies: bool = True
    # a restart keeps health at 503 for this long (None: the fleet's transition_seconds);
    restart_down_seconds: float | None = None
    # restart and upgrade calls answer this status (None: 200 / 202 as usual).
    command_status: int | None = None
    phase: float = field(default_factory=lambda: random.uniform(0, 2 * FLAP_PERIOD))
    in_flight: int = 0
    requests: int = 0
    overlaps: int = 0
    # Wall-clock start times of the latest health requests, and of those that overlapped.
    started: deque[float] = field(default_factory=lambda: deque(maxlen=KEPT_CHECKS))
    overlapped: deque[float] = field(default_factory=lambda: deque(maxlen=KEPT_CHECKS))
    _ok_body: bytes = b""
    _down_body: bytes = b""

    def __post_init__(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        version = json.dumps(self.version)
        self._ok_body = f'{{"status": "ok", "version": {version}}}'.encode()
        self._down_body = f'{{"status": "down", "version": {version}}}'.encode()

    def settle(self, now: float) -> None:
        """Finish a restart or upgrade whose time has come."""
        if self.busy_until and now >= self.busy_until:
            self.busy_until = 0.0
            self.busy_reason = ""
            if self.pending_version is not None and self.upgrade_applies:
                self.version = self.pending_version
                self.rebuild()
            self.pending_version = None

    def healthy_now(self, now: float) -> bool:
        if self.behaviour == "down":
            return False
        if self.behaviour == "flapping":
            return int((now + self.phase) / FLAP_PERIOD) % 2 == 0
        return True

    def public(self, now: float) -> dict[str, Any]:
        self.settle(now)
        return {
            "name": self.name,
            "behaviour": self.behaviour,
            "version": self.version,
            "versions": self.versions,
            "healthy": self.behaviour != "hang" and not self.busy_until and self.healthy_now(now),
            "busy": self.busy_reason or None,
            "pendingVersion": self.pending_version,
            "upgradeApplies": self.upgrade_applies,
            "restartDownSeconds": self.restart_down_seconds,
            "commandStatus": self.command_status,
            "requests": self.requests,
            "overlaps": self.overlaps,
        }


def default_targets(count: int = DEFAULT_COUNT) -> list[Target]:
    """Return the preset environments, then healthy `env-00013`… up to `count`."""
    targets = [Target(n, b, v, releases_for(n)) for n, b, v in PRESETS[:count]]
    for index in range(len(targets) + 1, count + 1):
        targets.append(Target(f"env-{index:05d}", "healthy", "2.3.0", GENERIC_RELEASES))
    return targets


def targets_from_file(path: Path) -> list[Target]:
    """Read `name [behaviour [version]]` lines (blank lines and `#` comments skipped)."""
    targets = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        name = words[0]
        behaviour = words[1] if len(words) > 1 else "healthy"
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"{name}: unknown behaviour {behaviour!r}")
        versions = releases_for(name)
        version = words[2] if len(words) > 2 else versions[-2]
        targets.append(Target(name, behaviour, version, versions))
    return targets


JSON = "application/json"


class Fleet:
    """The simulator: its state, its aiohttp application, and its listening socket."""

    def __init__(self, targets: Iterable[Target], *, transition_seconds: float = 3.0) -> None:
        self.targets = {target.name: target for target in targets}
        self.transition_seconds = transition_seconds
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._hung: asyncio.Event | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/envs/{name}", self.get_state)
        app.router.add_get("/envs/{name}/health", self.health)
        app.router.add_get("/envs/{name}/versions", self.versions)
        app.router.add_post("/envs/{name}/restart", self.restart)
        app.router.add_post("/envs/{name}/upgrade", self.upgrade)
        app.router.add_get("/control/envs", self.list_states)
        app.router.add_get("/control/envs/{name}", self.get_state)
        app.router.add_put("/control/envs/{name}", self.set_state)
        app.router.add_get("/control/stats", self.stats)
        app.router.add_get("/control/checks", self.checks)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0: any free port) and return the base URL."""
        self._hung = asyncio.Event()
        # No access log: at a thousand requests a second it would cost more than serving them.
        self._runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=1024)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.url = f"http://{host}:{bound}"
        return self.url

    async def stop(self) -> None:
        if self._hung is not None:
            self._hung.set()  # release hanging handlers so shutdown does not wait on them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def env_url(self, name: str) -> str:
        return f"{self.url}/envs/{name}"

    # --- the simulated environments --------------------------------------------------------

    def _target(self, request: web.Request) -> Target:
        target = self.targets.get(request.match_info["name"])
        if target is None:
            raise web.HTTPNotFound(text='{"error": "no such environment"}', content_type=JSON)
        return target

    async def health(self, request: web.Request) -> web.Response:
        target = self._target(request)
        now = time.time()
        target.requests += 1
        target.started.append(now)
        if target.in_flight:
            target.overlaps += 1
            target.overlapped.append(now)
        target.in_flight += 1
        try:
            return await self._answer_health(target)
        finally:
            target.in_flight -= 1

    async def _answer_health(self, target: Target) -> web.Response:
        now = time.monotonic()
        target.settle(now)
        if target.behaviour == "hang":
            assert self._hung is not None
            await self._hung.wait()
            return web.Response(status=503, body=target._down_body, content_type=JSON)
        if target.behaviour == "slow":
            await asyncio.sleep(random.uniform(*SLOW_RANGE))
            target.settle(time.monotonic())
        if target.busy_until:
            body = json.dumps({"status": target.busy_reason, "version": target.version})
            return web.Response(status=503, text=body, content_type=JSON)
        if target.healthy_now(now):
            return web.Response(body=target._ok_body, content_type=JSON)
        return web.Response(status=503, body=target._down_body, content_type=JSON)

    async def versions(self, request: web.Request) -> web.Response:
        target = self._target(request)
        return web.json_response({"versions": target.versions})

    async def restart(self, request: web.Request) -> web.Response:
        target = self._target(request)
        if target.command_status is not None:
            return _failure(target.command_status)
        down = target.restart_down_seconds
        target.busy_until = time.monotonic() + (self.transition_seconds if down is None else down)
        target.busy_reason = "restarting"
        return web.json_response({"status": "restarting", "version": target.version})

    async def upgrade(self, request: web.Request) -> web.Response:
        target = self._target(request)
        if target.command_status is not None:
            return _failure(target.command_status)
        body = await _json_object(request)
        version = body.get("version")
        if not isinstance(version, str) or version not in target.versions:
            return web.json_response({"error": f"unknown version {version!r}"}, status=400)
        target.busy_until = time.monotonic() + self.transition_seconds
        target.busy_reason = "upgrading"
        target.pending_version = version
        return web.json_response({"status": "upgrading", "version": version}, status=202)

    # --- control ---------------------------------------------------------------------------

    async def list_states(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        return web.json_response({"envs": [t.public(now) for t in self.targets.values()]})

    async def get_state(self, request: web.Request) -> web.Response:
        return web.json_response(self._target(request).public(time.monotonic()))

    async def set_state(self, request: web.Request) -> web.Response:
        target = self._target(request)
        body = await _json_object(request)
        behaviour = body.get("behaviour", target.behaviour)
        version = body.get("version", target.version)
        if behaviour not in BEHAVIOURS:
            return web.json_response(
                {"error": f"behaviour must be one of {BEHAVIOURS}"}, status=400
            )
        if not isinstance(version, str) or not version:
            return web.json_response({"error": "version must be a non-empty string"}, status=400)
        problem = _apply_failure_modes(target, body)
        if problem:
            return web.json_response({"error": problem}, status=400)
        target.behaviour = behaviour
        target.version = version
        target.rebuild()
        return web.json_response(target.public(time.monotonic()))

    async def stats(self, request: web.Request) -> web.Response:
        targets = self.targets.values()
        return web.json_response(
            {
                "environments": len(self.targets),
                "requests": sum(t.requests for t in targets),
                "overlaps": sum(t.overlaps for t in targets),
                "inFlight": sum(t.in_flight for t in targets),
            }
        )

    async def checks(self, request: web.Request) -> web.Response:
        """Per environment, the health requests that started at or after `?since=` (wall-clock
        seconds; default: every one kept), so a caller can see each was checked once per
        interval, by one checker at a time, and how long the longest wait was."""
        try:
            since = float(request.query.get("since", "0"))
        except ValueError:
            return web.json_response({"error": "since must be a number of seconds"}, status=400)
        with_gaps = request.query.get("gaps") in ("1", "true")
        now = time.time()
        return web.json_response(
            {
                "now": now,
                "since": since,
                "environments": {
                    name: target_checks(t, since, now, with_gaps=with_gaps)
                    for name, t in self.targets.items()
                },
            }
        )


def target_checks(
    target: Target, since: float, now: float, *, with_gaps: bool = False
) -> dict[str, Any]:
    """Summarise one environment's health requests from `since` on.

    `maxGap` is the longest time between two consecutive requests where the later one is in the
    window (so a gap that began before `since` counts); `sinceLast` is the wait still open.
    `complete` is false when older requests of the window were no longer kept.
    """
    times = list(target.started)
    first_in = next((i for i, at in enumerate(times) if at >= since), len(times))
    window = times[first_in:]
    gaps = [times[i] - times[i - 1] for i in range(max(first_in, 1), len(times))]
    summary: dict[str, Any] = {
        "requests": len(window),
        "overlaps": sum(1 for at in target.overlapped if at >= since),
        "first": window[0] if window else None,
        "last": times[-1] if times else None,
        "maxGap": max(gaps, default=None),
        "sinceLast": now - times[-1] if times else None,
        "complete": first_in > 0 or target.requests == len(times),
    }
    if with_gaps:
        summary["gaps"] = gaps
    return summary


def _apply_failure_modes(target: Target, body: dict[str, Any]) -> str:
    """Set the operation failure modes given in a control body; return an error or ""."""
    applies = body.get("upgradeApplies", target.upgrade_applies)
    down = body.get("restartDownSeconds", target.restart_down_seconds)
    status = body.get("commandStatus", target.command_status)
    if not isinstance(applies, bool):
        return "upgradeApplies must be true or false"
    if down is not None and (isinstance(down, bool) or not isinstance(down, int | float)):
        return "restartDownSeconds must be a number of seconds or null"
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
    ):
        return "commandStatus must be an HTTP status (100-599) or null"
    target.upgrade_applies = applies
    target.restart_down_seconds = None if down is None else max(float(down), 0.0)
    target.command_status = status
    return ""


def _failure(status: int) -> web.Response:
    return web.json_response({"error": "simulated failure", "status": status}, status=status)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "body is not JSON"}', content_type=JSON) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be an object"}', content_type=JSON)
    return body


# --- the standalone process ------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m envdeck.demo.fleet", description="Run the simulated demo fleet."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="environments")
    parser.add_argument("--names-file", type=Path, help="lines of `name [behaviour [version]]`")
    parser.add_argument(
        "--transition-seconds",
        type=float,
        default=3.0,
        help="how long a restart or upgrade keeps health at 503",
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    return args


async def serve(args: argparse.Namespace) -> None:
    targets = targets_from_file(args.names_file) if args.names_file else None
    fleet = Fleet(
        targets or default_targets(args.count), transition_seconds=args.transition_seconds
    )
    url = await fleet.start(args.host, args.port)
    print(f"FLEET_READY {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await fleet.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        import uvloop
    except ImportError:  # pragma: no cover (uvicorn[standard] brings it)
        asyncio.run(serve(args))
    else:
        uvloop.run(serve(args))
    sys.exit(0)


if __name__ == "__main__":
    main()
