"""GET /environments/{id}/commands/preview: the exact command a dialog asks to confirm."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import Personas
from tests.support.targets import Target

ABSENT_ID = "6b05a2c33c0ca6934944ef1e"
TOKEN = "tok-5ecret-value-1234"


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    server.reply("/versions", json_body=["1.10", "1.9", "1.0~rc1"])
    yield server
    server.stop()


def create(personas: Personas, name: str, **fields: Any) -> str:
    response = personas.client.post(
        "/api/v1/environments", json={"name": name, **fields}, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def preview(personas: Personas, environment_id: str, **params: str) -> Any:
    return personas.client.get(
        f"/api/v1/environments/{environment_id}/commands/preview",
        params=params,
        headers=personas.operator.headers(),
    )


def ssh_environment(personas: Personas, name: str = "ssh-box", **upgrade: Any) -> str:
    return create(
        personas,
        name,
        target={"host": "10.0.0.7", "port": 2222},
        credentials={"type": "key", "username": "deploy"},
        commands={
            "type": "ssh",
            "restart": {"enabled": True, "command": "cd /srv/app\nsudo -n systemctl restart app"},
        },
        upgradeConfig={
            "enabled": True,
            "type": "ssh",
            "upgradeCommand": {"command": "/srv/app/deploy.sh {VERSION} --tag='v{VERSION}'"},
            **upgrade,
        },
    )


def http_environment(personas: Personas, target: Target) -> str:
    return create(
        personas,
        "http-box",
        commands={
            "type": "http",
            "restart": {
                "enabled": True,
                "url": "https://ops.example.com/restart",
                "headers": {"Authorization": f"Bearer {TOKEN}"},
            },
        },
        upgradeConfig={
            "enabled": True,
            "type": "http",
            "versionListURL": target.url("/versions"),
            "upgradeCommand": {
                "url": "https://ops.example.com/deploy/{VERSION}?v={VERSION}",
                "method": "PUT",
                "headers": {"X-Api-Key": TOKEN, "X-Target": "{VERSION}"},
                "body": {"version": "{VERSION}", "password": "hunter2-secret"},
            },
        },
    )


class TestCommandPreview:
    def test_anonymous_callers_are_refused(self, personas: Personas) -> None:
        response = personas.client.get(
            f"/api/v1/environments/{ABSENT_ID}/commands/preview", params={"type": "restart"}
        )
        assert response.status_code == 401

    def test_viewers_are_refused(self, personas: Personas) -> None:
        response = personas.client.get(
            f"/api/v1/environments/{ABSENT_ID}/commands/preview",
            params={"type": "restart"},
            headers=personas.viewer.headers(),
        )
        assert response.status_code == 403

    def test_a_missing_environment_is_not_found(self, personas: Personas) -> None:
        assert preview(personas, ABSENT_ID, type="restart").status_code == 404

    def test_an_unknown_type_is_refused(self, personas: Personas) -> None:
        environment_id = ssh_environment(personas)
        response = preview(personas, environment_id, type="reboot")
        assert response.status_code == 422

    def test_it_shows_the_ssh_restart_script_as_configured(self, personas: Personas) -> None:
        environment_id = ssh_environment(personas)
        response = preview(personas, environment_id, type="restart")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "type": "ssh",
            "command": "cd /srv/app\nsudo -n systemctl restart app",
            "target": "deploy@10.0.0.7:2222",
        }

    def test_it_quotes_the_version_in_an_ssh_upgrade(self, personas: Personas) -> None:
        environment_id = ssh_environment(personas)
        response = preview(personas, environment_id, type="upgrade", version="1.0~rc1")
        assert response.status_code == 200, response.text
        # A bare {VERSION} becomes one shell word; inside quotes it is inserted as is.
        assert response.json()["command"] == "/srv/app/deploy.sh '1.0~rc1' --tag='v1.0~rc1'"

    def test_without_a_version_the_placeholder_stays(self, personas: Personas) -> None:
        environment_id = ssh_environment(personas)
        response = preview(personas, environment_id, type="upgrade")
        assert response.json()["command"] == "/srv/app/deploy.sh {VERSION} --tag='v{VERSION}'"

    @pytest.mark.parametrize(
        "version", ["1.0; reboot", "$(id)", "`id`", "1.0\nreboot", "--help", "1.0 && rm -rf /"]
    )
    def test_a_hostile_version_is_refused(self, personas: Personas, version: str) -> None:
        environment_id = ssh_environment(personas)
        response = preview(personas, environment_id, type="upgrade", version=version)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["message"].startswith("invalid version")
        assert error["details"]["field"] == "version"

    def test_it_masks_secrets_in_an_http_restart(self, personas: Personas, target: Target) -> None:
        environment_id = http_environment(personas, target)
        response = preview(personas, environment_id, type="restart")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "type": "http",
            "request": {
                "method": "POST",
                "url": "https://ops.example.com/restart",
                "headers": {"Authorization": "********"},
            },
        }
        assert TOKEN not in response.text

    def test_it_encodes_the_version_and_masks_secrets_in_an_http_upgrade(
        self, personas: Personas, target: Target
    ) -> None:
        environment_id = http_environment(personas, target)
        response = preview(personas, environment_id, type="upgrade", version="1.0~rc1")
        assert response.status_code == 200, response.text
        assert response.json()["request"] == {
            "method": "PUT",
            "url": "https://ops.example.com/deploy/1.0~rc1?v=1.0~rc1",
            "headers": {"X-Api-Key": "********", "X-Target": "1.0~rc1"},
            "body": {"version": "1.0~rc1", "password": "********"},
        }
        assert TOKEN not in response.text
        assert "hunter2" not in response.text

    def test_a_version_outside_the_list_is_refused(
        self, personas: Personas, target: Target
    ) -> None:
        environment_id = http_environment(personas, target)
        response = preview(personas, environment_id, type="upgrade", version="1.1")
        assert response.status_code == 422
        assert (
            "not one of the environment's available versions"
            in (response.json()["error"]["message"])
        )
        # Exact comparison: "1.10" is listed, "1.1" is not.
        assert preview(personas, environment_id, type="upgrade", version="1.10").status_code == 200

    def test_a_disabled_command_is_refused_clearly(self, personas: Personas) -> None:
        environment_id = create(personas, "bare")
        response = preview(personas, environment_id, type="restart")
        assert response.status_code == 422
        assert response.json()["error"]["message"] == "restart is not enabled for bare"
        response = preview(personas, environment_id, type="upgrade", version="1.0")
        assert response.json()["error"]["message"] == "upgrade is not enabled for bare"
