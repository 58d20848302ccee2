"""User administration: real roles, and never without an active admin."""

from tests.integration.conftest import Personas

STRONG = "cobalt-willow-river-83"


def test_creates_a_user_with_the_role_asked_for(personas: Personas) -> None:
    client = personas.client
    response = client.post(
        "/api/v1/users",
        json={
            "username": "vera",
            "role": "viewer",
            "email": "vera@example.com",
            "password": STRONG,
        },
        headers=personas.admin.headers(),
    )
    assert response.status_code == 201
    assert response.json()["role"] == "viewer"
    assert response.json()["mustChangePassword"] is False
    shown = response.text.lower().replace('"mustchangepassword"', "")
    assert "password" not in shown.replace('"password', "")


def test_a_user_without_a_role_becomes_a_viewer_not_an_admin(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/users",
        json={"username": "nora", "password": STRONG},
        headers=personas.admin.headers(),
    )
    assert response.json()["role"] == "viewer"


def test_refuses_a_duplicate_username_or_email(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    dup_name = client.post(
        "/api/v1/users", json={"username": "OLIVE", "password": STRONG}, headers=headers
    )
    assert dup_name.status_code == 409
    assert dup_name.json()["error"]["code"] == "ALREADY_EXISTS"
    dup_mail = client.post(
        "/api/v1/users",
        json={"username": "other", "email": "Admin@Example.com", "password": STRONG},
        headers=headers,
    )
    assert dup_mail.status_code == 409


def test_lists_with_search_and_pagination(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    page = client.get("/api/v1/users?limit=2&page=1", headers=headers).json()
    assert page["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert [u["username"] for u in page["users"]] == ["admin", "olive"]
    found = client.get("/api/v1/users?q=VIC", headers=headers).json()
    assert [u["username"] for u in found["users"]] == ["victor"]
    viewers = client.get("/api/v1/users?role=viewer", headers=headers).json()
    assert viewers["pagination"]["total"] == 1


def test_rejects_bad_paging(personas: Personas) -> None:
    response = personas.client.get("/api/v1/users?limit=500", headers=personas.admin.headers())
    assert response.status_code == 422


def test_updates_role_active_and_email(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    url = f"/api/v1/users/{personas.viewer.user_id}"
    updated = client.patch(url, json={"role": "user", "email": "v@example.com"}, headers=headers)
    assert updated.status_code == 200
    assert (updated.json()["role"], updated.json()["email"]) == ("user", "v@example.com")
    cleared = client.patch(url, json={"email": None}, headers=headers)
    assert cleared.json()["email"] is None
    assert client.get(url, headers=headers).json()["role"] == "user"


def test_nobody_can_delete_themselves(personas: Personas) -> None:
    response = personas.client.delete(
        f"/api/v1/users/{personas.admin.user_id}", headers=personas.admin.headers()
    )
    assert response.status_code == 409


def test_the_last_admin_cannot_be_demoted_or_deactivated(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    url = f"/api/v1/users/{personas.admin.user_id}"
    for change in ({"role": "user"}, {"active": False}):
        response = client.patch(url, json=change, headers=headers)
        assert response.status_code == 409
        assert response.json()["error"]["details"]["reason"] == "last_admin"
    assert client.get(url, headers=headers).json()["role"] == "admin"


def test_an_admin_can_step_down_once_another_admin_exists(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    client.patch(
        f"/api/v1/users/{personas.operator.user_id}", json={"role": "admin"}, headers=headers
    )
    response = client.patch(
        f"/api/v1/users/{personas.admin.user_id}", json={"role": "viewer"}, headers=headers
    )
    assert response.status_code == 200


def test_the_last_admin_cannot_be_deleted_by_another_path(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    # Promote olive, then olive deletes admin: fine; then nobody may remove olive.
    client.patch(
        f"/api/v1/users/{personas.operator.user_id}", json={"role": "admin"}, headers=headers
    )
    olive = client.post(
        "/api/v1/auth/login", json={"username": "olive", "password": personas.operator.password}
    ).json()["token"]
    olive_headers = {"Authorization": f"Bearer {olive}"}
    assert (
        client.delete(f"/api/v1/users/{personas.admin.user_id}", headers=olive_headers).status_code
        == 204
    )
    demote = client.patch(
        f"/api/v1/users/{personas.operator.user_id}", json={"active": False}, headers=olive_headers
    )
    assert demote.status_code == 409


def test_reset_password_ends_the_users_sessions(personas: Personas) -> None:
    client = personas.client
    response = client.post(
        f"/api/v1/users/{personas.operator.user_id}/password/reset",
        json={"password": STRONG},
        headers=personas.admin.headers(),
    )
    assert response.status_code == 204
    assert client.get("/api/v1/auth/me", headers=personas.operator.headers()).status_code == 401
    login = client.post("/api/v1/auth/login", json={"username": "olive", "password": STRONG})
    assert login.status_code == 200


def test_an_admin_clears_a_sign_in_lock_at_once(personas: Personas) -> None:
    client, victor = personas.client, personas.viewer
    attempts = personas.settings.auth.login_attempts
    for _ in range(attempts):
        wrong = {"username": "victor", "password": "not-the-password-4411"}
        assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
    right = {"username": "victor", "password": victor.password}
    assert client.post("/api/v1/auth/login", json=right).status_code == 429

    unlocked = client.post(
        f"/api/v1/users/{victor.user_id}/unlock", headers=personas.admin.headers()
    )

    assert unlocked.status_code == 204
    assert client.post("/api/v1/auth/login", json=right).status_code == 200
    logs = client.get(
        "/api/v1/logs", params={"action": "login_unlock"}, headers=personas.admin.headers()
    ).json()["logs"]
    assert [entry["message"] for entry in logs] == ["admin cleared the failed sign-ins of victor"]
    missing = client.post(
        "/api/v1/users/6b05a2c33c0ca6934944ef1e/unlock", headers=personas.admin.headers()
    )
    assert missing.status_code == 404


def test_missing_and_malformed_ids_are_404(personas: Personas) -> None:
    headers = personas.admin.headers()
    for user_id in ("6b05a2c33c0ca6934944ef1e", "nope"):
        response = personas.client.get(f"/api/v1/users/{user_id}", headers=headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"


def test_refuses_a_malformed_email(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    created = client.post(
        "/api/v1/users",
        json={"username": "zed", "email": "not-an-email", "password": STRONG},
        headers=headers,
    )
    assert created.status_code == 422
    assert created.json()["error"]["details"]["fields"][0]["field"] == "email"
    patched = client.patch(
        f"/api/v1/users/{personas.viewer.user_id}", json={"email": "bad"}, headers=headers
    )
    assert patched.status_code == 422
