"""Request ids, security headers, CORS and compression on every response."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings


def test_generates_a_request_id(client: TestClient) -> None:
    first = client.get("/api/v1/health").headers["x-request-id"]
    second = client.get("/api/v1/health").headers["x-request-id"]
    assert first != second
    assert len(first) == 32


def test_echoes_a_well_formed_request_id_and_replaces_a_bad_one(client: TestClient) -> None:
    response = client.get("/api/v1/health", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    response = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"


def test_sets_security_headers_on_errors_too(client: TestClient) -> None:
    response = client.get("/api/v1/missing")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "x-request-id" in response.headers


def test_allows_only_configured_origins(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(ENVDECK_ALLOW_ORIGINS="https://ops.example")
    with TestClient(create_app(settings)) as client:
        allowed = client.get("/api/v1/health", headers={"Origin": "https://ops.example"})
        other = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://ops.example"
    assert "access-control-allow-origin" not in other.headers


def test_compresses_large_responses(client: TestClient) -> None:
    response = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["info"]["title"] == "Envdeck"
