"""Every route of the OpenAPI schema, called by every kind of caller, answers as its role says.

MATRIX is the one list of who may call what. A route added without an entry here fails
`test_every_route_has_a_matrix_entry`, so no route ships without a decided access rule.
"""

import re
from datetime import timedelta

import jwt
import pytest

from envdeck.domain.clock import utc_now
from envdeck.domain.user import Role
from envdeck.services.login_tokens import LoginTokenCodec
from tests.integration.conftest import Personas, sign_in

PUBLIC = "public"
SIGNED_IN = Role.VIEWER  # any active user, whatever their role

MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/health"): PUBLIC,
    ("GET", "/api/v1/ready"): PUBLIC,
    ("GET", "/api/v1/setup"): PUBLIC,
    ("POST", "/api/v1/setup"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/auth/me"): SIGNED_IN,
    ("POST", "/api/v1/users/password/change"): SIGNED_IN,
    ("GET", "/api/v1/users"): Role.ADMIN,
    ("POST", "/api/v1/users"): Role.ADMIN,
    ("GET", "/api/v1/users/{user_id}"): Role.ADMIN,
    ("PATCH", "/api/v1/users/{user_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/users/{user_id}"): Role.ADMIN,
    ("POST", "/api/v1/users/{user_id}/password/reset"): Role.ADMIN,
    ("POST", "/api/v1/tokens"): SIGNED_IN,
    ("GET", "/api/v1/tokens"): SIGNED_IN,
    ("DELETE", "/api/v1/tokens/{token_id}"): SIGNED_IN,
    ("GET", "/api/v1/environments"): Role.VIEWER,
    ("GET", "/api/v1/environments/summary"): Role.VIEWER,
    ("GET", "/api/v1/environments/export"): Role.VIEWER,
    ("POST", "/api/v1/environments/import"): Role.ADMIN,
    ("POST", "/api/v1/environments"): Role.ADMIN,
    ("GET", "/api/v1/environments/{environment_id}"): Role.VIEWER,
    ("PUT", "/api/v1/environments/{environment_id}"): Role.ADMIN,
    ("PATCH", "/api/v1/environments/{environment_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/environments/{environment_id}"): Role.ADMIN,
    ("GET", "/api/v1/credentials"): Role.ADMIN,
    ("POST", "/api/v1/credentials"): Role.ADMIN,
    ("GET", "/api/v1/credentials/{credential_id}"): Role.ADMIN,
    ("PATCH", "/api/v1/credentials/{credential_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/credentials/{credential_id}"): Role.ADMIN,
    ("GET", "/api/v1/maintenance-windows"): Role.VIEWER,
    ("POST", "/api/v1/maintenance-windows"): Role.ADMIN,
    ("POST", "/api/v1/maintenance-windows/preview"): Role.ADMIN,
    ("GET", "/api/v1/maintenance-windows/{window_id}"): Role.VIEWER,
    ("GET", "/api/v1/maintenance-windows/{window_id}/preview"): Role.VIEWER,
    ("PUT", "/api/v1/maintenance-windows/{window_id}"): Role.ADMIN,
    ("PATCH", "/api/v1/maintenance-windows/{window_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/maintenance-windows/{window_id}"): Role.ADMIN,
    ("GET", "/api/v1/logs"): Role.VIEWER,
    ("GET", "/api/v1/logs/count"): Role.VIEWER,
    ("GET", "/api/v1/logs/export"): Role.VIEWER,
    ("GET", "/api/v1/logs/unread"): Role.VIEWER,
    ("POST", "/api/v1/logs/read"): Role.VIEWER,
    ("GET", "/api/v1/logs/{log_id}"): Role.VIEWER,
    ("GET", "/api/v1/environments/{environment_id}/logs"): Role.VIEWER,
    ("POST", "/api/v1/environments/{environment_id}/check-health"): Role.USER,
    ("POST", "/api/v1/health-checks/test"): Role.ADMIN,
    ("GET", "/api/v1/environments/{environment_id}/health/history"): Role.VIEWER,
    ("GET", "/api/v1/environments/{environment_id}/uptime"): Role.VIEWER,
    ("GET", "/api/v1/environments/{environment_id}/health/checks"): Role.VIEWER,
    ("GET", "/api/v1/sparklines"): Role.VIEWER,
    ("GET", "/api/v1/environments/{environment_id}/versions"): Role.VIEWER,
    ("GET", "/api/v1/versions"): Role.VIEWER,
    ("GET", "/api/v1/environments/{environment_id}/commands/preview"): Role.USER,
    ("POST", "/api/v1/environments/{environment_id}/system-info/refresh"): Role.USER,
    ("POST", "/api/v1/environments/{environment_id}/test-connection"): Role.ADMIN,
    ("POST", "/api/v1/environments/{environment_id}/restart"): Role.USER,
    ("POST", "/api/v1/environments/{environment_id}/upgrade"): Role.USER,
    ("GET", "/api/v1/environments/{environment_id}/operations"): Role.VIEWER,
    ("GET", "/api/v1/operations"): Role.VIEWER,
    ("GET", "/api/v1/operations/{operation_id}"): Role.VIEWER,
    ("POST", "/api/v1/operations/{operation_id}/cancel"): Role.USER,
}

