"""Scheduled health checks are held while an operation holds the environment: an upgrade that
takes the demo fleet's environment down for longer than its check interval is no unhealthy
transition, no error in the activity log, and the environment stays healthy throughout."""

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from envdeck.config import Settings
from tests.integration.conftest import Personas
from tests.integration.test_operations_api import create, environment, upgrade
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.operations import fleet_environment, operation_settings, wait_for_operation

INTERVAL = 10  # the shortest check interval the model allows
# An upgrade answers 503 for longer than one interval, then reports its new version.
fleet = fleet_fixture(transition_seconds=INTERVAL + 3)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**environ: str) -> Settings:
        scheduled = {"ENVDECK_HEALTH__ENABLED": "true", "ENVDECK_HEALTH__FLUSH_INTERVAL": "100ms"}
        return operation_settings(tmp_path / "data", **(scheduled | environ))

    return make


def wait_until_healthy(personas: Personas, env_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        env = environment(personas, env_id)
        if env["status"]["health"] == "healthy":
            return env
        assert time.monotonic() < deadline, env["status"]
        time.sleep(0.1)


def health_entries(personas: Personas, env_id: str) -> list[dict[str, Any]]:
    response = personas.client.get(
        "/api/v1/logs",
        params={"environmentId": env_id, "type": "health_check", "limit": 100},
        headers=personas.admin.headers(),
    )
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["logs"]
    return entries


def test_a_check_due_during_an_upgrade_is_held_not_an_unhealthy_transition(
    personas: Personas, fleet: FleetProcess
) -> None:
    config = fleet_environment(fleet, "shop-staging", verify_timeout=60)
    config["healthCheck"] |= {"interval": INTERVAL, "failureThreshold": 1}
    env_id = create(personas, config)
    # The scheduler checks a new environment within 2 s.
    assert wait_until_healthy(personas, env_id)["systemInfo"]["appVersion"] == "2.4.1"

    response = upgrade(personas, env_id, "2.5.0", personas.operator.headers())
    assert response.status_code == 202, response.text
    op_id = response.json()["operationId"]
    # While it runs (longer than a whole interval: a scheduled check falls due), the
    # environment keeps the health it had, and names the operation.
    running = environment(personas, env_id)
    assert running["activeOperation"]["id"] == op_id
    assert running["activeOperation"]["version"] == "2.5.0"
    assert running["status"]["health"] == "healthy"

    op = wait_for_operation(personas.client, personas.viewer.headers(), op_id)

    assert op["status"] == "succeeded", op
    started, finished = (datetime.fromisoformat(op[k]) for k in ("startedAt", "finishedAt"))
    assert (finished - started).total_seconds() >= INTERVAL
    # Verification polled a 503 more than once: the environment really was down meanwhile.
    assert "verify #2: unhealthy" in op["output"]
    env = environment(personas, env_id)
    assert env["status"]["health"] == "healthy"
    last_check = env["status"]["lastCheck"]
    assert not started <= datetime.fromisoformat(last_check) <= finished, last_check
    entries = health_entries(personas, env_id)
    assert [e for e in entries if e["level"] == "error"] == []
    assert [e["details"]["health"] for e in entries if "health" in e["details"]] == ["healthy"]
