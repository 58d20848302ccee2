"""Who may call each route of the OpenAPI schema: MATRIX, the one list of access rules.

A route added without an entry here fails `test_every_route_has_a_matrix_entry`, so no route
ships without a decided access rule. The security suite (tests/security/test_authorization.py)
enforces it: every route of the app, called as anonymous, viewer, user, admin and with every
kind of refused token, answers as its entry says.
"""

import re

from envdeck.domain.user import Role
from tests.integration.conftest import Personas

PUBLIC = "public"
SIGNED_IN = Role.VIEWER  # any active user, whatever their role

MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/health"): PUBLIC,
    ("GET", "/api/v1/ready"): PUBLIC,
    ("GET", "/api/v1/system/instances"): Role.ADMIN,
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
    ("PUT", "/api/v1/users/{user_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/users/{user_id}"): Role.ADMIN,
    ("POST", "/api/v1/users/{user_id}/password/reset"): Role.ADMIN,
    ("POST", "/api/v1/users/{user_id}/unlock"): Role.ADMIN,
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
    ("POST", "/api/v1/migrations/environment-manager"): Role.ADMIN,
    ("GET", "/api/v1/maintenance-windows"): Role.VIEWER,
    ("POST", "/api/v1/maintenance-windows"): Role.ADMIN,
    ("POST", "/api/v1/maintenance-windows/preview"): Role.ADMIN,
    ("GET", "/api/v1/maintenance-windows/active"): Role.VIEWER,
    ("GET", "/api/v1/maintenance-windows/{window_id}"): Role.VIEWER,
    ("GET", "/api/v1/maintenance-windows/{window_id}/preview"): Role.VIEWER,
    ("PUT", "/api/v1/maintenance-windows/{window_id}"): Role.ADMIN,
    ("PATCH", "/api/v1/maintenance-windows/{window_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/maintenance-windows/{window_id}"): Role.ADMIN,
    ("GET", "/api/v1/status-pages"): Role.ADMIN,
    ("POST", "/api/v1/status-pages"): Role.ADMIN,
    ("GET", "/api/v1/status-pages/{page_id}"): Role.ADMIN,
    ("PUT", "/api/v1/status-pages/{page_id}"): Role.ADMIN,
    ("PATCH", "/api/v1/status-pages/{page_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/status-pages/{page_id}"): Role.ADMIN,
    # Anyone may read a public page (tests/integration/test_status_pages_api.py); a private
    # page, and a slug with no page (as here), is for signed-in users.
    ("GET", "/api/v1/status/{slug}"): SIGNED_IN,
    ("GET", "/api/v1/environments/{environment_id}/reservations"): Role.VIEWER,
    ("POST", "/api/v1/environments/{environment_id}/reservations"): Role.USER,
    ("POST", "/api/v1/environments/{environment_id}/reservations/watch"): Role.VIEWER,
    ("GET", "/api/v1/reservations"): Role.VIEWER,
    ("POST", "/api/v1/reservations/claim"): Role.USER,
    ("GET", "/api/v1/reservations/{reservation_id}"): Role.VIEWER,
    ("PATCH", "/api/v1/reservations/{reservation_id}"): Role.USER,
    ("POST", "/api/v1/reservations/{reservation_id}/release"): Role.USER,
    ("POST", "/api/v1/reservations/{reservation_id}/break"): Role.ADMIN,
    ("GET", "/api/v1/pipelines"): Role.VIEWER,
    ("POST", "/api/v1/pipelines"): Role.ADMIN,
    ("GET", "/api/v1/pipelines/{pipeline_id}"): Role.VIEWER,
    ("PUT", "/api/v1/pipelines/{pipeline_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/pipelines/{pipeline_id}"): Role.ADMIN,
    ("GET", "/api/v1/pipelines/{pipeline_id}/board"): Role.VIEWER,
    ("GET", "/api/v1/pipelines/{pipeline_id}/stages/{stage}/gates"): Role.VIEWER,
    ("POST", "/api/v1/pipelines/{pipeline_id}/stages/{stage}/promotions"): Role.USER,
    ("GET", "/api/v1/promotions"): Role.VIEWER,
    ("GET", "/api/v1/promotions/{promotion_id}"): Role.VIEWER,
    ("POST", "/api/v1/promotions/{promotion_id}/approve"): Role.ADMIN,
    ("POST", "/api/v1/promotions/{promotion_id}/reject"): Role.ADMIN,
    ("POST", "/api/v1/promotions/{promotion_id}/cancel"): Role.USER,
    ("GET", "/api/v1/notifications/events"): Role.ADMIN,
    ("GET", "/api/v1/notifications/channels"): Role.ADMIN,
    ("POST", "/api/v1/notifications/channels"): Role.ADMIN,
    ("GET", "/api/v1/notifications/channels/{channel_id}"): Role.ADMIN,
    ("PATCH", "/api/v1/notifications/channels/{channel_id}"): Role.ADMIN,
    ("DELETE", "/api/v1/notifications/channels/{channel_id}"): Role.ADMIN,
    ("POST", "/api/v1/notifications/channels/{channel_id}/test"): Role.ADMIN,
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
