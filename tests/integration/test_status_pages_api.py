"""Status pages over HTTP: admins manage them; anyone reads a public one, signed-in users a
private one; nothing secret of an environment is in the answer; answers come from a cache."""

from datetime import timedelta
from typing import Any

import pytest

from envdeck.domain.clock import utc_now
from envdeck.domain.environment import HealthState, Status, SystemInfo
from envdeck.domain.health import HealthSample
from tests.integration.conftest import Personas

SECRET_HEADER = "Bearer s3cr3t-health-token-0xC0FFEE"
URL_PASSWORD = "hunter2-url-password"
HOST = "10.0.0.5"
METADATA_VALUE = "team-payments-oncall"


def services(personas: Personas) -> Any:
    return personas.client.app.state.services  # type: ignore[attr-defined]


def call(personas: Personas, method: Any, *args: Any) -> Any:
    assert personas.client.portal is not None
    return personas.client.portal.call(method, *args)


def create_environment(personas: Personas, name: str, tags: list[str]) -> dict[str, Any]:
    body = {
        "name": name,
        "description": "internal notes about the box",
        "environmentURL": f"https://deploy:{URL_PASSWORD}@{name}.corp.example/",
        "tags": tags,
        "metadata": {"owner": METADATA_VALUE},
        "target": {"host": HOST, "port": 22, "hostKeyPolicy": "tofu"},
        "healthCheck": {
            "enabled": False,
            "endpoint": f"https://{name}.corp.example/health",
            "headers": {"Authorization": SECRET_HEADER},
        },
    }
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def set_state(personas: Personas, environment_id: str, health: HealthState, version: str) -> None:
    repository = services(personas).storage.environments
    status = Status(
        health=health,
        last_check=utc_now(),
        since=utc_now() - timedelta(hours=2),
        message=f"connection refused by {HOST}:8443",
        status_code=503,
    )
    call(personas, repository.update_status, environment_id, status)
    call(personas, repository.update_system_info, environment_id, SystemInfo(app_version=version))


def record_day(personas: Personas, environment_id: str, days_ago: int, healthy: int) -> None:
    """Record 4 checks on a day, `healthy` of them healthy."""
    day = utc_now().replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    samples = [
        HealthSample(
            environment_id=environment_id,
            timestamp=day + timedelta(minutes=n),
            health=HealthState.HEALTHY if n < healthy else HealthState.UNHEALTHY,
            message="" if n < healthy else f"timeout talking to {HOST}",
        )
        for n in range(4)
    ]
    call(personas, services(personas).storage.health_samples.record, samples)


def create_page(personas: Personas, **overrides: Any) -> dict[str, Any]:
    body = {"slug": "shop", "title": "Shop", "scope": {"tags": ["shop"]}, "public": True}
    response = personas.client.post(
        "/api/v1/status-pages", json=body | overrides, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def read(personas: Personas, slug: str, headers: dict[str, str] | None = None) -> Any:
    return personas.client.get(f"/api/v1/status/{slug}", headers=headers or {})


# --- managing pages -------------------------------------------------------------------------


def test_managing_pages_needs_signing_in(personas: Personas) -> None:
    response = personas.client.get("/api/v1/status-pages")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_only_admins_manage_pages(personas: Personas, role: str) -> None:
    headers = getattr(personas, role).headers()

    listed = personas.client.get("/api/v1/status-pages", headers=headers)
    created = personas.client.post(
        "/api/v1/status-pages",
        json={"slug": "shop", "title": "Shop", "scope": {"tags": ["shop"]}},
        headers=headers,
    )

    assert listed.status_code == created.status_code == 403
    assert created.json()["error"]["code"] == "FORBIDDEN"


def test_a_missing_page_is_not_found(personas: Personas) -> None:
    response = personas.client.patch(
        "/api/v1/status-pages/6b05a2c33c0ca6934944ef1e",
        json={"public": True},
        headers=personas.admin.headers(),
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Shop Page"}, "slug"),
        ({"slug": "-shop"}, "slug"),
        ({"title": "   "}, "title"),
        ({"scope": {}}, "scope"),
        ({"scope": {"tags": ["bad tag!"]}}, "scope.tags"),
        ({"scope": {"environmentIds": ["nope"]}}, "scope.environmentIds"),
    ],
)
def test_refuses_invalid_settings_with_the_error_envelope(
    personas: Personas, change: dict[str, Any], field: str
) -> None:
    body = {"slug": "shop", "title": "Shop", "scope": {"tags": ["shop"]}} | change

    response = personas.client.post(
        "/api/v1/status-pages", json=body, headers=personas.admin.headers()
    )

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in str(error["details"])


