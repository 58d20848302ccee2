"""What the API fuzzer (tests/fuzz/, docs/testing.md) found, each kept as a plain regression."""

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from envdeck.app import create_app
from envdeck.config import load_settings
from envdeck.domain.base import MAX_PAGE
from envdeck.domain.environment import EnvironmentListOptions
from envdeck.domain.log import LogListOptions
from envdeck.domain.user import UserListOptions
from tests.integration.conftest import Personas
from tests.support.server import free_port

LISTS = [
    "/api/v1/users",
    "/api/v1/tokens",
    "/api/v1/credentials",
    "/api/v1/environments",
    "/api/v1/logs",
    "/api/v1/operations",
    "/api/v1/versions",
    "/api/v1/maintenance-windows",
    "/api/v1/notifications/channels",
]
SEARCHES = ["/api/v1/users", "/api/v1/environments", "/api/v1/logs", "/api/v1/logs/count"]


def openapi() -> dict[str, Any]:
    document: dict[str, Any] = create_app(load_settings(environ={}), serve_ui=False).openapi()
    return document


def assert_refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize("url", LISTS)
def test_a_page_past_what_storage_can_skip_to_is_refused_not_a_500(
    personas: Personas, url: str
) -> None:
    headers = personas.admin.headers()

    last = personas.client.get(url, params={"page": MAX_PAGE}, headers=headers)
    beyond = personas.client.get(url, params={"page": 3737708810850}, headers=headers)

    assert last.status_code == 200, last.text
    assert_refused(beyond, 422, "VALIDATION_ERROR")


def test_a_body_that_is_not_utf8_is_refused_with_the_documented_400(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/users",
        content=b"\xff\xfe\x1f",
        headers=personas.admin.headers() | {"Content-Type": "application/json"},
    )

    assert_refused(response, 400, "VALIDATION_ERROR")
    operations = [op for path in openapi()["paths"].values() for op in path.values()]
    with_json_body = [
        op
        for op in operations
        if "application/json" in op.get("requestBody", {}).get("content", {})
    ]
    assert with_json_body
    assert all("400" in op["responses"] for op in with_json_body)


def test_the_export_is_the_file_structure_its_openapi_describes(personas: Personas) -> None:
    personas.client.post(
        "/api/v1/environments", json={"name": "web"}, headers=personas.admin.headers()
    )

    response = personas.client.get("/api/v1/environments/export", headers=personas.viewer.headers())

    documented = openapi()["paths"]["/api/v1/environments/export"]["get"]["responses"]["200"]
    schema = documented["content"]["application/yaml"]["schema"]
    exported = yaml.safe_load(response.text)
    assert schema["type"] == "object"
    assert set(schema["required"]) <= set(exported)
    assert exported["apiVersion"] in schema["properties"]["apiVersion"]["enum"]
    assert [environment["name"] for environment in exported["environments"]] == ["web"]


@pytest.mark.parametrize("url", SEARCHES)
def test_a_search_holding_a_nul_character_is_refused_not_a_500(
    personas: Personas, url: str
) -> None:
    # On SQLite the log's full-text query ended at the NUL: "unterminated string".
    response = personas.client.get(url, params={"q": "2Ç\x00"}, headers=personas.admin.headers())

    assert_refused(response, 422, "VALIDATION_ERROR")


@pytest.mark.parametrize("options", [LogListOptions, EnvironmentListOptions, UserListOptions])
def test_the_domain_refuses_a_nul_in_a_search_for_every_backend(options: type[Any]) -> None:
    # MongoDB's regular expressions cannot hold one either.
    with pytest.raises(ValidationError, match="NUL"):
        options(q="ab\x00c")


def test_a_preview_version_is_short_enough_for_any_url_to_carry(personas: Personas) -> None:
    created = personas.client.post(
        "/api/v1/environments", json={"name": "web"}, headers=personas.admin.headers()
    )
    url = f"/api/v1/environments/{created.json()['id']}/commands/preview"

    # 1025 four-byte characters would be 12 KB percent-encoded; 10240 of them passed uvicorn's
    # 64 KiB request line, which it refused as plain text.
    response = personas.client.get(
        url,
        params={"type": "upgrade", "version": "\U0002bc86" * 1025},
        headers=personas.admin.headers(),
    )

    assert_refused(response, 422, "VALIDATION_ERROR")


def test_an_ssh_username_saslprep_refuses_is_a_credential_error_not_a_500(
    personas: Personas,
) -> None:
    headers = personas.admin.headers()
    credential = personas.client.post(
        "/api/v1/credentials",
        json={"name": "odd", "type": "password", "username": "\U000b349f", "secret": "pw-123"},
        headers=headers,
    )
    assert credential.status_code == 201, credential.text
    environment = personas.client.post(
        "/api/v1/environments",
        json={
            "name": "box",
            "target": {"host": "127.0.0.1", "port": free_port(), "hostKeyPolicy": "tofu"},
            "credentials": {"type": "password", "keyId": credential.json()["id"]},
        },
        headers=headers,
    )
    assert environment.status_code == 201, environment.text
    url = f"/api/v1/environments/{environment.json()['id']}"

    for response in (
        personas.client.post(f"{url}/test-connection", headers=headers),
        personas.client.post(f"{url}/system-info/refresh", headers=headers),
    ):
        assert_refused(response, 502, "SSH_CREDENTIAL_INVALID")
        assert "SASLprep" in response.json()["error"]["message"]
