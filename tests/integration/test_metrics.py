"""GET /metrics: Prometheus text that parses, whose counters move as checks and operations run."""

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from envdeck.app import create_app
from envdeck.config import Settings
from tests.integration.conftest import Personas, read_setup_token
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.operations import fleet_environment, operation_settings, wait_for_operation
from tests.support.server import free_port
from tests.support.targets import Target

fleet = fleet_fixture()

FAMILIES = {
    "envdeck_http_request_duration_seconds": "histogram",
    "envdeck_health_checks": "counter",
    "envdeck_health_check_duration_seconds": "histogram",
    "envdeck_environments": "gauge",
    "envdeck_operations": "counter",
    "envdeck_operation_duration_seconds": "histogram",
    "envdeck_websocket_connections": "gauge",
    "envdeck_activity_log_queue_depth": "gauge",
    "envdeck_activity_log_write_failures": "counter",
    "envdeck_notification_deliveries": "counter",
    "envdeck_storage_breaker_open": "gauge",
    "envdeck_storage_breaker_opens": "counter",
}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    # No background checks: only the checks a test runs are counted.
    def make(**environ: str) -> Settings:
        return operation_settings(tmp_path / "data", **environ)

    return make


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


def scrape(client: TestClient, headers: dict[str, str] | None = None) -> Samples:
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def eventually(client: TestClient, name: str, expected: float, **labels: str) -> Samples:
    # Counters move right after the work is stored; a scrape may come a moment before.
    deadline = time.monotonic() + 10
    while True:
        samples = scrape(client)
        if value(samples, name, **labels) == expected or time.monotonic() > deadline:
            assert value(samples, name, **labels) == expected, (name, labels, expected)
            return samples
        time.sleep(0.05)


