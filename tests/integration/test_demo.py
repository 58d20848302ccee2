"""The demo: the fleet's environments registered idempotently, and `envdeck demo` end to end."""

import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from envdeck.demo.fleet import PRESETS
from envdeck.demo.register import Registration, register_fleet
from tests.integration.conftest import Personas
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.server import ENVDECK, free_port, start_server

NAMES = [name for name, _, _ in PRESETS]
ADMIN = {"username": "demo-admin", "password": "quartz-lantern-orbit-91"}


def _register(personas: Personas, url: str, names: list[str]) -> Registration:
    services = personas.client.app.state.services  # type: ignore[attr-defined]
    portal = personas.client.portal
    assert portal is not None
    result: Registration = portal.call(register_fleet, services, url, names)
    portal.call(services.activity.flush)  # the audit entries are written in batches
    return result


def _demo_environments(personas: Personas) -> dict[str, dict[str, Any]]:
    response = personas.client.get(
        "/api/v1/environments",
        params={"tag": "demo", "limit": 200},
        headers=personas.viewer.headers(),
    )
    assert response.status_code == 200, response.text
    return {env["name"]: env for env in response.json()["environments"]}


fleet = fleet_fixture()


class TestRegistration:
    def test_it_creates_one_demo_environment_per_simulated_one(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        result = _register(personas, fleet.url, NAMES)
        assert result.created == NAMES
        envs = _demo_environments(personas)
        assert sorted(envs) == sorted(NAMES)
        prod = envs["shop-prod"]
        assert prod["tags"] == ["demo", "shop", "prod"]
        assert prod["metadata"] == {"app": "shop", "stage": "prod"}
        assert prod["healthCheck"]["endpoint"] == "/health"
        assert prod["healthCheck"]["resolvedEndpoint"] == fleet.health_url("shop-prod")
        assert prod["healthCheck"]["interval"] == 10
        assert prod["healthCheck"]["validation"]["value"] == {
            "path": "$.status",
            "equals": "ok",
            "matches": None,
        }
        assert prod["healthCheck"]["versionJsonPath"] == "$.version"
        assert prod["commands"]["restart"]["url"] == f"{fleet.env_url('shop-prod')}/restart"
        assert prod["upgradeConfig"]["versionListURL"] == fleet.versions_url("shop-prod")
        assert prod["upgradeConfig"]["upgradeCommand"]["body"] == {"version": "{VERSION}"}

    def test_registering_again_changes_nothing(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        _register(personas, fleet.url, NAMES)
        before = _demo_environments(personas)
        again = _register(personas, fleet.url, NAMES)
        assert (again.created, again.updated, again.unchanged) == ([], [], NAMES)
        after = _demo_environments(personas)
        assert {n: e["id"] for n, e in after.items()} == {n: e["id"] for n, e in before.items()}
        updates = personas.client.get(
            "/api/v1/logs", params={"action": "update"}, headers=personas.admin.headers()
        ).json()
        assert updates["pagination"]["total"] == 0

    def test_a_new_fleet_address_updates_the_urls_of_the_same_environments(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        _register(personas, "http://127.0.0.1:1", NAMES[:3])
        first = _demo_environments(personas)
        moved = _register(personas, fleet.url, NAMES[:3])
        assert moved.updated == NAMES[:3]
        after = _demo_environments(personas)
        assert {n: e["id"] for n, e in after.items()} == {n: e["id"] for n, e in first.items()}
        assert after["shop-dev"]["healthCheck"]["resolvedEndpoint"] == fleet.health_url("shop-dev")

    def test_an_edited_demo_environment_is_brought_back(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        _register(personas, fleet.url, ["shop-qa"])
        env = _demo_environments(personas)["shop-qa"]
        personas.client.patch(
            f"/api/v1/environments/{env['id']}",
            json={"healthCheck": {"interval": 600}},
            headers=personas.admin.headers(),
        )
        assert _register(personas, fleet.url, ["shop-qa"]).updated == ["shop-qa"]
        assert _demo_environments(personas)["shop-qa"]["healthCheck"]["interval"] == 10

    def test_an_environment_of_the_same_name_not_tagged_demo_is_left_alone(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        created = personas.client.post(
            "/api/v1/environments",
            json={"name": "shop-prod", "description": "the real one"},
            headers=personas.admin.headers(),
        )
        assert created.status_code == 201
        result = _register(personas, fleet.url, ["shop-prod", "shop-qa"])
        assert (result.skipped, result.created) == (["shop-prod"], ["shop-qa"])
        mine = personas.client.get(
            f"/api/v1/environments/{created.json()['id']}", headers=personas.admin.headers()
        ).json()
        assert mine["description"] == "the real one"

    def test_registrations_are_audited_as_the_demo(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        _register(personas, fleet.url, ["search-dev"])
        logs = personas.client.get(
            "/api/v1/logs", params={"action": "create"}, headers=personas.admin.headers()
        ).json()["logs"]
        assert [entry["message"] for entry in logs] == ["demo created environment search-dev"]


# --- the real command ---------------------------------------------------------------------


def _sign_in(url: str) -> dict[str, str]:
    response = httpx.post(f"{url}/api/v1/auth/login", json=ADMIN)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _wait_for_demo(url: str, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
    """Poll until `count` demo environments exist and each has been checked once."""
    deadline = time.monotonic() + 60
    envs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        envs = httpx.get(
            f"{url}/api/v1/environments",
            params={"tag": "demo", "limit": 200},
            headers=headers,
        ).json()["environments"]
        if len(envs) == count and all(e["status"]["lastCheck"] for e in envs):
            return envs
        time.sleep(0.5)
    raise AssertionError(f"the demo did not come up: {envs}")


def _fleet_url(output: str) -> str:
    found = re.search(r"Demo fleet: (http://127\.0\.0\.1:\d+)", output)
    assert found, output
    return found.group(1)


def test_serve_demo_starts_the_fleet_and_registers_it_again_on_a_new_port(
    tmp_path: Path,
) -> None:
    admin = {
        "ENVDECK_ADMIN_USERNAME": ADMIN["username"],
        "ENVDECK_ADMIN_PASSWORD": ADMIN["password"],
    }
    server = start_server(tmp_path, "--demo", "--demo-count", "14", env=admin)
    try:
        headers = _sign_in(server.url)
        envs = {e["name"]: e for e in _wait_for_demo(server.url, headers, 14)}
    finally:
        first_output = server.output()
    fleet_url = _fleet_url(first_output)
    assert envs["env-00014"]["healthCheck"]["resolvedEndpoint"] == (
        f"{fleet_url}/envs/env-00014/health"
    )
    assert envs["shop-prod"]["status"]["health"] == "healthy"
    assert envs["search-staging"]["status"]["health"] == "unhealthy"
    assert "environments tagged demo: 14 created" in first_output

    fixed_port = free_port()
    server = start_server(
        tmp_path, "--demo", "--demo-count", "14", "--demo-port", str(fixed_port), env=admin
    )
    try:
        headers = _sign_in(server.url)
        again = {e["name"]: e for e in _wait_for_demo(server.url, headers, 14)}
        fleet_health = httpx.get(f"http://127.0.0.1:{fixed_port}/envs/shop-prod/health").json()
    finally:
        second_output = server.output()
    assert {n: e["id"] for n, e in again.items()} == {n: e["id"] for n, e in envs.items()}
    assert again["shop-prod"]["healthCheck"]["resolvedEndpoint"].startswith(
        f"http://127.0.0.1:{fixed_port}/"
    )
    assert again["shop-prod"]["systemInfo"]["appVersion"] == "2.4.0"
    assert fleet_health == {"status": "ok", "version": "2.4.0"}
    assert "14 updated" in second_output


def test_envdeck_demo_is_serve_with_the_demo(tmp_path: Path) -> None:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    environ |= {
        "PORT": str(port),
        "ENVDECK_ADMIN_USERNAME": ADMIN["username"],
        "ENVDECK_ADMIN_PASSWORD": ADMIN["password"],
    }
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(ENVDECK), "demo"], cwd=tmp_path, env=environ, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            envs = _wait_for_demo(url, _sign_in(url), 12)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
        log.seek(0)
        output = log.read()
    assert sorted(e["name"] for e in envs) == sorted(NAMES)
    assert _fleet_url(output)
