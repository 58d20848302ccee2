"""Upgrades count only when verified: the demo fleet's HTTP upgrade endpoint, its health and
its reported version; a failed verification rolls back to the previous version when asked."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from envdeck.config import Settings
from tests.integration.conftest import Personas
from tests.integration.test_operations_api import create, environment, logs_of, upgrade
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.operations import fleet_environment, operation_settings, wait_for_operation

fleet = fleet_fixture()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**environ: str) -> Settings:
        return operation_settings(tmp_path / "data", **environ)

    return make


def checked(personas: Personas, env_id: str) -> dict[str, Any]:
    """Check the environment now, so that it knows its current version; return it."""
    response = personas.client.post(
        f"/api/v1/environments/{env_id}/check-health", headers=personas.operator.headers()
    )
    assert response.status_code == 200, response.text
    return environment(personas, env_id)


def operation(personas: Personas, op_id: str) -> dict[str, Any]:
    return wait_for_operation(personas.client, personas.viewer.headers(), op_id)


def rolled_back(personas: Personas, op_id: str) -> dict[str, Any]:
    """Wait for a failed upgrade to name its rollback; return the upgrade.

    The record is stored as failed first, and with its rollback's id a moment later, once the
    rollback has been started (both saves are announced on the WebSocket).
    """
    failed = operation(personas, op_id)  # waits until it ended (its verification's timeout)
    deadline = time.monotonic() + 10  # from then on, for the rollback's id
    while not failed["rollbackOperationId"]:
        assert time.monotonic() < deadline, failed
        time.sleep(0.05)
        failed = operation(personas, op_id)
    return failed


def test_an_upgrade_succeeds_once_the_new_version_is_reported(
    personas: Personas, fleet: FleetProcess
) -> None:
    env_id = create(personas, fleet_environment(fleet, "shop-staging"))
    assert checked(personas, env_id)["systemInfo"]["appVersion"] == "2.4.1"

    response = upgrade(personas, env_id, "2.5.0", personas.operator.headers())

    assert response.status_code == 202, response.text
    op = operation(personas, response.json()["operationId"])
    assert op["status"] == "succeeded", op
    assert op["type"] == "upgrade"
    assert op["params"] == {"force": False, "version": "2.5.0", "previousVersion": "2.4.1"}
    assert op["httpStatus"] == 202
    assert op["verification"]["version"] == "2.5.0"
    assert op["verification"]["health"] == "healthy"
    assert "version 2.5.0 (want 2.5.0)" in op["output"]
    assert fleet.state("shop-staging")["version"] == "2.5.0"
    env = environment(personas, env_id)
    assert env["systemInfo"]["appVersion"] == "2.5.0"
    assert env["systemInfo"]["versionUnverified"] is False
    assert env["timestamps"]["lastUpgradeAt"] is not None
    entries = logs_of(personas, env_id, "upgrade")
    assert entries[0]["details"]["previousVersion"] == "2.4.1"
    assert entries[0]["details"]["targetVersion"] == "2.5.0"
    assert entries[0]["level"] == "success"


def test_an_upgrade_whose_version_never_changes_fails_verification(
    personas: Personas, fleet: FleetProcess
) -> None:
    env_id = create(personas, fleet_environment(fleet, "shop-staging"))
    checked(personas, env_id)
    fleet.configure("shop-staging", upgradeApplies=False)

    op_id = upgrade(personas, env_id, "2.5.0", personas.operator.headers()).json()["operationId"]

    op = operation(personas, op_id)
    assert op["status"] == "failed"
    assert op["error"]["code"] == "VERIFICATION_FAILED"
    assert "still reports version 2.4.1, not 2.5.0" in op["error"]["message"]
    assert op["verification"]["version"] == "2.4.1"
    assert op["verification"]["health"] == "healthy"
    assert op["rollbackOperationId"] is None  # rollbackOnFailure is off
    assert environment(personas, env_id)["systemInfo"]["appVersion"] == "2.4.1"
    assert logs_of(personas, env_id, "upgrade")[0]["level"] == "error"


def test_a_failed_verification_rolls_back_to_the_previous_version(
    personas: Personas, fleet: FleetProcess
) -> None:
    env_id = create(personas, fleet_environment(fleet, "shop-prod", rollback=True))
    checked(personas, env_id)
    # The upgrade is accepted but never applied: the environment stays on 2.4.0.
    fleet.configure("shop-prod", upgradeApplies=False)

    op_id = upgrade(personas, env_id, "2.5.0", personas.operator.headers()).json()["operationId"]

    failed = rolled_back(personas, op_id)
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "VERIFICATION_FAILED"
    rollback_id = failed["rollbackOperationId"]
    assert f"rolling back to 2.4.0: operation {rollback_id}" in failed["output"]
    rollback = operation(personas, rollback_id)
    assert rollback["type"] == "rollback"
    assert rollback["rollbackOf"] == op_id
    assert rollback["params"]["version"] == "2.4.0"
    assert rollback["params"]["previousVersion"] == "2.5.0"
    assert rollback["requestedBy"]["username"] == "olive"
    assert rollback["status"] == "succeeded", rollback
    assert rollback["verification"]["version"] == "2.4.0"
    env = environment(personas, env_id)
    assert env["activeOperation"] is None
    assert env["systemInfo"]["appVersion"] == "2.4.0"
    entries = logs_of(personas, env_id, "rollback")
    assert [e["details"]["event"] for e in entries] == ["succeeded", "initiated"]
    assert entries[1]["details"]["rollbackOf"] == op_id


def test_a_rollback_that_fails_is_not_rolled_back_again(
    personas: Personas, fleet: FleetProcess
) -> None:
    env_id = create(personas, fleet_environment(fleet, "shop-prod", rollback=True))
    checked(personas, env_id)
    fleet.configure("shop-prod", upgradeApplies=False)

    op_id = upgrade(personas, env_id, "2.5.0", personas.operator.headers()).json()["operationId"]
    failed = rolled_back(personas, op_id)
    # Down while the rollback verifies: the rollback fails too, and nothing follows it.
    fleet.set_behaviour("shop-prod", "down")
    rollback = operation(personas, failed["rollbackOperationId"])

    assert rollback["status"] == "failed"
    assert rollback["rollbackOperationId"] is None
    listed = personas.client.get(
        f"/api/v1/environments/{env_id}/operations", headers=personas.viewer.headers()
    ).json()
    assert [op["type"] for op in listed["operations"]] == ["rollback", "upgrade"]


def test_an_environment_reporting_no_version_gets_the_target_marked_unverified(
    personas: Personas, fleet: FleetProcess
) -> None:
    env_id = create(personas, fleet_environment(fleet, "billing-dev", versioned=False))

    op_id = upgrade(personas, env_id, "1.7.2", personas.operator.headers()).json()["operationId"]

    op = operation(personas, op_id)
    assert op["status"] == "succeeded", op
    assert op["verification"]["version"] is None
    info = environment(personas, env_id)["systemInfo"]
    assert info["appVersion"] == "1.7.2"
    assert info["versionUnverified"] is True