def create(personas: Personas, config: dict[str, Any]) -> str:
    response = personas.client.post(
        "/api/v1/environments", json=config, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def check_now(personas: Personas, environment_id: str) -> None:
    response = personas.client.post(
        f"/api/v1/environments/{environment_id}/check-health",
        headers=personas.operator.headers(),
    )
    assert response.status_code == 200, response.text


def checked(name: str, endpoint: str) -> dict[str, Any]:
    return {"name": name, "healthCheck": {"endpoint": endpoint, "interval": 3600, "timeout": 2}}


class TestExposition:
    def test_every_family_is_exposed_with_its_type(self, personas: Personas) -> None:
        response = personas.client.get("/metrics")

        assert response.status_code == 200
        families = {f.name: f.type for f in text_string_to_metric_families(response.text)}
        assert {name: families.get(name) for name in FAMILIES} == FAMILIES

    def test_sampled_values_are_read_at_scrape_time(self, personas: Personas) -> None:
        create(personas, {"name": "fresh"})

        samples = eventually(personas.client, "envdeck_environments", 1, health="unknown")

        assert value(samples, "envdeck_environments", health="healthy") == 0
        assert value(samples, "envdeck_websocket_connections") == 0
        assert ("envdeck_activity_log_queue_depth", frozenset()) in samples
        assert value(samples, "envdeck_activity_log_write_failures_total") == 0

    def test_requests_are_labelled_by_route_template_never_raw_ids(
        self, personas: Personas
    ) -> None:
        environment_id = create(personas, {"name": "labelled"})
        personas.client.get(
            f"/api/v1/environments/{environment_id}", headers=personas.viewer.headers()
        )
        personas.client.get("/no/such/page/6b05a2c33c0ca6934944ef1e")

        samples = scrape(personas.client)

        template = "/api/v1/environments/{environment_id}"
        count = "envdeck_http_request_duration_seconds_count"
        assert value(samples, count, method="GET", route=template, status="200") == 1
        assert value(samples, count, method="POST", route="/api/v1/environments", status="201") == 1
        routes = {dict(labels).get("route", "") for _, labels in samples}
        assert not any(environment_id in route for route in routes)
        assert not any("6b05a2c33c0ca6934944ef1e" in route for route in routes)


class TestHealthChecks:
    def test_checks_are_counted_by_result_with_their_duration(
        self, personas: Personas, target: Target
    ) -> None:
        up = create(personas, checked("up", target.reply("/up")))
        down = create(personas, checked("down", target.reply("/down", status=503)))
        gone = create(personas, checked("gone", f"http://127.0.0.1:{free_port()}/health"))

        check_now(personas, up)
        check_now(personas, up)
        check_now(personas, down)
        check_now(personas, gone)

        samples = scrape(personas.client)
        assert value(samples, "envdeck_health_checks_total", result="healthy") == 2
        assert value(samples, "envdeck_health_checks_total", result="unhealthy") == 1
        assert value(samples, "envdeck_health_checks_total", result="error") == 1
        duration = "envdeck_health_check_duration_seconds_count"
        assert value(samples, duration, result="healthy") == 2
        assert value(samples, "envdeck_health_check_duration_seconds_sum", result="healthy") > 0

    def test_environments_by_health_follow_the_checks(
        self, personas: Personas, target: Target
    ) -> None:
        up = create(personas, checked("green", target.reply("/green")))

        check_now(personas, up)

        eventually(personas.client, "envdeck_environments", 1, health="healthy")


class TestStorageBreaker:
    def test_a_write_locked_database_opens_the_breaker_until_it_is_released(
        self, personas: Personas
    ) -> None:
        before = scrape(personas.client)
        assert value(before, "envdeck_storage_breaker_open") == 0
        assert value(before, "envdeck_storage_breaker_opens_total") == 0
        # Another connection holds the write lock (an admin's sqlite3 shell in a transaction).
        holder = sqlite3.connect(personas.settings.sqlite_path, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            # The write waits out SQLite's busy timeout, fails, and opens the breaker.
            response = personas.client.post(
                "/api/v1/environments", json={"name": "locked"}, headers=personas.admin.headers()
            )
            assert response.status_code == 503, response.text

            during = scrape(personas.client)
            assert value(during, "envdeck_storage_breaker_open") == 1
            assert value(during, "envdeck_storage_breaker_opens_total") == 1
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        # The next call that reaches storage probes it, finds it answering, and closes it.
        after = eventually(personas.client, "envdeck_storage_breaker_open", 0)
        assert value(after, "envdeck_storage_breaker_opens_total") == 1


class TestOperations:
    def test_a_finished_restart_is_counted_with_its_duration(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        shop = create(personas, fleet_environment(fleet, "shop-qa"))
        response = personas.client.post(
            f"/api/v1/environments/{shop}/restart", headers=personas.operator.headers()
        )
        assert response.status_code == 202, response.text

        op = wait_for_operation(
            personas.client, personas.viewer.headers(), response.json()["operationId"]
        )

        assert op["status"] == "succeeded", op
        labels = {"type": "restart", "status": "succeeded"}
        samples = eventually(personas.client, "envdeck_operations_total", 1, **labels)
        assert value(samples, "envdeck_operation_duration_seconds_count", **labels) == 1
        # Its verification ran checks through the verifier, which are not recorded checks.
        assert value(samples, "envdeck_health_checks_total", result="healthy") == 0


class TestRequireToken:
    @pytest.fixture
    def guarded(self, make_settings: Callable[..., Settings]) -> Iterator[tuple[TestClient, str]]:
        settings = make_settings(ENVDECK_METRICS__REQUIRE_TOKEN="true")
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            response = client.post(
                "/api/v1/setup",
                json={
                    "token": read_setup_token(settings),
                    "username": "admin",
                    "email": "admin@example.com",
                    "password": "quartz-lantern-orbit-91",
                },
            )
            assert response.status_code == 201, response.text
            yield client, response.json()["token"]

    def test_a_scrape_without_a_token_is_unauthorized(
        self, guarded: tuple[TestClient, str]
    ) -> None:
        client, _ = guarded

        response = client.get("/metrics")

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"

    def test_a_login_or_api_token_may_scrape(self, guarded: tuple[TestClient, str]) -> None:
        client, login = guarded
        created = client.post(
            "/api/v1/tokens",
            json={"name": "prometheus"},
            headers={"Authorization": f"Bearer {login}"},
        )
        assert created.status_code == 201, created.text

        for token in (login, created.json()["secret"]):
            samples = scrape(client, {"Authorization": f"Bearer {token}"})
            assert ("envdeck_websocket_connections", frozenset()) in samples