# An id of the right shape that names nothing: calls reach the handler and change nothing.
ABSENT_ID = "6b05a2c33c0ca6934944ef1e"


def routes(personas: Personas) -> list[tuple[str, str]]:
    spec = personas.client.get("/api/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def call(personas: Personas, method: str, path: str, token: str | None) -> int:
    url = re.sub(r"\{[^}]+\}", ABSENT_ID, path)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {} if method in {"POST", "PUT", "PATCH"} else None
    return personas.client.request(method, url, json=body, headers=headers).status_code


def test_every_route_has_a_matrix_entry(personas: Personas) -> None:
    assert set(routes(personas)) == set(MATRIX)


def test_anonymous_callers_reach_only_public_routes(personas: Personas) -> None:
    for method, path in routes(personas):
        status = call(personas, method, path, None)
        if MATRIX[(method, path)] == PUBLIC:
            assert status not in (401, 403), (method, path, status)
        else:
            assert status == 401, (method, path, status)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.USER, Role.ADMIN])
def test_each_role_reaches_exactly_what_it_may(personas: Personas, role: Role) -> None:
    persona = {
        Role.VIEWER: personas.viewer,
        Role.USER: personas.operator,
        Role.ADMIN: personas.admin,
    }[role]
    for method, path in routes(personas):
        token = sign_in(personas.client, persona.username, persona.password)
        status = call(personas, method, path, token)
        required = MATRIX[(method, path)]
        if required == PUBLIC or role.includes(Role(required)):
            assert status not in (401, 403), (role, method, path, status)
        else:
            assert status == 403, (role, method, path, status)


def _bad_tokens(personas: Personas) -> dict[str, str]:
    client, admin = personas.client, personas.admin
    services = client.app.state.services  # type: ignore[attr-defined]
    secret = services.secrets.jwt_secret
    admin_user = client.get("/api/v1/auth/me", headers=admin.headers()).json()

    dana = client.post(
        "/api/v1/users",
        json={"username": "dana", "role": "admin", "password": "ember-falcon-tundra-35"},
        headers=admin.headers(),
    ).json()
    deactivated = sign_in(client, "dana", "ember-falcon-tundra-35")
    client.patch(f"/api/v1/users/{dana['id']}", json={"active": False}, headers=admin.headers())

    revoked = sign_in(client, admin.username, admin.password)
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {revoked}"})

    past = utc_now() - timedelta(hours=13)
    user = client.portal.call(services.storage.users.get_by_id, admin_user["id"])  # type: ignore[union-attr]
    expired = LoginTokenCodec(secret, timedelta(hours=12), lambda: past).issue(user).token

    valid = sign_in(client, admin.username, admin.password)
    head, body, signature = valid.split(".")
    tampered = f"{head}.{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"

    claims = jwt.decode(valid, options={"verify_signature": False})
    alg_none = jwt.encode(claims, None, algorithm="none")
    rs_header = jwt.utils.base64url_encode(b'{"alg":"RS256","typ":"JWT"}').decode()
    forged_rs = f"{rs_header}.{body}.{signature}"
    return {
        "deactivated user": deactivated,
        "revoked token": revoked,
        "expired token": expired,
        "tampered signature": tampered,
        "alg none": alg_none,
        "RS256 header": forged_rs,
    }


def test_refused_tokens_reach_only_public_routes(personas: Personas) -> None:
    for name, token in _bad_tokens(personas).items():
        for method, path in routes(personas):
            status = call(personas, method, path, token)
            if MATRIX[(method, path)] == PUBLIC:
                assert status not in (401, 403), (name, method, path, status)
            else:
                assert status == 401, (name, method, path, status)
