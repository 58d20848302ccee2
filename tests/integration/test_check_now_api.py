"""POST /environments/{id}/check-health and POST /health-checks/test over the real app."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.integration.conftest import Personas
from tests.support.targets import Target


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


def create(personas: Personas, name: str, **check: Any) -> dict[str, Any]:
    body = {"name": name, "healthCheck": {"interval": 3600, "timeout": 5} | check}
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def check_now(personas: Personas, environment_id: str, headers: dict[str, str]) -> Any:
    return personas.client.post(
        f"/api/v1/environments/{environment_id}/check-health", headers=headers
    )


class TestCheckNow:
    def test_viewers_may_not_check(self, personas: Personas, target: Target) -> None:
        env = create(personas, "viewed", endpoint=target.reply("/viewed"))
        response = check_now(personas, env["id"], personas.viewer.headers())
        assert response.status_code == 403

    def test_an_unknown_environment_is_not_found(self, personas: Personas) -> None:
        response = check_now(personas, "6b05a2c33c0ca6934944ef1e", personas.operator.headers())
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"

    def test_an_environment_without_endpoint_is_refused_clearly(self, personas: Personas) -> None:
        env = create(personas, "no-endpoint")
        response = check_now(personas, env["id"], personas.operator.headers())
        assert response.status_code == 422
        assert response.json()["error"]["message"] == (
            "this environment has no health check endpoint"
        )

    def test_returns_the_verdict_and_records_it_as_the_status(
        self, personas: Personas, target: Target
    ) -> None:
        url = target.reply("/now", json_body={"status": "ok", "version": "2.3.0"})
        env = create(personas, "now", endpoint=url, enabled=True, versionJsonPath="$.version")

        response = check_now(personas, env["id"], personas.operator.headers())

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["health"] == "healthy"
        assert body["message"] == "ok"
        assert body["responseTime"] >= 0
        assert body["checkedAt"]
        assert body["details"] == {
            "statusCode": 200,
            "version": "2.3.0",
            "response": '{"status": "ok", "version": "2.3.0"}',
        }
        stored = wait_for_status(personas, env["id"])
        assert stored["status"]["health"] == "healthy"
        assert stored["systemInfo"]["appVersion"] == "2.3.0"

    def test_a_failing_target_is_a_result_not_an_error(
        self, personas: Personas, target: Target
    ) -> None:
        env = create(personas, "failing", endpoint=target.reply("/failing", status=503))

        response = check_now(personas, env["id"], personas.admin.headers())

        assert response.status_code == 200
        assert response.json()["health"] == "unhealthy"
        assert response.json()["message"] == "expected status 2xx, got 503"
        assert response.json()["details"]["statusCode"] == 503

    def test_the_response_excerpt_is_capped(self, personas: Personas, target: Target) -> None:
        env = create(personas, "big", endpoint=target.reply("/big", text="x" * 10_000))
        body = check_now(personas, env["id"], personas.operator.headers()).json()
        assert body["details"]["response"] == "x" * 2048

    def test_concurrent_calls_join_one_check(self, personas: Personas, target: Target) -> None:
        url = target.reply("/joined", delay=0.5)
        env = create(personas, "joined", endpoint=url, enabled=True)
        time.sleep(0.1)
        before = target.stats_of("/joined").requests

        with ThreadPoolExecutor(4) as pool:
            responses = list(
                pool.map(
                    lambda _: check_now(personas, env["id"], personas.operator.headers()),
                    range(4),
                )
            )

        assert all(r.status_code == 200 for r in responses)
        assert target.stats_of("/joined").max_active == 1
        assert target.stats_of("/joined").requests - before <= 2


class TestHealthCheckTest:
    def test_only_admins_may_test(self, personas: Personas, target: Target) -> None:
        body = {"healthCheck": {"endpoint": target.reply("/t")}}
        response = personas.client.post(
            "/api/v1/health-checks/test", json=body, headers=personas.operator.headers()
        )
        assert response.status_code == 403

    def test_runs_an_unsaved_configuration_and_stores_nothing(
        self, personas: Personas, target: Target
    ) -> None:
        url = target.reply("/unsaved", json_body={"status": "down"})
        config = {
            "endpoint": url,
            "validation": {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}},
        }

        response = personas.client.post(
            "/api/v1/health-checks/test",
            json={"healthCheck": config},
            headers=personas.admin.headers(),
        )

        assert response.status_code == 200, response.text
        assert response.json()["health"] == "unhealthy"
        assert response.json()["message"] == "$.status is 'down', expected 'ok'"
        listed = personas.client.get("/api/v1/environments", headers=personas.admin.headers())
        assert listed.json()["pagination"]["total"] == 0

    def test_masked_header_values_come_from_the_stored_environment(
        self, personas: Personas, target: Target
    ) -> None:
        url = target.reply("/masked")
        env = create(personas, "masked", endpoint=url, headers={"Authorization": "Bearer hush"})
        config = {"endpoint": url, "headers": {"Authorization": "********"}}

        response = personas.client.post(
            "/api/v1/health-checks/test",
            json={"healthCheck": config, "environmentId": env["id"]},
            headers=personas.admin.headers(),
        )

        assert response.status_code == 200, response.text
        assert target.stats_of("/masked").headers[-1]["Authorization"] == "Bearer hush"
        assert "hush" not in response.text

    def test_a_masked_value_without_an_environment_is_refused(
        self, personas: Personas, target: Target
    ) -> None:
        config = {"endpoint": target.reply("/nomask"), "headers": {"X-Api-Key": "********"}}
        response = personas.client.post(
            "/api/v1/health-checks/test",
            json={"healthCheck": config},
            headers=personas.admin.headers(),
        )
        assert response.status_code == 422
        assert target.stats_of("/nomask").requests == 0

    def test_an_endpoint_is_needed(self, personas: Personas) -> None:
        response = personas.client.post(
            "/api/v1/health-checks/test",
            json={"healthCheck": {"timeout": 5}},
            headers=personas.admin.headers(),
        )
        assert response.status_code == 422


def wait_for_status(personas: Personas, environment_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        env = personas.client.get(
            f"/api/v1/environments/{environment_id}", headers=personas.admin.headers()
        ).json()
        if env["status"]["lastCheck"] and env["systemInfo"]["appVersion"]:
            return dict(env)
        if time.monotonic() > deadline:
            raise AssertionError(f"status not recorded: {env['status']}")
        time.sleep(0.05)


def test_check_now_works_with_the_scheduler_disabled(make_settings: Any, target: Target) -> None:
    from fastapi.testclient import TestClient

    from envdeck.app import create_app
    from tests.integration.conftest import ADMIN_PASSWORD, read_setup_token

    settings = make_settings(ENVDECK_HEALTH__ENABLED="false")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        setup = client.post(
            "/api/v1/setup",
            json={
                "token": read_setup_token(settings),
                "username": "admin",
                "password": ADMIN_PASSWORD,
            },
        )
        headers = {"Authorization": f"Bearer {setup.json()['token']}"}
        url = target.reply("/disabled-engine", status=503)
        body = {
            "name": "unscheduled",
            "healthCheck": {
                "enabled": True,
                "endpoint": url,
                "interval": 10,
                "timeout": 5,
                "failureThreshold": 2,
            },
        }
        env = client.post("/api/v1/environments", json=body, headers=headers).json()
        time.sleep(2.5)  # a scheduler would have made the first check by now
        assert target.stats_of("/disabled-engine").requests == 0

        for _ in range(2):
            response = client.post(
                f"/api/v1/environments/{env['id']}/check-health", headers=headers
            )
            assert response.json()["health"] == "unhealthy"

        stored = client.get(f"/api/v1/environments/{env['id']}", headers=headers).json()
        assert stored["status"]["health"] == "unhealthy"
        assert stored["status"]["consecutiveFailures"] == 2
