"""The environment inventory over HTTP: validation, roles, filters, sealed header secrets."""

from typing import Any

import pytest

from envdeck.adapters.secret_box import is_sealed
from envdeck.domain.environment import HealthState, Status
from envdeck.domain.log import LogListOptions, LogType
from tests.integration.conftest import Personas
from tests.support.secrets import open_at

SECRET = "Bearer s3cr3t-health-token-0xC0FFEE"
AUTH = ("healthCheck", "headers", "Authorization")


def config(name: str = "staging", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "description": "Staging for the shop",
        "environmentURL": "https://staging.example.com/",
        "tags": ["eu", "shop"],
        "target": {"host": "10.0.0.5", "port": 22, "hostKeyPolicy": "tofu"},
        "healthCheck": {
            "enabled": True,
            "endpoint": "https://staging.example.com/health",
            "interval": 30,
            "timeout": 5,
            "headers": {"Authorization": SECRET, "Accept": "application/json"},
            "validation": {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}},
            "versionJsonPath": "$.version",
        },
        "commands": {
            "type": "ssh",
            "restart": {"enabled": True, "command": "systemctl restart shop"},
        },
        "upgradeConfig": {
            "enabled": True,
            "type": "ssh",
            "upgradeCommand": {"command": "deploy --version {VERSION}"},
        },
    }
    return body | overrides


def create(personas: Personas, body: dict[str, Any]) -> dict[str, Any]:
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def stored(personas: Personas, environment_id: str) -> Any:
    services = personas.client.app.state.services  # type: ignore[attr-defined]
    assert personas.client.portal is not None
    return personas.client.portal.call(services.storage.environments.get_by_id, environment_id)


def test_an_admin_creates_and_anyone_signed_in_reads(personas: Personas) -> None:
    created = create(personas, config())
    assert created["name"] == "staging"
    assert created["status"]["health"] == "unknown"
    for persona in (personas.viewer, personas.operator):
        got = personas.client.get(
            f"/api/v1/environments/{created['id']}", headers=persona.headers()
        )
        assert got.status_code == 200
        assert got.json()["healthCheck"]["interval"] == 30


def test_only_admins_write(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/environments", json=config(), headers=personas.operator.headers()
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "has space"}, "name"),
        ({"target": {"host": "h", "port": 70000}}, "target.port"),
        ({"healthCheck": {"interval": 5}}, "healthCheck.interval"),
        ({"healthCheck": {"interval": 30, "timeout": 30}}, "healthCheck"),
        (
            {"healthCheck": {"validation": {"type": "jsonRegex", "value": "(open"}}},
            "healthCheck.validation",
        ),
        ({"healthCheck": {"versionJsonPath": "$["}}, "healthCheck.versionJsonPath"),
        ({"healthCheck": {"method": "BREW"}}, "healthCheck.method"),
        ({"environmentURL": "not a url"}, "environmentURL"),
        (
            {"upgradeConfig": {"enabled": True, "upgradeCommand": {"command": "deploy latest"}}},
            "upgradeConfig",
        ),
    ],
)
def test_refuses_invalid_configuration_naming_the_field(
    personas: Personas, change: dict[str, Any], field: str
) -> None:
    body = config()
    for key, value in change.items():
        body[key] = value if not isinstance(value, dict) else {**body.get(key, {}), **value}
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert any(f.startswith(field) for f in fields), fields


def test_ignores_server_set_fields_on_input(personas: Personas) -> None:
    body = config(
        id="6b05a2c33c0ca6934944ef1e",
        status={"health": "healthy", "message": "trust me"},
        systemInfo={"appVersion": "9.9.9"},
        timestamps={"createdAt": "2001-01-01T00:00:00Z"},
    )
    created = create(personas, body)
    assert created["id"] != "6b05a2c33c0ca6934944ef1e"
    assert created["status"]["health"] == "unknown"
    assert created["systemInfo"]["appVersion"] == ""
    assert not created["timestamps"]["createdAt"].startswith("2001")


def test_refuses_a_duplicate_name(personas: Personas) -> None:
    create(personas, config())
    response = personas.client.post(
        "/api/v1/environments", json=config(), headers=personas.admin.headers()
    )
    assert response.status_code == 409


