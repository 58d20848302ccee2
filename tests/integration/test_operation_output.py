"""An operation's output, read while it runs, holds every chunk from the first: the request,
the target's answer, "command succeeded" and each verification check, with the seq of the last
chunk it holds (a client merges the live chunks after it)."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from envdeck.config import Settings
from tests.integration.conftest import Personas
from tests.integration.test_operations_api import create, upgrade
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.operations import fleet_environment, operation_settings, wait_for_operation

# The upgraded environment answers 503 for 3 s: verification takes several checks.
fleet = fleet_fixture(transition_seconds=3)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**environ: str) -> Settings:
        # The stored tail is rewritten only after a minute: what a reader gets while the
        # operation runs comes from the instance that runs it.
        slow = {"ENVDECK_OPERATIONS__OUTPUT_FLUSH_INTERVAL": "60s"}
        return operation_settings(tmp_path / "data", **(slow | environ))

    return make


def test_the_output_read_while_an_upgrade_runs_starts_at_its_first_line(
    personas: Personas, fleet: FleetProcess
) -> None:
    env_id = create(personas, fleet_environment(fleet, "shop-staging", verify_timeout=30))
    response = upgrade(personas, env_id, "2.5.0", personas.operator.headers())
    assert response.status_code == 202, response.text
    op_id = response.json()["operationId"]

    deadline = time.monotonic() + 20
    while True:
        op: dict[str, Any] = personas.client.get(
            f"/api/v1/operations/{op_id}", headers=personas.viewer.headers()
        ).json()
        assert op["status"] in ("pending", "running"), op  # read while it runs
        if "verify #1" in op["output"]:
            break
        assert time.monotonic() < deadline, op
        time.sleep(0.05)

    lines = op["output"].splitlines()
    assert lines[0].startswith("POST ")
    assert lines[0].endswith("/envs/shop-staging/upgrade")
    assert lines[1] == "HTTP 202 Accepted"
    assert any(line.startswith("[envdeck] command succeeded; verifying") for line in lines)
    assert any(line.startswith("verify #1: unhealthy") for line in lines)
    # The answer, "command succeeded", then one chunk per verification check.
    checks = sum(1 for line in lines if line.startswith("verify #"))
    assert op["outputSeq"] == 2 + checks

    finished = wait_for_operation(personas.client, personas.viewer.headers(), op_id)
    assert finished["status"] == "succeeded", finished
    assert finished["output"].startswith(op["output"])
    assert finished["outputSeq"] > op["outputSeq"]
