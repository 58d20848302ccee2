"""The versions API against the demo fleet, a real process on loopback."""

import time
from typing import Any

from tests.integration.conftest import Personas
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.server import free_port

SHOP_RELEASES = ["2.5.0", "2.4.1", "2.4.0", "2.3.1", "2.3.0", "2.2.0"]

fleet = fleet_fixture()


def _create(personas: Personas, name: str, **config: Any) -> str:
    response = personas.client.post(
        "/api/v1/environments", json={"name": name, **config}, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _listed(url: str, json_path: str | None = "$.versions[*]", **extra: Any) -> dict[str, Any]:
    return {"upgradeConfig": {"versionListURL": url, "jsonPathResponse": json_path, **extra}}


def _checked(running: FleetProcess, name: str) -> dict[str, Any]:
    return {
        "healthCheck": {
            "enabled": True,
            "endpoint": running.health_url(name),
            "interval": 3600,
            "validation": {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}},
            "versionJsonPath": "$.version",
        }
    }


def _wait_for_version(personas: Personas, environment_id: str, version: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        body: dict[str, Any] = personas.client.get(
            f"/api/v1/environments/{environment_id}/versions", headers=personas.viewer.headers()
        ).json()
        if body.get("currentVersion") == version or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


class TestEnvironmentVersions:
    def test_anonymous_callers_are_refused(self, personas: Personas) -> None:
        response = personas.client.get("/api/v1/environments/0123456789abcdef01234567/versions")
        assert response.status_code == 401

    def test_a_missing_environment_is_not_found(self, personas: Personas) -> None:
        response = personas.client.get(
            "/api/v1/environments/0123456789abcdef01234567/versions",
            headers=personas.viewer.headers(),
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"

    def test_an_environment_without_a_list_says_so(self, personas: Personas) -> None:
        environment_id = _create(personas, "bare")
        response = personas.client.get(
            f"/api/v1/environments/{environment_id}/versions", headers=personas.viewer.headers()
        )
        assert response.status_code == 422
        assert response.json()["error"] == {
            "code": "VALIDATION_ERROR",
            "message": "no version list configured",
            "details": {"field": "upgradeConfig.versionListURL"},
        }

    def test_it_lists_the_fleets_versions_newest_first(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        environment_id = _create(personas, "shop-qa", **_listed(fleet.versions_url("shop-qa")))
        response = personas.client.get(
            f"/api/v1/environments/{environment_id}/versions", headers=personas.viewer.headers()
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"currentVersion": None, "availableVersions": SHOP_RELEASES}

    def test_the_current_version_is_what_the_environment_reports(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        config = _listed(fleet.versions_url("shop-prod")) | _checked(fleet, "shop-prod")
        environment_id = _create(personas, "shop-prod", **config)
        checked = personas.client.post(
            f"/api/v1/environments/{environment_id}/check-health",
            headers=personas.operator.headers(),
        )
        assert checked.status_code == 200, checked.text
        body = _wait_for_version(personas, environment_id, "2.4.0")
        assert body == {"currentVersion": "2.4.0", "availableVersions": SHOP_RELEASES}

    def test_an_upstream_error_status_is_a_502_envelope(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        environment_id = _create(personas, "ghost", **_listed(fleet.versions_url("no-such-env")))
        response = personas.client.get(
            f"/api/v1/environments/{environment_id}/versions", headers=personas.viewer.headers()
        )
        assert response.status_code == 502
        error = response.json()["error"]
        assert error["code"] == "UPSTREAM_ERROR"
        assert error["message"] == "the version list answered HTTP 404"

    def test_an_unreachable_list_is_a_502_envelope(self, personas: Personas) -> None:
        url = f"http://127.0.0.1:{free_port()}/versions"
        environment_id = _create(personas, "offline", **_listed(url))
        response = personas.client.get(
            f"/api/v1/environments/{environment_id}/versions", headers=personas.viewer.headers()
        )
        assert response.status_code == 502
        assert response.json()["error"]["message"].startswith("version list: cannot connect")

    def test_a_path_that_matches_nothing_is_a_502_envelope(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        config = _listed(fleet.versions_url("shop-qa"), json_path="$.releases[*]")
        environment_id = _create(personas, "shop-qa", **config)
        response = personas.client.get(
            f"/api/v1/environments/{environment_id}/versions", headers=personas.viewer.headers()
        )
        assert response.status_code == 502
        assert "$.releases[*] matched nothing" in response.json()["error"]["message"]


class TestVersionsOverview:
    def test_anonymous_callers_are_refused(self, personas: Personas) -> None:
        assert personas.client.get("/api/v1/versions").status_code == 401

    def test_it_shows_each_listed_environment_with_its_latest_and_errors_per_row(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        prod = _create(
            personas,
            "shop-prod",
            tags=["shop"],
            **_listed(fleet.versions_url("shop-prod")) | _checked(fleet, "shop-prod"),
        )
        _create(personas, "shop-qa", tags=["shop"], **_listed(fleet.versions_url("shop-qa")))
        _create(personas, "broken", tags=["shop"], **_listed(fleet.versions_url("missing")))
        _create(personas, "unversioned", tags=["shop"])
        personas.client.post(
            f"/api/v1/environments/{prod}/check-health", headers=personas.admin.headers()
        )
        _wait_for_version(personas, prod, "2.4.0")

        response = personas.client.get(
            "/api/v1/versions", params={"tag": "shop"}, headers=personas.viewer.headers()
        )
        assert response.status_code == 200, response.text
        body = response.json()
        rows = {row["environmentName"]: row for row in body["versions"]}
        assert list(rows) == ["broken", "shop-prod", "shop-qa"]
        assert rows["shop-prod"] | {"environmentId": ""} == {
            "environmentId": "",
            "environmentName": "shop-prod",
            "currentVersion": "2.4.0",
            "latestVersion": "2.5.0",
            "behindBy": 2,
            "error": None,
        }
        assert rows["shop-prod"]["environmentId"] == prod
        assert (rows["shop-qa"]["latestVersion"], rows["shop-qa"]["behindBy"]) == ("2.5.0", None)
        assert rows["broken"]["error"] == "the version list answered HTTP 404"
        assert rows["broken"]["latestVersion"] is None
        assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "totalPages": 1}

    def test_it_pages_the_rows(self, personas: Personas, fleet: FleetProcess) -> None:
        for name in ("shop-dev", "shop-qa", "shop-staging"):
            _create(personas, name, **_listed(fleet.versions_url(name)))
        response = personas.client.get(
            "/api/v1/versions", params={"page": 2, "limit": 2}, headers=personas.viewer.headers()
        )
        body = response.json()
        assert [row["environmentName"] for row in body["versions"]] == ["shop-staging"]
        assert body["pagination"] == {"page": 2, "limit": 2, "total": 3, "totalPages": 2}

    def test_behind_only_keeps_the_environments_behind_their_newest_version(
        self, personas: Personas, fleet: FleetProcess
    ) -> None:
        ids = {
            name: _create(
                personas, name, **_listed(fleet.versions_url(name)) | _checked(fleet, name)
            )
            for name in ("shop-dev", "shop-staging", "shop-prod")
        }
        _create(personas, "broken", **_listed(fleet.versions_url("missing")))
        for name, version in (("shop-dev", "2.5.0"), ("shop-staging", "2.4.1")):
            personas.client.post(
                f"/api/v1/environments/{ids[name]}/check-health", headers=personas.admin.headers()
            )
            _wait_for_version(personas, ids[name], version)
        personas.client.post(
            f"/api/v1/environments/{ids['shop-prod']}/check-health",
            headers=personas.admin.headers(),
        )
        _wait_for_version(personas, ids["shop-prod"], "2.4.0")

        response = personas.client.get(
            "/api/v1/versions",
            params={"behind": "true", "limit": 1},
            headers=personas.viewer.headers(),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        # Up to date (shop-dev) and unknown (broken) are left out; the rest is paged.
        assert [(r["environmentName"], r["behindBy"]) for r in body["versions"]] == [
            ("shop-prod", 2)
        ]
        assert body["pagination"] == {"page": 1, "limit": 1, "total": 2, "totalPages": 2}
        second = personas.client.get(
            "/api/v1/versions",
            params={"behind": "true", "limit": 1, "page": 2},
            headers=personas.viewer.headers(),
        ).json()
        assert [(r["environmentName"], r["behindBy"]) for r in second["versions"]] == [
            ("shop-staging", 1)
        ]

    def test_it_refuses_a_limit_above_200(self, personas: Personas) -> None:
        response = personas.client.get(
            "/api/v1/versions", params={"limit": 201}, headers=personas.viewer.headers()
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