def test_refuses_an_unknown_credential(personas: Personas) -> None:
    body = config(
        credentials={"type": "key", "username": "deploy", "keyId": "6b05a2c33c0ca6934944ef1e"}
    )
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "credentials.keyId"


def test_secret_headers_are_sealed_at_rest_and_masked_in_answers(personas: Personas) -> None:
    created = create(personas, config())
    assert created["healthCheck"]["headers"] == {
        "Authorization": "********",
        "Accept": "application/json",
    }
    raw = stored(personas, created["id"]).health_check.headers
    assert is_sealed(raw["Authorization"])
    box = personas.client.app.state.services.box  # type: ignore[attr-defined]
    assert open_at(box, created["id"], raw["Authorization"], *AUTH) == SECRET
    assert raw["Accept"] == "application/json"


def test_sending_the_mask_back_keeps_the_secret_and_a_new_value_replaces_it(
    personas: Personas,
) -> None:
    created = create(personas, config())
    url, headers = f"/api/v1/environments/{created['id']}", personas.admin.headers()
    box = personas.client.app.state.services.box  # type: ignore[attr-defined]

    edited = dict(created, description="edited in the form")
    assert personas.client.put(url, json=edited, headers=headers).status_code == 200
    sealed = stored(personas, created["id"]).health_check.headers["Authorization"]
    assert open_at(box, created["id"], sealed, *AUTH) == SECRET

    patch = {"healthCheck": {"headers": {"Authorization": "Bearer rotated-1", "Accept": "*/*"}}}
    assert personas.client.patch(url, json=patch, headers=headers).status_code == 200
    sealed = stored(personas, created["id"]).health_check.headers["Authorization"]
    assert open_at(box, created["id"], sealed, *AUTH) == "Bearer rotated-1"


def test_the_mask_without_a_stored_value_is_refused(personas: Personas) -> None:
    body = config()
    body["healthCheck"]["headers"] = {"X-Api-Key": "********"}
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 422


