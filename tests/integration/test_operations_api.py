"""Restart, upgrade and the operation records over the API, against the demo fleet (HTTP).

The fleet is a real process on loopback: its restart and upgrade endpoints take the calls,
and its health endpoint is what verification polls.
"""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from envdeck.app import create_app, create_storage
from envdeck.config import Settings
from envdeck.domain.auth import Principal, TokenKind
from envdeck.domain.environment import ActiveOperation, Environment
from envdeck.domain.operation import Operation, OperationStatus, OperationType
from envdeck.domain.user import Role, User
from tests.integration.conftest import Personas
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.operations import (
    fleet_environment,
    operation_settings,
    wait_for_operation,
    wait_for_status,
)
from tests.support.server import free_port

fleet = fleet_fixture()  # one per test: a test may leave an environment down
ABSENT = "0123456789abcdef01234567"


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**environ: str) -> Settings:
        return operation_settings(tmp_path / "data", **environ)

    return make


def create(personas: Personas, config: dict[str, Any]) -> str:
    response = personas.client.post(
        "/api/v1/environments", json=config, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def restart(personas: Personas, env_id: str, headers: dict[str, str], **body: Any) -> Any:
    return personas.client.post(
        f"/api/v1/environments/{env_id}/restart", json=body or None, headers=headers
    )


def upgrade(personas: Personas, env_id: str, version: Any, headers: dict[str, str]) -> Any:
    return personas.client.post(
        f"/api/v1/environments/{env_id}/upgrade", json={"version": version}, headers=headers
    )


def environment(personas: Personas, env_id: str) -> dict[str, Any]:
    response = personas.client.get(
        f"/api/v1/environments/{env_id}", headers=personas.viewer.headers()
    )
    body: dict[str, Any] = response.json()
    return body


def released(personas: Personas, env_id: str) -> bool:
    """Wait (up to 10 s) until the environment's claim is released; the final record is stored
    (and so seen) a moment before the claim goes."""
    deadline = time.monotonic() + 10
    while environment(personas, env_id)["activeOperation"] is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def logs_of(personas: Personas, env_id: str, action: str) -> list[dict[str, Any]]:
    # The activity log is written in batches: wait for both entries of an operation.
    deadline = time.monotonic() + 10
    while True:
        entries: list[dict[str, Any]] = personas.client.get(
            "/api/v1/logs",
            params={"environmentId": env_id, "action": action, "limit": 50},
            headers=personas.admin.headers(),
        ).json()["logs"]
        if len(entries) >= 2 or time.monotonic() > deadline:
            return entries
        time.sleep(0.1)


@pytest.fixture
def shop(personas: Personas, fleet: FleetProcess) -> str:
    return create(personas, fleet_environment(fleet, "shop-qa"))


class TestRestartValidation:
    def test_anonymous_callers_are_refused(self, personas: Personas, shop: str) -> None:
        assert restart(personas, shop, {}).status_code == 401

    def test_viewers_may_not_restart(self, personas: Personas, shop: str) -> None:
        response = restart(personas, shop, personas.viewer.headers())
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"

    def test_a_missing_environment_is_not_found(self, personas: Personas) -> None:
        response = restart(personas, ABSENT, personas.operator.headers())
        assert response.status_code == 404

    def test_an_environment_without_a_restart_command_is_refused(self, personas: Personas) -> None:
        env_id = create(personas, {"name": "bare"})
        response = restart(personas, env_id, personas.operator.headers())
        assert response.status_code == 422
        assert response.json()["error"]["details"] == {"field": "commands.restart.enabled"}
        listed = personas.client.get("/api/v1/operations", headers=personas.admin.headers())
        assert listed.json()["pagination"]["total"] == 0

    def test_protected_environments_are_for_admins_only(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        env_id = create(personas, fleet_environment(fleet, "shop-prod", protected=True))
        refused = restart(personas, env_id, personas.operator.headers())
        assert refused.status_code == 403
        assert "protected" in refused.json()["error"]["message"]
        accepted = restart(personas, env_id, personas.admin.headers())
        assert accepted.status_code == 202
        wait_for_operation(
            personas.client, personas.admin.headers(), accepted.json()["operationId"]
        )


class TestRestart:
    def test_it_answers_202_then_runs_verifies_and_records(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        response = restart(personas, shop, personas.operator.headers(), force=True)

        assert response.status_code == 202, response.text
        accepted = response.json()
        assert accepted["status"] == "in_progress"
        assert set(accepted) == {"operationId", "status", "startedAt", "warnings"}
        assert accepted["warnings"] == []
        op = wait_for_operation(personas.client, personas.viewer.headers(), accepted["operationId"])
        assert op["status"] == "succeeded", op
        assert op["type"] == "restart"
        assert op["params"]["force"] is True
        assert op["requestedBy"] == {"userId": personas.operator.user_id, "username": "olive"}
        assert op["httpStatus"] == 200
        assert op["error"] is None
        assert op["verification"]["health"] == "healthy"
        assert op["verification"]["verified"] is True
        assert op["verification"]["attempts"] >= 1
        assert op["durationMs"] >= 0
        assert op["rollbackOf"] is None
        assert op["rollbackOperationId"] is None
        assert "restarting" in op["output"]  # the excerpt of the fleet's answer

        env = environment(personas, shop)
        assert env["activeOperation"] is None
        assert env["timestamps"]["lastRestartAt"] is not None
        entries = logs_of(personas, shop, "restart")
        assert [e["details"]["event"] for e in entries] == ["succeeded", "initiated"]
        assert entries[0]["level"] == "success"
        assert entries[0]["username"] == "olive"
        assert entries[0]["details"]["operationId"] == accepted["operationId"]
        assert entries[0]["details"]["durationMs"] == op["durationMs"]

    def test_the_environment_shows_the_running_operation(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        fleet.configure("shop-qa", restartDownSeconds=3)
        op_id = restart(personas, shop, personas.operator.headers()).json()["operationId"]

        wait_for_status(personas.client, personas.viewer.headers(), op_id, "running")
        active = environment(personas, shop)["activeOperation"]

        assert active["id"] == op_id
        assert active["type"] == "restart"
        assert wait_for_operation(personas.client, personas.viewer.headers(), op_id)["status"] == (
            "succeeded"
        )
        assert environment(personas, shop)["activeOperation"] is None

    def test_a_second_restart_while_one_runs_is_a_conflict_naming_it(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        fleet.configure("shop-qa", restartDownSeconds=3)
        first = restart(personas, shop, personas.operator.headers())
        second = restart(personas, shop, personas.admin.headers())

        assert first.status_code == 202
        assert second.status_code == 409
        error = second.json()["error"]
        assert error["code"] == "CONFLICT"
        assert error["details"]["operationId"] == first.json()["operationId"]
        assert first.json()["operationId"] in error["message"]
        wait_for_operation(personas.client, personas.admin.headers(), first.json()["operationId"])
        third = restart(personas, shop, personas.admin.headers())
        assert third.status_code == 202

    def test_a_target_answering_500_fails_the_operation_at_level_error(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        fleet.configure("shop-qa", commandStatus=500)
        op_id = restart(personas, shop, personas.operator.headers()).json()["operationId"]

        op = wait_for_operation(personas.client, personas.viewer.headers(), op_id)

        assert op["status"] == "failed"
        assert op["httpStatus"] == 500
        assert op["error"]["code"] == "HTTP_STATUS"
        assert op["verification"] is None
        entries = logs_of(personas, shop, "restart")
        assert entries[0]["level"] == "error"
        assert entries[0]["details"]["event"] == "failed"
        assert environment(personas, shop)["activeOperation"] is None

    def test_a_restart_that_never_comes_back_fails_verification(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        fleet.configure("shop-qa", restartDownSeconds=60)
        op_id = restart(personas, shop, personas.operator.headers()).json()["operationId"]

        op = wait_for_operation(personas.client, personas.viewer.headers(), op_id)

        assert op["status"] == "failed"
        assert op["error"]["code"] == "VERIFICATION_FAILED"
        assert op["verification"]["health"] == "unhealthy"
        assert op["verification"]["verified"] is False
        assert "verify #" in op["output"]


class TestUpgradeValidation:
    def test_an_unlisted_version_is_refused(self, personas: Personas, shop: str) -> None:
        response = upgrade(personas, shop, "9.9.9", personas.operator.headers())
        assert response.status_code == 422
        assert "available versions" in response.json()["error"]["message"]

    @pytest.mark.parametrize(
        "version",
        ["2.4.1; reboot", "$(id)", "2.4.1\nreboot", "--help", "../2.4.1", "", "2.4.1 ", "x" * 300],
    )
    def test_a_hostile_version_is_refused_and_nothing_is_sent(
        self, personas: Personas, shop: str, fleet: FleetProcess, version: str
    ) -> None:
        response = upgrade(personas, shop, version, personas.operator.headers())

        assert response.status_code == 422
        assert response.json()["error"]["details"]["field"] == "version"
        state = fleet.state("shop-qa")
        assert (state["busy"], state["pendingVersion"], state["version"]) == (None, None, "2.5.0")
        listed = personas.client.get("/api/v1/operations", headers=personas.admin.headers())
        assert listed.json()["pagination"]["total"] == 0

    def test_a_version_list_that_cannot_be_read_is_an_upstream_error(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        config = fleet_environment(fleet, "shop-dev")
        config["upgradeConfig"]["versionListURL"] = f"http://127.0.0.1:{free_port()}/versions"
        env_id = create(personas, config)

        response = upgrade(personas, env_id, "2.4.1", personas.operator.headers())

        assert response.status_code == 502
        assert response.json()["error"]["code"] == "UPSTREAM_ERROR"
        assert response.json()["error"]["message"].startswith("version list")

    def test_an_environment_without_an_upgrade_is_refused(self, personas: Personas) -> None:
        env_id = create(personas, {"name": "bare"})
        response = upgrade(personas, env_id, "1.0", personas.operator.headers())
        assert response.status_code == 422
        assert response.json()["error"]["details"] == {"field": "upgradeConfig.enabled"}


class TestOperationRecords:
    def test_lists_filter_by_environment_type_status_and_user(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        other = create(personas, fleet_environment(fleet, "billing-dev"))
        ids = []
        for env_id, persona in ((shop, personas.operator), (other, personas.admin)):
            op_id = restart(personas, env_id, persona.headers()).json()["operationId"]
            wait_for_operation(personas.client, persona.headers(), op_id)
            ids.append(op_id)
        headers = personas.viewer.headers()

        def listed(**params: str) -> list[str]:
            body = personas.client.get("/api/v1/operations", params=params, headers=headers)
            assert body.status_code == 200, body.text
            return [op["id"] for op in body.json()["operations"]]

        assert listed() == [ids[1], ids[0]]
        assert listed(environmentId=shop) == [ids[0]]
        assert listed(userId=personas.admin.user_id) == [ids[1]]
        assert listed(type="restart", status="succeeded") == [ids[1], ids[0]]
        assert listed(type="upgrade") == []
        assert listed(status="failed") == []
        scoped = personas.client.get(f"/api/v1/environments/{other}/operations", headers=headers)
        assert [op["id"] for op in scoped.json()["operations"]] == [ids[1]]
        assert scoped.json()["pagination"]["total"] == 1

    def test_bad_filters_and_missing_records_are_refused(self, personas: Personas) -> None:
        headers = personas.viewer.headers()
        bad = personas.client.get("/api/v1/operations?status=exploded", headers=headers)
        assert bad.status_code == 422
        missing = personas.client.get(f"/api/v1/operations/{ABSENT}", headers=headers)
        assert missing.status_code == 404
        missing_env = personas.client.get(
            f"/api/v1/environments/{ABSENT}/operations", headers=headers
        )
        assert missing_env.status_code == 404


class TestCancel:
    def test_the_requester_cancels_a_running_operation(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        fleet.configure("shop-qa", restartDownSeconds=60)
        op_id = restart(personas, shop, personas.operator.headers()).json()["operationId"]
        wait_for_status(personas.client, personas.viewer.headers(), op_id, "running")

        response = personas.client.post(
            f"/api/v1/operations/{op_id}/cancel", headers=personas.operator.headers()
        )

        assert response.status_code == 202, response.text
        op = wait_for_operation(personas.client, personas.viewer.headers(), op_id)
        assert op["status"] == "cancelled"
        assert "olive" in op["error"]["message"]
        assert released(personas, shop)
        entries = logs_of(personas, shop, "restart")
        assert entries[0]["details"]["event"] == "cancelled"
        assert entries[0]["level"] == "warning"
        again = personas.client.post(
            f"/api/v1/operations/{op_id}/cancel", headers=personas.operator.headers()
        )
        assert again.status_code == 409

    def test_only_the_requester_or_an_admin_may_cancel(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        fleet.configure("shop-qa", restartDownSeconds=60)
        op_id = restart(personas, shop, personas.admin.headers()).json()["operationId"]
        wait_for_status(personas.client, personas.viewer.headers(), op_id, "running")

        by_user = personas.client.post(
            f"/api/v1/operations/{op_id}/cancel", headers=personas.operator.headers()
        )
        by_viewer = personas.client.post(
            f"/api/v1/operations/{op_id}/cancel", headers=personas.viewer.headers()
        )
        by_admin = personas.client.post(
            f"/api/v1/operations/{op_id}/cancel", headers=personas.admin.headers()
        )

        assert (by_user.status_code, by_viewer.status_code) == (403, 403)
        assert by_admin.status_code == 202
        op = wait_for_operation(personas.client, personas.viewer.headers(), op_id)
        assert op["status"] == "cancelled"

    def test_an_environment_is_not_deleted_while_an_operation_runs_on_it(
        self, personas: Personas, shop: str, fleet: FleetProcess
    ) -> None:
        fleet.configure("shop-qa", restartDownSeconds=60)
        op_id = restart(personas, shop, personas.admin.headers()).json()["operationId"]
        wait_for_status(personas.client, personas.viewer.headers(), op_id, "running")

        refused = personas.client.delete(
            f"/api/v1/environments/{shop}", headers=personas.admin.headers()
        )

        assert refused.status_code == 409
        assert refused.json()["error"]["details"]["operationId"] == op_id
        assert environment(personas, shop)["id"] == shop
        personas.client.post(f"/api/v1/operations/{op_id}/cancel", headers=personas.admin.headers())
        wait_for_operation(personas.client, personas.viewer.headers(), op_id)
        deleted = personas.client.delete(
            f"/api/v1/environments/{shop}", headers=personas.admin.headers()
        )
        assert deleted.status_code == 204


def test_operations_left_running_are_interrupted_at_start_up(tmp_path: Path) -> None:
    settings = operation_settings(tmp_path / "data")

    async def leave_one_running() -> tuple[str, str]:
        storage = create_storage(settings)
        await storage.open()
        try:
            env = await storage.environments.create(Environment(name="crashed"))
            op = await storage.operations.create(
                Operation(
                    environment_id=env.id,
                    environment_name=env.name,
                    type=OperationType.UPGRADE,
                    status=OperationStatus.RUNNING,
                )
            )
            active = ActiveOperation(id=op.id, type=op.type, started_at=op.created_at)
            await storage.environments.set_active_operation(env.id, active)
            return env.id, op.id
        finally:
            await storage.close()

    (settings.data_dir).mkdir(parents=True, exist_ok=True)
    env_id, op_id = asyncio.run(leave_one_running())

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        op = client.portal.call(services.storage.operations.get_by_id, op_id)  # type: ignore[union-attr]
        env = client.portal.call(services.storage.environments.get_by_id, env_id)  # type: ignore[union-attr]

    assert op.status is OperationStatus.INTERRUPTED
    assert op.error is not None
    assert op.error.code == "INTERRUPTED"
    assert env.active_operation is None


def test_operations_still_running_at_shutdown_are_interrupted(
    tmp_path: Path, fleet: FleetProcess
) -> None:
    settings = operation_settings(tmp_path / "data", ENVDECK_SERVER__SHUTDOWN_TIMEOUT="300ms")
    fleet.configure("shop-qa", restartDownSeconds=60)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        env = client.portal.call(  # type: ignore[union-attr]
            services.storage.environments.create,
            Environment.model_validate(fleet_environment(fleet, "shop-qa")),
        )

        async def start() -> str:
            # Called directly: no user or token is needed for this.
            op: Operation = await services.operations.restart_environment(_admin(), env.id)
            return op.id

        op_id = client.portal.call(start)  # type: ignore[union-attr]
        deadline = time.monotonic() + 10
        while client.portal.call(services.storage.operations.get_by_id, op_id).status != (  # type: ignore[union-attr]
            OperationStatus.RUNNING
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)

    async def read() -> tuple[Operation, Environment]:
        storage = create_storage(settings)
        await storage.open()
        try:
            return (
                await storage.operations.get_by_id(op_id),
                await storage.environments.get_by_id(env.id),
            )
        finally:
            await storage.close()

    op, stored_env = asyncio.run(read())
    assert op.status is OperationStatus.INTERRUPTED
    assert op.error is not None
    assert op.error.code == "INTERRUPTED"
    assert op.finished_at is not None
    assert stored_env.active_operation is None


def _admin() -> Principal:
    user = User(id="0" * 24, username="root-test", role=Role.ADMIN)
    return Principal(user=user, role=Role.ADMIN, kind=TokenKind.API, token_id="t", expires_at=None)
