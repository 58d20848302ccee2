"""The demo fleet simulator as a separate process on loopback, for tests and benchmarks.

    from tests.support.fleet import FleetProcess, fleet_fixture

    fleet = fleet_fixture()  # a function-scoped fixture; fleet_fixture(scope="module") also works

    def test_it_turns_unhealthy(fleet: FleetProcess) -> None:
        fleet.set_behaviour("shop-prod", "down")
        url = fleet.health_url("shop-prod")

Or, outside pytest (a benchmark): `with start_fleet(count=10_000) as fleet: ...`.
Behaviours: healthy, slow, flapping, down, hang (see src/envdeck/demo/fleet.py).
"""

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Literal

import httpx
import pytest

READY = "FLEET_READY "


class FleetProcess:
    """A running `python -m envdeck.demo.fleet` and a small client for its control API."""

    def __init__(self, process: subprocess.Popen[str], url: str, log: IO[str]) -> None:
        self.process = process
        self.url = url
        self._log = log
        self._client = httpx.Client(base_url=url, timeout=10)

    # --- URLs to give Envdeck ---------------------------------------------------------------

    def env_url(self, name: str) -> str:
        return f"{self.url}/envs/{name}"

    def health_url(self, name: str) -> str:
        return f"{self.url}/envs/{name}/health"

    def versions_url(self, name: str) -> str:
        return f"{self.url}/envs/{name}/versions"

    # --- control ----------------------------------------------------------------------------

    def set_behaviour(self, name: str, behaviour: str) -> dict[str, Any]:
        """Switch one environment to healthy, slow, flapping, down or hang."""
        return self._put(name, {"behaviour": behaviour})

    def set_version(self, name: str, version: str) -> dict[str, Any]:
        """Make one environment report another version from now on."""
        return self._put(name, {"version": version})

    def configure(self, name: str, **fields: Any) -> dict[str, Any]:
        """Set control fields of one environment: upgradeApplies (false: an upgrade is accepted
        but the version never changes), restartDownSeconds, commandStatus, behaviour, version."""
        return self._put(name, fields)

    def state(self, name: str) -> dict[str, Any]:
        response = self._client.get(f"/control/envs/{name}")
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    def states(self) -> list[dict[str, Any]]:
        response = self._client.get("/control/envs")
        response.raise_for_status()
        envs: list[dict[str, Any]] = response.json()["envs"]
        return envs

    def stats(self) -> dict[str, int]:
        """Return {environments, requests, overlaps, inFlight} counted by the fleet."""
        response = self._client.get("/control/stats")
        response.raise_for_status()
        stats: dict[str, int] = response.json()
        return stats

    def checks(self, since: float = 0.0, *, gaps: bool = False) -> dict[str, Any]:
        """Return `{now, since, environments: {name: {requests, overlaps, first, last, maxGap,
        sinceLast, complete[, gaps]}}}`: each environment's health requests that started at or
        after `since` (wall-clock seconds, `time.time()`), as `GET /control/checks` counts them."""
        params: dict[str, str] = {"since": repr(since)}
        if gaps:
            params["gaps"] = "1"
        response = self._client.get("/control/checks", params=params)
        response.raise_for_status()
        checks: dict[str, Any] = response.json()
        return checks

    def _put(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._client.put(f"/control/envs/{name}", json=body)
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    # --- lifecycle --------------------------------------------------------------------------

    def output(self) -> str:
        """Return what the fleet wrote to stderr so far (for failure messages)."""
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        self._client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


def launch_fleet(
    count: int = 12,
    *,
    names_file: Path | None = None,
    transition_seconds: float | None = None,
    timeout: float = 30,
) -> FleetProcess:
    """Start the fleet process and return once it printed FLEET_READY."""
    command = [sys.executable, "-m", "envdeck.demo.fleet", "--port", "0", "--count", str(count)]
    if names_file is not None:
        command += ["--names-file", str(names_file)]
    if transition_seconds is not None:
        command += ["--transition-seconds", str(transition_seconds)]
    log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (lives as the fleet does)
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            if line.startswith(READY):
                return FleetProcess(process, line[len(READY) :].strip(), log)
            if not line and process.poll() is not None:
                break
    process.kill()
    process.wait()
    log.seek(0)
    raise RuntimeError(f"the fleet did not become ready:\n{log.read()}")


@contextmanager
def start_fleet(count: int = 12, **options: Any) -> Iterator[FleetProcess]:
    """Run the fleet for the duration of a `with` block."""
    process = launch_fleet(count, **options)
    try:
        yield process
    finally:
        process.stop()


def fleet_fixture(
    count: int = 12,
    *,
    transition_seconds: float = 1.0,
    scope: Literal["function", "module", "session"] = "function",
) -> Any:
    """Return a pytest fixture that runs a fleet; in a test module: `fleet = fleet_fixture()`."""

    @pytest.fixture(scope=scope)
    def fleet() -> Iterator[FleetProcess]:
        with start_fleet(count, transition_seconds=transition_seconds) as running:
            yield running

    return fleet


# The default 12-environment fleet, restarts and upgrades settling after 1 s (for a conftest).
fleet = fleet_fixture()
