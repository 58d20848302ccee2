"""Changing one's own password: login sessions only, throttled like sign-ins, failures audited."""

from typing import Any

from tests.integration.conftest import ADMIN_PASSWORD, Persona, Personas, sign_in

NEW_PASSWORD = "saffron-glacier-meadow-64"
WRONG = "not-my-password-4411"


def change(personas: Personas, headers: dict[str, str], current: str) -> Any:
    return personas.client.post(
        "/api/v1/users/password/change",
        json={"currentPassword": current, "newPassword": NEW_PASSWORD},
        headers=headers,
    )


def failures(personas: Personas, persona: Persona) -> list[dict[str, Any]]:
    logs = personas.client.get(
        "/api/v1/logs",
        params={"action": "password_change_failed", "userId": persona.user_id, "limit": 200},
        headers=personas.admin.headers(),
    )
    assert logs.status_code == 200, logs.text
    entries: list[dict[str, Any]] = logs.json()["logs"]
    return entries


def test_an_api_token_cannot_change_the_password_nor_get_a_login_token(
    personas: Personas,
) -> None:
    # An admin's token capped at viewer must not trade itself for an admin login token.
    created = personas.client.post(
        "/api/v1/tokens",
        json={"name": "ci", "role": "viewer"},
        headers=personas.admin.headers(),
    )
    assert created.status_code == 201, created.text
    headers = {"Authorization": f"Bearer {created.json()['secret']}"}

    refused = change(personas, headers, ADMIN_PASSWORD)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    assert "token" not in refused.json()
    assert sign_in(personas.client, "admin", ADMIN_PASSWORD)  # unchanged
    [entry] = failures(personas, personas.admin)
    assert entry["level"] == "error"
    assert entry["details"]["reason"] == "FORBIDDEN"


def test_wrong_current_passwords_are_throttled_and_every_failure_is_audited(
    personas: Personas,
) -> None:
    olive = personas.operator
    attempts = personas.settings.auth.login_attempts
    for _ in range(attempts):
        wrong = change(personas, olive.headers(), WRONG)
        assert wrong.status_code == 422
        assert wrong.json()["error"]["details"]["field"] == "currentPassword"

    # The limit of failed sign-ins from this address holds here too, even for the right one.
    limited = change(personas, olive.headers(), olive.password)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["Retry-After"]) > 0
    login = personas.client.post(
        "/api/v1/auth/login", json={"username": "olive", "password": olive.password}
    )
    assert login.status_code == 429

    reasons = [entry["details"]["reason"] for entry in failures(personas, olive)]
    assert sorted(reasons) == ["RATE_LIMITED"] + ["VALIDATION_ERROR"] * attempts
    for entry in failures(personas, olive):
        assert WRONG not in str(entry)
        assert olive.password not in str(entry)


def test_a_refused_new_password_is_audited_and_the_right_current_one_not_counted(
    personas: Personas,
) -> None:
    olive = personas.operator
    attempts = personas.settings.auth.login_attempts
    for _ in range(attempts + 1):
        weak = personas.client.post(
            "/api/v1/users/password/change",
            json={"currentPassword": olive.password, "newPassword": "password"},
            headers=olive.headers(),
        )
        assert weak.status_code == 422

    assert change(personas, olive.headers(), olive.password).status_code == 200
    assert len(failures(personas, olive)) == attempts + 1
