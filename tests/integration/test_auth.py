"""Sign in, sign out, and every request re-checking who is calling."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.log import LogListOptions, LogType
from tests.integration.conftest import ADMIN_PASSWORD, Personas, read_setup_token, sign_in


def me(client: TestClient, token: str) -> int:
    return client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_login_returns_a_token_the_user_and_its_expiry(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/auth/login", json={"username": "olive", "password": personas.operator.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "olive"
    assert body["user"]["role"] == "user"
    assert "passwordHash" not in body["user"]
    assert body["expiresAt"].endswith("Z")
    assert body["user"]["lastLogin"] is not None


def test_login_accepts_the_email_too(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/auth/login", json={"username": "ADMIN@example.com", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200


def test_unknown_user_wrong_password_and_inactive_account_look_alike(personas: Personas) -> None:
    client = personas.client
    client.patch(
        f"/api/v1/users/{personas.viewer.user_id}",
        json={"active": False},
        headers=personas.admin.headers(),
    )
    answers = [
        client.post("/api/v1/auth/login", json={"username": name, "password": password})
        for name, password in (
            ("nobody", "whatever-it-is-123"),
            ("olive", "wrong-password-4567"),
            ("victor", personas.viewer.password),
        )
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.json()["error"]["message"] for a in answers}) == 1


def test_me_needs_a_token(client: TestClient) -> None:
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_logout_revokes_that_token_only(personas: Personas) -> None:
    client = personas.client
    other = sign_in(client, "olive", personas.operator.password)
    response = client.post("/api/v1/auth/logout", headers=personas.operator.headers())
    assert response.status_code == 204
    assert me(client, personas.operator.token) == 401
    assert me(client, other) == 200


def test_a_revoked_token_stays_revoked_after_a_restart(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    with TestClient(create_app(settings)) as client:
        setup = client.post(
            "/api/v1/setup",
            json={
                "token": read_setup_token(settings),
                "username": "admin",
                "password": ADMIN_PASSWORD,
            },
        )
        token = setup.json()["token"]
        assert (
            client.post(
                "/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 204
        )
    with TestClient(create_app(settings)) as client:
        assert me(client, token) == 401
        assert me(client, sign_in(client, "admin", ADMIN_PASSWORD)) == 200


def test_reactivating_a_user_revives_no_session_or_api_token(personas: Personas) -> None:
    client, admin, olive = personas.client, personas.admin, personas.operator
    created = client.post("/api/v1/tokens", json={"name": "ci"}, headers=olive.headers())
    api_token = created.json()["secret"]
    user_url = f"/api/v1/users/{olive.user_id}"

    for active in (False, True):
        changed = client.patch(user_url, json={"active": active}, headers=admin.headers())
        assert changed.status_code == 200, changed.text

    assert me(client, olive.token) == 401
    assert me(client, api_token) == 401
    tokens = client.get("/api/v1/tokens", params={"all": "true"}, headers=admin.headers())
    assert [t for t in tokens.json()["tokens"] if t["name"] == "ci"] == []
    # The user signs in again as usual, and that new session works.
    assert me(client, sign_in(client, "olive", olive.password)) == 200


def test_deactivating_a_user_stops_their_token_at_once(personas: Personas) -> None:
    client = personas.client
    assert me(client, personas.operator.token) == 200
    client.patch(
        f"/api/v1/users/{personas.operator.user_id}",
        json={"active": False},
        headers=personas.admin.headers(),
    )
    assert me(client, personas.operator.token) == 401


def test_deleting_a_user_stops_their_token_at_once(personas: Personas) -> None:
    client = personas.client
    client.delete(f"/api/v1/users/{personas.viewer.user_id}", headers=personas.admin.headers())
    assert me(client, personas.viewer.token) == 401


def test_a_role_change_ends_sessions_of_the_old_role(personas: Personas) -> None:
    client = personas.client
    client.patch(
        f"/api/v1/users/{personas.viewer.user_id}",
        json={"role": "admin"},
        headers=personas.admin.headers(),
    )
    assert me(client, personas.viewer.token) == 401
    promoted = sign_in(client, "victor", personas.viewer.password)
    users = client.get("/api/v1/users", headers={"Authorization": f"Bearer {promoted}"})
    assert users.status_code == 200


def test_changing_the_password_ends_other_sessions_and_returns_a_new_token(
    personas: Personas,
) -> None:
    client = personas.client
    other = sign_in(client, "olive", personas.operator.password)
    new_password = "saffron-glacier-meadow-64"
    response = client.post(
        "/api/v1/users/password/change",
        json={"currentPassword": personas.operator.password, "newPassword": new_password},
        headers=personas.operator.headers(),
    )
    assert response.status_code == 200, response.text
    assert me(client, other) == 401
    assert me(client, personas.operator.token) == 401
    assert me(client, response.json()["token"]) == 200
    assert sign_in(client, "olive", new_password)


def test_changing_the_password_needs_the_current_one(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/users/password/change",
        json={"currentPassword": "not-my-password-1", "newPassword": "saffron-glacier-meadow-64"},
        headers=personas.operator.headers(),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "currentPassword"


def test_too_many_failed_logins_are_rate_limited(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(ENVDECK_AUTH__LOGIN_ATTEMPTS="3", ENVDECK_AUTH__CLIENT_ATTEMPTS="5")
    with TestClient(create_app(settings)) as client:
        for _ in range(3):
            wrong = client.post(
                "/api/v1/auth/login", json={"username": "mallory", "password": "guess-1234567"}
            )
            assert wrong.status_code == 401
        limited = client.post(
            "/api/v1/auth/login", json={"username": "mallory", "password": "guess-1234567"}
        )
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "RATE_LIMITED"
        assert 0 < int(limited.headers["retry-after"]) <= 15 * 60
        # Another name from the same address has attempts of its own, up to the address's limit.
        others = [
            client.post(
                "/api/v1/auth/login", json={"username": "trudy", "password": "guess-1234567"}
            ).status_code
            for _ in range(3)
        ]
        assert others == [401, 401, 429]


def test_auth_events_are_in_the_activity_log_without_passwords(personas: Personas) -> None:
    client = personas.client
    wrong = "wrong-password-4567"
    client.post("/api/v1/auth/login", json={"username": "olive", "password": wrong})
    client.post("/api/v1/auth/logout", headers=personas.viewer.headers())
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(services.activity.flush)
    options = LogListOptions(type=LogType.AUTH, limit=200)
    entries, _ = client.portal.call(services.storage.logs.list, options)
    actions = {entry.action for entry in entries}
    assert {"setup", "user_create", "login", "login_failed", "logout"} <= actions
    failed = next(entry for entry in entries if entry.action == "login_failed")
    assert failed.username == "olive"
    assert failed.details["clientIp"]
    stored = " ".join(entry.model_dump_json() for entry in entries)
    for secret in (wrong, personas.operator.password, ADMIN_PASSWORD):
        assert secret not in stored