def test_refuses_a_slug_already_taken(personas: Personas) -> None:
    create_page(personas)

    response = personas.client.post(
        "/api/v1/status-pages",
        json={"slug": "shop", "title": "Another", "scope": {"tags": ["x"]}},
        headers=personas.admin.headers(),
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ALREADY_EXISTS"


def test_a_new_page_is_private_unless_made_public(personas: Personas) -> None:
    body = {"slug": "shop", "title": "Shop", "scope": {"tags": ["shop"]}}

    created = personas.client.post(
        "/api/v1/status-pages", json=body, headers=personas.admin.headers()
    ).json()

    assert created["public"] is False
    assert created["enabled"] is True
    assert created["createdBy"]["username"] == "admin"


def test_admins_list_change_and_delete_pages(personas: Personas) -> None:
    admin = personas.admin.headers()
    page = create_page(personas, public=False)

    changed = personas.client.patch(
        f"/api/v1/status-pages/{page['id']}", json={"public": True, "title": "Shop!"}, headers=admin
    )
    listed = personas.client.get("/api/v1/status-pages", params={"public": True}, headers=admin)
    deleted = personas.client.delete(f"/api/v1/status-pages/{page['id']}", headers=admin)
    after = personas.client.get(f"/api/v1/status-pages/{page['id']}", headers=admin)

    assert changed.status_code == 200, changed.text
    assert changed.json()["public"] is True
    assert [p["title"] for p in listed.json()["statusPages"]] == ["Shop!"]
    assert deleted.status_code == 204
    assert after.status_code == 404
    actions = personas.client.get(
        "/api/v1/logs", params={"q": "status page"}, headers=admin
    ).json()["logs"]
    assert {entry["action"] for entry in actions} >= {
        "status_page_create",
        "status_page_update",
        "status_page_delete",
    }


# --- reading pages --------------------------------------------------------------------------


def test_anyone_reads_a_public_page_with_health_version_and_90_days(personas: Personas) -> None:
    shop = create_environment(personas, "shop-prod", ["shop"])
    staging = create_environment(personas, "shop-staging", ["shop"])
    create_environment(personas, "billing-prod", ["billing"])
    set_state(personas, shop["id"], HealthState.HEALTHY, "2.4.1")
    set_state(personas, staging["id"], HealthState.UNHEALTHY, "2.5.0-rc1")
    record_day(personas, shop["id"], days_ago=1, healthy=3)
    record_day(personas, shop["id"], days_ago=0, healthy=4)
    create_page(personas, description="What runs where")

    response = read(personas, "shop")

    assert response.status_code == 200, response.text
    view = response.json()
    assert view["title"] == "Shop"
    assert view["description"] == "What runs where"
    assert view["overall"] == "unhealthy"
    assert [e["name"] for e in view["environments"]] == ["shop-prod", "shop-staging"]
    prod, stage = view["environments"]
    assert (prod["health"], prod["version"]) == ("healthy", "2.4.1")
    assert (stage["health"], stage["version"]) == ("unhealthy", "2.5.0-rc1")
    assert len(prod["days"]) == 90
    assert [d["uptime"] for d in prod["days"][-2:]] == [75.0, 100.0]
    assert prod["days"][0] == {"date": prod["days"][0]["date"], "uptime": None, "checks": 0}
    assert prod["uptime"] == 87.5
    assert stage["uptime"] is None
    assert response.headers["Cache-Control"].startswith("public, max-age=")


def test_a_public_page_shows_nothing_secret(personas: Personas) -> None:
    shop = create_environment(personas, "shop-prod", ["shop"])
    set_state(personas, shop["id"], HealthState.UNHEALTHY, "2.4.1")
    record_day(personas, shop["id"], days_ago=0, healthy=1)
    create_page(personas)

    text = read(personas, "shop").text

    for secret in (
        URL_PASSWORD,
        "corp.example",
        HOST,
        SECRET_HEADER,
        "s3cr3t",
        METADATA_VALUE,
        "internal notes",
        shop["id"],
        "connection refused",
        "timeout",
    ):
        assert secret not in text


def test_a_private_page_asks_anonymous_readers_to_sign_in(personas: Personas) -> None:
    create_environment(personas, "shop-prod", ["shop"])
    create_page(personas, public=False)

    anonymous = read(personas, "shop")
    viewer = read(personas, "shop", personas.viewer.headers())
    bad_token = read(personas, "shop", {"Authorization": "Bearer nope"})

    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHORIZED"
    assert bad_token.status_code == 401
    assert viewer.status_code == 200
    assert [e["name"] for e in viewer.json()["environments"]] == ["shop-prod"]
    assert "Cache-Control" not in viewer.headers or "public" not in viewer.headers["Cache-Control"]


def test_an_unknown_slug_cannot_be_told_from_a_private_page_anonymously(
    personas: Personas,
) -> None:
    anonymous = read(personas, "nothing-here")
    viewer = read(personas, "nothing-here", personas.viewer.headers())

    assert anonymous.status_code == 401
    assert viewer.status_code == 404
    assert viewer.json()["error"]["code"] == "NOT_FOUND"


def test_a_disabled_page_is_not_found(personas: Personas) -> None:
    create_page(personas, enabled=False)

    assert read(personas, "shop", personas.viewer.headers()).status_code == 404


def test_a_public_page_with_a_stale_token_still_reads(personas: Personas) -> None:
    create_page(personas)

    assert read(personas, "shop", {"Authorization": "Bearer expired"}).status_code == 200


def test_pages_are_served_from_a_cache_that_an_admin_change_clears(personas: Personas) -> None:
    shop = create_environment(personas, "shop-prod", ["shop"])
    set_state(personas, shop["id"], HealthState.HEALTHY, "2.4.1")
    page = create_page(personas)
    first = read(personas, "shop").json()

    # A refresh storm: every answer is the one built first, the new version not yet read.
    set_state(personas, shop["id"], HealthState.HEALTHY, "2.5.0")
    storm = [read(personas, "shop").json() for _ in range(20)]

    assert all(answer == first for answer in storm)
    assert first["environments"][0]["version"] == "2.4.1"

    personas.client.patch(
        f"/api/v1/status-pages/{page['id']}",
        json={"title": "Shop (live)"},
        headers=personas.admin.headers(),
    )
    after = read(personas, "shop").json()

    assert after["title"] == "Shop (live)"
    assert after["environments"][0]["version"] == "2.5.0"


def test_a_page_made_private_is_no_longer_served_anonymously_from_the_cache(
    personas: Personas,
) -> None:
    page = create_page(personas)
    assert read(personas, "shop").status_code == 200

    personas.client.patch(
        f"/api/v1/status-pages/{page['id']}",
        json={"public": False},
        headers=personas.admin.headers(),
    )

    assert read(personas, "shop").status_code == 401


def test_environments_named_by_id_join_those_of_the_tags(personas: Personas) -> None:
    create_environment(personas, "shop-prod", ["shop"])
    search = create_environment(personas, "search-prod", ["search"])
    create_page(personas, scope={"tags": ["shop"], "environmentIds": [search["id"]]})

    names = [e["name"] for e in read(personas, "shop").json()["environments"]]

    assert names == ["search-prod", "shop-prod"]
