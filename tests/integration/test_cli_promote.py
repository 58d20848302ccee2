"""`envdeck promote` as a release pipeline runs it: a subprocess with a user's API token against
a live Envdeck on SQLite, whose environments are upgraded over HTTP on the demo fleet (loopback
targets that report their version and list the versions they can run)."""

import json
import os
import queue
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiohttp import ClientSession, web

from tests.integration.test_cli import run
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.live_app import (
    Account,
    LiveApp,
    account_fixture,
    admin_fixture,
    live_app_fixture,
)
from tests.support.loopback import LoopbackHttpServer
from tests.support.operations import fleet_environment, operation_settings
from tests.support.server import ENVDECK

live = live_app_fixture("promote-cli", operation_settings)
admin = admin_fixture()
releaser = account_fixture("release-bot", "user")
fleet = fleet_fixture()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def token(live: LiveApp, releaser: Account) -> str:
    """An API token of the user `release-bot`, as a release pipeline holds one."""
    created = httpx.post(
        f"{live.url}/api/v1/tokens", json={"name": "releases"}, headers=bearer(releaser.token)
    )
    assert created.status_code == 201, created.text
    return str(created.json()["secret"])


def add_environment(
    live: LiveApp, admin: Account, fleet: FleetProcess, target: str, name: str
) -> str:
    """Register the fleet's `target` as `name`, upgraded over HTTP, and check it once so that
    Envdeck knows it healthy and its version."""
    config = fleet_environment(fleet, target) | {"name": name}
    created = httpx.post(
        f"{live.url}/api/v1/environments", json=config, headers=bearer(admin.token)
    )
    assert created.status_code == 201, created.text
    env_id = str(created.json()["id"])
    checked = httpx.post(
        f"{live.url}/api/v1/environments/{env_id}/check-health",
        headers=bearer(admin.token),
        timeout=10,
    )
    assert checked.status_code == 200, checked.text
    return env_id


def add_pipeline(
    live: LiveApp, admin: Account, name: str, *stages: tuple[str, list[str]], approvals: int = 0
) -> dict[str, Any]:
    """Create a pipeline of these (stage, environment ids), no soak time; `approvals` on the
    last stage."""
    body = {
        "name": name,
        "stages": [
            {
                "name": stage,
                "environmentIds": ids,
                "soakTime": "0s",
                "approvals": approvals if index == len(stages) - 1 else 0,
                "maxParallel": 1,
            }
            for index, (stage, ids) in enumerate(stages)
        ],
    }
    created = httpx.post(f"{live.url}/api/v1/pipelines", json=body, headers=bearer(admin.token))
    assert created.status_code == 201, created.text
    pipeline: dict[str, Any] = created.json()
    return pipeline


