"""The authorization sweep: every route of the final app, called by every kind of caller.

The access rule of each route of the OpenAPI schema is `MATRIX` in
tests/integration/test_authorization_matrix.py (where every new route gets its row, and whose
`test_every_route_has_a_matrix_entry` fails until it has one). Here it is enforced: anonymous,
viewer, user and admin, and every kind of refused token, get exactly what the matrix says. The
routes outside the schema (the WebSocket, /metrics, the API docs, the UI) have their rule in
`OUTSIDE_SCHEMA`, and the app's route table itself is checked, so no route escapes both.
"""

from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import WebSocketRoute
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.clock import utc_now
from envdeck.domain.user import Role
from envdeck.services.identity.login_tokens import LoginTokenCodec
from envdeck.services.realtime import CloseCode
from tests.integration.conftest import Personas, sign_in
from tests.integration.test_authorization_matrix import MATRIX, PUBLIC, call, routes

WEBSOCKET = "WEBSOCKET"
FIRST_FRAME = "a token in the first frame"
TOKEN_IF_CONFIGURED = "public, or any token with metrics.requireToken"

# Routes the OpenAPI schema does not list, and who may use them.
OUTSIDE_SCHEMA: dict[tuple[str, str], str] = {
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/docs/init.js"): PUBLIC,  # Swagger UI's start, and its assets from the package
    ("GET", "/api/docs/{name}"): PUBLIC,
    (WEBSOCKET, "/ws"): FIRST_FRAME,
    ("GET", "/metrics"): TOKEN_IF_CONFIGURED,
    ("GET", "/{path:path}"): PUBLIC,  # the UI's files and pages
}


def app_routes(client: TestClient) -> set[tuple[str, str]]:
    """Every (method, path) the app's router serves, whatever the schema says."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(route.original_route, APIWebSocketRoute | WebSocketRoute):
            found.add((WEBSOCKET, str(route.path)))
        else:
            methods = route.methods
            assert methods, f"a route without methods: {route.original_route!r}"
            found |= {(method, str(route.path)) for method in methods if method != "HEAD"}
    return found


def test_every_route_of_the_app_has_an_access_rule(personas: Personas) -> None:
    served = app_routes(personas.client)
    assert served == set(MATRIX) | set(OUTSIDE_SCHEMA)
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


# --- the routes outside the schema -------------------------------------------------------------


def test_the_public_routes_outside_the_schema_answer_anyone(personas: Personas) -> None:
    client = personas.client
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/docs/init.js").status_code == 200
    assert client.get("/api/docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/metrics").status_code == 200  # metrics.requireToken is off by default
    assert client.get("/environments").status_code in (200, 503)  # 503: the UI is not built


def test_metrics_ask_for_a_token_when_configured(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(ENVDECK_METRICS__REQUIRE_TOKEN="true")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_the_websocket_serves_nobody_without_a_valid_token(
    personas: Personas, token: str | None
) -> None:
    frame = {"type": "auth", "payload": {"token": token}} if token else {"type": "ping"}
    with personas.client.websocket_connect("/ws") as websocket:
        websocket.send_json(frame)
        with pytest.raises(WebSocketDisconnect) as closed:
            _drain_errors(websocket)
    assert closed.value.code == CloseCode.UNAUTHORIZED


def _drain_errors(websocket: WebSocketTestSession) -> None:
    while True:
        assert websocket.receive_json()["type"] == "error"
