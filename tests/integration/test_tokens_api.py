"""API tokens: shown once, stored hashed, never above their creator, revocable."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings
from tests.integration.conftest import Personas


def create_token(personas: Personas, headers: dict[str, str], **body: object) -> dict[str, object]:
    response = personas.client.post("/api/v1/tokens", json={"name": "ci", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def bearer(secret: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_new_token_works_everywhere_a_login_token_does(personas: Personas) -> None:
    created = create_token(personas, personas.operator.headers())
    secret = created["secret"]
    assert isinstance(secret, str)
    assert secret.startswith("edk_")
    me = personas.client.get("/api/v1/auth/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["username"] == "olive"


def test_the_secret_is_shown_once_and_never_listed(personas: Personas) -> None:
    created = create_token(personas, personas.operator.headers())
    listed = personas.client.get("/api/v1/tokens", headers=personas.operator.headers())
    assert created["secret"] not in listed.text
    token = listed.json()["tokens"][0]
    assert token["name"] == "ci"
    assert "hash" not in token
    assert "secret" not in token
    assert str(created["secret"]).startswith(token["prefix"])


def test_records_when_a_token_was_last_used(personas: Personas) -> None:
    created = create_token(personas, personas.operator.headers())
    personas.client.get("/api/v1/auth/me", headers=bearer(created["secret"]))
    listed = personas.client.get("/api/v1/tokens", headers=personas.operator.headers()).json()
    assert listed["tokens"][0]["lastUsedAt"] is not None


def test_a_token_never_has_a_higher_role_than_its_creator(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/tokens", json={"name": "x", "role": "admin"}, headers=personas.viewer.headers()
    )
    assert response.status_code == 403


def test_a_lower_role_token_acts_with_that_role(personas: Personas) -> None:
    created = create_token(personas, personas.admin.headers(), role="viewer")
    users = personas.client.get("/api/v1/users", headers=bearer(created["secret"]))
    assert users.status_code == 403


def test_a_token_follows_its_user_demotion(personas: Personas) -> None:
    created = create_token(personas, personas.operator.headers())
    client, admin = personas.client, personas.admin.headers()
    client.patch(
        f"/api/v1/users/{personas.operator.user_id}", json={"active": False}, headers=admin
    )
    assert client.get("/api/v1/auth/me", headers=bearer(created["secret"])).status_code == 401


def test_revoking_stops_the_token(personas: Personas) -> None:
    created = create_token(personas, personas.operator.headers())
    token = created["token"]
    assert isinstance(token, dict)
    response = personas.client.delete(
        f"/api/v1/tokens/{token['id']}", headers=personas.operator.headers()
    )
    assert response.status_code == 204
    assert (
        personas.client.get("/api/v1/auth/me", headers=bearer(created["secret"])).status_code == 401
    )


def test_users_cannot_see_or_revoke_each_others_tokens(personas: Personas) -> None:
    created = create_token(personas, personas.operator.headers())
    token = created["token"]
    assert isinstance(token, dict)
    viewer = personas.viewer.headers()
    assert personas.client.get("/api/v1/tokens", headers=viewer).json()["tokens"] == []
    assert personas.client.get("/api/v1/tokens?all=true", headers=viewer).status_code == 403
    assert (
        personas.client.delete(f"/api/v1/tokens/{token['id']}", headers=viewer).status_code == 404
    )
    every = personas.client.get("/api/v1/tokens?all=true", headers=personas.admin.headers()).json()
    assert [t["id"] for t in every["tokens"]] == [token["id"]]


def test_an_expired_token_is_refused(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/tokens",
        json={"name": "old", "expiresAt": "2020-01-01T00:00:00Z"},
        headers=personas.operator.headers(),
    )
    assert response.status_code == 422


def test_api_tokens_cannot_mint_more_tokens(personas: Personas) -> None:
    created = create_token(personas, personas.operator.headers())
    response = personas.client.post(
        "/api/v1/tokens", json={"name": "child"}, headers=bearer(created["secret"])
    )
    assert response.status_code == 403


def test_an_unknown_api_token_is_401(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me", headers=bearer("edk_not-a-real-token")).status_code == 401


def test_tokens_survive_a_restart(
    personas: Personas, make_settings: Callable[..., Settings]
) -> None:
    created = create_token(personas, personas.operator.headers())
    with TestClient(create_app(personas.settings)) as fresh:
        assert fresh.get("/api/v1/auth/me", headers=bearer(created["secret"])).status_code == 200