def test_patch_changes_only_what_it_names_and_keeps_status(personas: Personas) -> None:
    created = create(personas, config())
    client = personas.client
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(
        services.storage.environments.update_status,
        created["id"],
        Status(health=HealthState.HEALTHY),
    )
    response = client.patch(
        f"/api/v1/environments/{created['id']}",
        json={
            "description": None,
            "healthCheck": {"interval": 60},
            "status": {"health": "unhealthy"},
        },
        headers=personas.admin.headers(),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["description"] == ""
    assert body["healthCheck"]["interval"] == 60
    assert body["healthCheck"]["timeout"] == 5
    assert body["tags"] == ["eu", "shop"]
    assert body["status"]["health"] == "healthy"


def test_patch_validates_the_result(personas: Personas) -> None:
    created = create(personas, config())
    response = personas.client.patch(
        f"/api/v1/environments/{created['id']}",
        json={"healthCheck": {"timeout": 45}},
        headers=personas.admin.headers(),
    )
    assert response.status_code == 422


def test_lists_with_filters_sorts_and_a_summary(personas: Personas) -> None:
    client, headers = personas.client, personas.viewer.headers()
    a = create(personas, config("alpha", tags=["eu"], description="Payments"))
    create(personas, config("bravo", tags=["us"]))
    create(personas, config("charlie", tags=["eu", "prod"]))
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(
        services.storage.environments.update_status, a["id"], Status(health=HealthState.UNHEALTHY)
    )

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/environments?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [e["name"] for e in response.json()["environments"]]

    assert names("tag=eu") == ["alpha", "charlie"]
    assert names("q=PAYMENT") == ["alpha"]
    assert names("status=unhealthy") == ["alpha"]
    assert names("sort=-createdAt") == ["charlie", "bravo", "alpha"]
    assert names("sort=health")[0] == "alpha"
    assert names("limit=1&page=2") == ["bravo"]
    assert client.get("/api/v1/environments?sort=colour", headers=headers).status_code == 422
    summary = client.get("/api/v1/environments/summary", headers=headers).json()
    assert summary == {
        "total": 3,
        "byHealth": {"healthy": 0, "unhealthy": 1, "unknown": 2},
        "byTag": {"eu": 2, "prod": 1, "us": 1},
    }


def test_changes_are_audited_with_a_masked_diff_and_deletes_keep_the_log(
    personas: Personas,
) -> None:
    client, headers = personas.client, personas.admin.headers()
    created = create(personas, config())
    url = f"/api/v1/environments/{created['id']}"
    client.patch(
        url,
        json={
            "healthCheck": {"interval": 45, "headers": {"Authorization": "Bearer next-secret-9"}}
        },
        headers=headers,
    )
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(services.activity.flush)
    options = LogListOptions(type=LogType.ACTION, environment_id=created["id"])
    entries, _ = client.portal.call(services.storage.logs.list, options)
    assert [e.action for e in entries] == ["delete", "update", "create"]
    changes = entries[1].details["changes"]
    assert changes["healthCheck.interval"] == {"before": 30, "after": 45}
    assert changes["healthCheck.headers.Authorization"] == {
        "before": "********",
        "after": "********",
    }
    everything = " ".join(e.model_dump_json() for e in entries)
    assert SECRET not in everything
    assert "next-secret-9" not in everything


def test_publishes_masked_environment_events(personas: Personas) -> None:
    client = personas.client
    services = client.app.state.services  # type: ignore[attr-defined]
    seen: list[Any] = []

    async def on_event(event: Any) -> None:
        seen.append(event)

    assert client.portal is not None
    client.portal.call(lambda: _subscribe(services.bus, on_event))
    created = create(personas, config())
    client.delete(f"/api/v1/environments/{created['id']}", headers=personas.admin.headers())
    client.portal.call(services.bus.drain)
    assert [e.action for e in seen] == ["created", "deleted"]
    assert all(SECRET not in e.environment.model_dump_json() for e in seen)


async def _subscribe(bus: Any, handler: Any) -> None:
    bus.subscribe("test", handler, topics={"environment.changed"})


def test_lists_and_counts_show_every_change_at_once(personas: Personas) -> None:
    # List pages and the summary are shared between callers; no caller may see a stale one.
    viewer = personas.viewer.headers()
    client = personas.client

    def names() -> list[str]:
        page = client.get("/api/v1/environments", headers=viewer).json()
        return [e["name"] for e in page["environments"]]

    def unhealthy() -> int:
        summary = client.get("/api/v1/environments/summary", headers=viewer).json()
        return int(summary["byHealth"]["unhealthy"])

    assert (names(), unhealthy()) == ([], 0)
    created = create(personas, config("alpha"))
    assert (names(), unhealthy()) == (["alpha"], 0)

    services = client.app.state.services  # type: ignore[attr-defined]
    failing = Status(health=HealthState.UNHEALTHY, message="HTTP 503")
    assert client.portal is not None
    client.portal.call(services.storage.environments.update_status, created["id"], failing)
    assert unhealthy() == 1
    listed = client.get("/api/v1/environments", headers=viewer).json()["environments"]
    assert listed[0]["status"]["health"] == "unhealthy"

    client.patch(
        f"/api/v1/environments/{created['id']}",
        json={"name": "beta"},
        headers=personas.admin.headers(),
    ).raise_for_status()
    assert names() == ["beta"]
    client.delete(
        f"/api/v1/environments/{created['id']}", headers=personas.admin.headers()
    ).raise_for_status()
    assert (names(), unhealthy()) == ([], 0)


def test_a_list_page_is_compressed_for_callers_that_accept_gzip(personas: Personas) -> None:
    for i in range(12):
        create(personas, config(f"env-{i:02d}"))
    url = "/api/v1/environments?limit=50"
    viewer = personas.viewer.headers()
    packed = personas.client.get(url, headers=viewer | {"Accept-Encoding": "gzip"})
    plain = personas.client.get(url, headers=viewer | {"Accept-Encoding": "identity"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    # httpx decompresses: both callers read the same page.
    assert packed.json() == plain.json()
    assert len(packed.json()["environments"]) == 12