def promote(live: LiveApp, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run(
        "promote",
        *args,
        "--url",
        live.url,
        cwd=live.settings.data_dir.parent,
        env={"ENVDECK_TOKEN": token},
    )


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Return what a failed command printed on stderr: its `envdeck: error:` line first."""
    lines = result.stderr.splitlines()
    assert lines, result.stdout
    assert lines[0].startswith("envdeck: error: "), result.stderr
    return lines


def test_a_refused_gate_is_printed_and_exits_2(
    live: LiveApp, admin: Account, fleet: FleetProcess, token: str
) -> None:
    dev = add_environment(live, admin, fleet, "shop-dev", "gate-dev")  # runs 2.5.0
    staging = add_environment(live, admin, fleet, "shop-staging", "gate-staging")
    add_pipeline(live, admin, "gated", ("dev", [dev]), ("staging", [staging]))

    # 2.3.1 never went through dev.
    result = promote(live, token, "gated", "staging", "--version", "2.3.1")

    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    first, *gates = error_lines(result)
    assert "2.3.1" in first
    assert "(HTTP 422)" in first
    assert gates, result.stderr
    assert all(line.startswith("  gate ") for line in gates), result.stderr
    assert any(line.startswith("  gate previousStage: ") for line in gates), result.stderr
    assert fleet.state("shop-staging")["version"] == "2.4.1"  # nothing was upgraded


def test_a_promotion_followed_to_its_end_prints_its_progress_and_exits_0(
    live: LiveApp, admin: Account, fleet: FleetProcess, token: str
) -> None:
    dev = add_environment(live, admin, fleet, "shop-staging", "road-dev")  # runs 2.4.1
    prod_a = add_environment(live, admin, fleet, "shop-prod", "road-prod-a")  # runs 2.4.0
    prod_b = add_environment(live, admin, fleet, "shop-qa", "road-prod-b")  # runs 2.5.0
    pipeline = add_pipeline(live, admin, "road", ("dev", [dev]), ("prod", [prod_a, prod_b]))

    into_dev = promote(live, token, "road", "dev", "--version", "2.5.0", "--wait")

    assert into_dev.returncode == 0, into_dev.stderr
    lines = into_dev.stdout.splitlines()
    assert lines[0].startswith("promotion ")
    assert "2.5.0 into road/dev, requested by release-bot" in lines[0]
    assert "road-dev: pending: 2.4.1 → 2.5.0" in lines
    running = [line for line in lines if line.startswith("road-dev: running (operation ")]
    assert len(running) == 1, into_dev.stdout
    succeeded = [line for line in lines if line.startswith("road-dev: succeeded (operation ")]
    assert len(succeeded) == 1, into_dev.stdout
    assert lines.index(running[0]) < lines.index(succeeded[0])
    assert lines[-1].startswith("promotion succeeded: 2.5.0 is on dev"), into_dev.stdout
    assert fleet.state("shop-staging")["version"] == "2.5.0"

    # By id, and without --version: what dev verified.
    into_prod = promote(live, token, pipeline["id"], "prod", "--wait")

    assert into_prod.returncode == 0, into_prod.stderr
    lines = into_prod.stdout.splitlines()
    assert any(line.startswith("road-prod-a: succeeded (operation ") for line in lines)
    assert any(line.startswith("road-prod-b: skipped") for line in lines), into_prod.stdout
    assert lines[-1].startswith("promotion succeeded: 2.5.0 is on prod"), into_prod.stdout
    assert len(lines) == len(set(lines)), "a change was printed twice"
    assert fleet.state("shop-prod")["version"] == "2.5.0"
    assert into_prod.stderr == ""


def test_a_failing_upgrade_exits_3_naming_the_environment_and_its_error(
    live: LiveApp, admin: Account, fleet: FleetProcess, token: str
) -> None:
    dev = add_environment(live, admin, fleet, "shop-prod", "breaks-dev")  # runs 2.4.0
    add_pipeline(live, admin, "breaks", ("dev", [dev]))
    # The upgrade is accepted but never applied: verification sees 2.4.0 still.
    fleet.configure("shop-prod", upgradeApplies=False)

    result = promote(live, token, "breaks", "dev", "--version", "2.5.0", "--wait")

    assert result.returncode == 3, result.stderr
    assert any(
        line.startswith("breaks-dev: failed (operation ") for line in result.stdout.splitlines()
    ), result.stdout
    assert result.stdout.splitlines()[-1].startswith("promotion failed")
    (line,) = error_lines(result)
    assert line.startswith(
        "envdeck: error: the promotion of 2.5.0 into breaks/dev failed: breaks-dev (operation "
    )
    assert "still reports version 2.4.0, not 2.5.0" in line  # the operation's error


def test_an_open_promotion_of_the_stage_is_named_when_another_is_refused(
    live: LiveApp, admin: Account, fleet: FleetProcess, token: str
) -> None:
    prod = add_environment(live, admin, fleet, "search-prod", "held-prod")  # runs 3.0.4
    add_pipeline(live, admin, "held", ("prod", [prod]), approvals=1)

    first = promote(live, token, "held", "prod", "--version", "3.1.1")

    assert first.returncode == 0, first.stderr
    waiting = json.loads(first.stdout)  # without --wait: the promotion as accepted
    assert waiting["status"] == "awaiting_approval"
    assert waiting["requestedBy"]["username"] == "release-bot"

    second = promote(live, token, "held", "prod", "--version", "3.1.1")

    assert second.returncode == 2
    assert second.stdout == ""
    first_line, held = error_lines(second)
    assert "(HTTP 409)" in first_line
    assert held.startswith(f"  held by promotion {waiting['id']}: 3.1.1, requested by release-bot")
    assert held.endswith("awaiting approval")
    cancelled = httpx.post(
        f"{live.url}/api/v1/promotions/{waiting['id']}/cancel", headers=bearer(admin.token)
    )
    assert cancelled.status_code == 200, cancelled.text


class Spawned:
    """`envdeck promote … --wait` running in the background, its stdout read line by line."""

    def __init__(self, process: "subprocess.Popen[str]") -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, seconds: float = 30) -> str:
        line = self.lines.get(timeout=seconds)
        self.seen.append(line)
        return line

    def end(self, seconds: float = 60) -> tuple[int, list[str], str]:
        """Wait for the command to end; return its status, every line it printed, stderr."""
        assert self.process.stderr is not None
        status = self.process.wait(timeout=seconds)
        stderr = self.process.stderr.read()
        self._reader.join(timeout=10)  # it ends at the end of stdout
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return status, self.seen, stderr


@pytest.fixture
def spawn(live: LiveApp, token: str) -> Iterator[Any]:
    """Start `envdeck promote … --wait` in the background; stop it at the end if still there."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> Spawned:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("ENVDECK_")}
        process = subprocess.Popen(
            [str(ENVDECK), "promote", *args, "--url", live.url, "--wait"],
            env=environ | {"ENVDECK_TOKEN": token},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return Spawned(process)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_waiting_follows_an_approval_as_it_happens(
    live: LiveApp, admin: Account, fleet: FleetProcess, spawn: Any
) -> None:
    prod = add_environment(live, admin, fleet, "billing-staging", "approved-prod")  # 1.7.2
    add_pipeline(live, admin, "approved", ("prod", [prod]), approvals=1)
    promoting = spawn("approved", "prod", "--version", "1.8.0")

    header = promoting.next_line()
    assert "1.8.0 into approved/prod, requested by release-bot" in header
    awaiting = promoting.next_line()
    assert awaiting.startswith("promotion awaiting approval: 1 more from an admin other than")
    promotion_id = header.split()[1].rstrip(":")
    approved = httpx.post(
        f"{live.url}/api/v1/promotions/{promotion_id}/approve", headers=bearer(admin.token)
    )
    assert approved.status_code == 200, approved.text

    status, lines, stderr = promoting.end()
    assert status == 0, stderr
    assert "approved by admin" in lines
    assert any(line.startswith("approved-prod: succeeded (operation ") for line in lines)
    assert lines[-1].startswith("promotion succeeded: 1.8.0 is on prod"), lines
    assert fleet.state("billing-staging")["version"] == "1.8.0"


def test_an_unknown_pipeline_or_stage_is_one_line_and_exit_2(
    live: LiveApp, admin: Account, token: str
) -> None:
    body = {
        "name": "named",
        "stages": [
            {"name": "dev", "tags": ["named-dev"]},
            {"name": "prod", "tags": ["named-prod"]},
        ],
    }
    created = httpx.post(f"{live.url}/api/v1/pipelines", json=body, headers=bearer(admin.token))
    assert created.status_code == 201, created.text

    for args, message in [
        (["no-such-pipeline", "prod"], "no pipeline named 'no-such-pipeline'"),
        (["named", "prd"], "pipeline named has no stage 'prd' (its stages: dev, prod)"),
    ]:
        result = promote(live, token, *args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.splitlines() == [f"envdeck: error: {message}"]


def test_a_server_that_does_not_answer_is_one_line_and_exit_4(live: LiveApp, token: str) -> None:
    result = run(
        "promote",
        "shop",
        "prod",
        "--version",
        "2.5.0",
        "--wait",
        "--url",
        "http://127.0.0.1:9",
        "--token",
        token,
        cwd=live.settings.data_dir.parent,
    )
    assert result.returncode == 4
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("envdeck: error: cannot reach http://127.0.0.1:9")


def test_a_rejection_while_waiting_exits_3_saying_who_and_why(
    live: LiveApp, admin: Account, fleet: FleetProcess, spawn: Any
) -> None:
    prod = add_environment(live, admin, fleet, "billing-prod", "rejected-prod")  # 1.7.0
    add_pipeline(live, admin, "rejected", ("prod", [prod]), approvals=1)
    promoting = spawn("rejected", "prod", "--version", "1.8.0")
    promotion_id = promoting.next_line().split()[1].rstrip(":")
    assert promoting.next_line().startswith("promotion awaiting approval")

    rejected = httpx.post(
        f"{live.url}/api/v1/promotions/{promotion_id}/reject",
        json={"reason": "change freeze until Monday"},
        headers=bearer(admin.token),
    )
    assert rejected.status_code == 200, rejected.text

    status, lines, stderr = promoting.end()
    assert status == 3, stderr
    assert "rejected by admin: change freeze until Monday" in lines
    assert lines[-1].startswith("promotion rejected")
    assert stderr.splitlines() == [
        "envdeck: error: the promotion of 1.8.0 into rejected/prod was rejected by admin:"
        " change freeze until Monday"
    ]
    assert fleet.state("billing-prod")["version"] == "1.7.0"


class HttpOnlyProxy(LoopbackHttpServer):
    """A reverse proxy in front of the live app that passes HTTP but not WebSockets, as some
    corporate proxies do; it counts the requests it saw by path."""

    thread_name = "http-only-proxy"

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream
        self.seen: list[str] = []

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self.forward)
        return app

    async def forward(self, request: web.Request) -> web.Response:
        self.seen.append(f"{request.method} {request.path}")
        if request.path == "/ws":
            return web.Response(status=404, text="no WebSockets here")
        headers = {"Authorization": request.headers.get("Authorization", "")}
        if request.content_type == "application/json":
            headers["Content-Type"] = "application/json"
        async with (
            ClientSession() as session,
            session.request(
                request.method,
                f"{self.upstream}{request.path_qs}",
                data=await request.read(),
                headers=headers,
            ) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type=answer.content_type
            )


@pytest.fixture
def proxy(live: LiveApp) -> Iterator[HttpOnlyProxy]:
    running = HttpOnlyProxy(live.url).start()
    yield running
    running.stop()


def test_without_websockets_waiting_reads_the_promotion_until_it_is_over(
    live: LiveApp, admin: Account, fleet: FleetProcess, token: str, proxy: HttpOnlyProxy
) -> None:
    dev = add_environment(live, admin, fleet, "search-qa", "polled-dev")  # 3.1.1
    add_pipeline(live, admin, "polled", ("dev", [dev]))

    result = run(
        "promote",
        "polled",
        "dev",
        "--version",
        "3.2.0",
        "--wait",
        "--url",
        proxy.url(""),
        cwd=live.settings.data_dir.parent,
        env={"ENVDECK_TOKEN": token},
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("polled-dev: succeeded (operation ") for line in lines)
    assert lines[-1].startswith("promotion succeeded: 3.2.0 is on dev"), result.stdout
    assert result.stderr == ""
    assert "GET /ws" in proxy.seen  # tried first, refused by the proxy
    promotion_id = lines[0].split()[1].rstrip(":")
    assert f"GET /api/v1/promotions/{promotion_id}" in proxy.seen
    assert fleet.state("search-qa")["version"] == "3.2.0"
