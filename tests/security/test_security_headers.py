"""Security headers on every response, and a strict Content-Security-Policy on the UI.

The API's answers (JSON, exports, errors of every kind, metrics) may load and run nothing at
all; the UI may load scripts only from its own origin, and its built index.html has no inline
script for that rule to forbid.
"""

import os
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from envdeck.api.ui import STATIC_DIR
from envdeck.app import create_app
from envdeck.config import Settings
from tests.integration.conftest import Personas

COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def policy(header: str) -> dict[str, list[str]]:
    """Parse a Content-Security-Policy into {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_common_headers(headers: dict[str, str], what: str) -> None:
    for name, value in COMMON.items():
        assert headers.get(name) == value, (what, name, headers.get(name))
    assert "camera=()" in headers.get("permissions-policy", ""), what
    assert "x-request-id" in headers, what


def test_every_kind_of_api_answer_has_the_headers(personas: Personas) -> None:
    client, admin = personas.client, personas.admin
    answers = {
        "200": client.get("/api/v1/environments", headers=admin.headers()),
        "201": client.post(
            "/api/v1/environments", json={"name": "headers"}, headers=admin.headers()
        ),
        "export": client.get("/api/v1/environments/export", headers=admin.headers()),
        "log export": client.get("/api/v1/logs/export", headers=admin.headers()),
        "401": client.get("/api/v1/environments"),
        "403": client.get("/api/v1/users", headers=personas.viewer.headers()),
        "404": client.get("/api/v1/nowhere"),
        "405": client.delete("/api/v1/health"),
        "422": client.post("/api/v1/environments", json={}, headers=admin.headers()),
        "413": client.post(
            "/api/v1/auth/login", content=b"x" * (11 * 1024 * 1024), headers={"X": "y"}
        ),
        "metrics": client.get("/metrics"),
        "openapi": client.get("/api/openapi.json"),
    }
    for what, response in answers.items():
        assert response.status_code < 500, (what, response.status_code)
        assert_common_headers(dict(response.headers), what)
        assert response.headers["content-security-policy"] == API_POLICY, what
        assert response.headers["cache-control"] == "no-store", what
        assert "strict-transport-security" not in response.headers  # the TLS proxy's to set


def test_an_unexpected_error_answers_500_with_the_headers_and_no_detail(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(), serve_ui=False)

    async def crash() -> None:
        raise RuntimeError("a bug with a detail the client must not see")

    app.add_api_route("/api/v1/crash", crash)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/crash")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "INTERNAL_ERROR", "message": "internal error", "details": {}}
    }
    assert_common_headers(dict(response.headers), "500")
    assert response.headers["content-security-policy"] == API_POLICY


def test_the_api_docs_page_loads_only_its_own_scripts(client: TestClient, built_ui: Path) -> None:
    """Swagger UI comes from the package: no CDN, no inline script, scripts from 'self' only."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    directives = policy(response.headers["content-security-policy"])
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval, no other host
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "http" not in response.headers["content-security-policy"]
    page = _Page()
    page.feed(response.text)
    assert page.inline == []
    sources = [script.get("src") or "" for script in page.scripts]
    assert sources
    assert all(source.startswith("/api/docs/") for source in sources)
    assert "//" not in response.text  # no URL of another host, not even a stylesheet
    for source in [*sources, "/api/docs/swagger-ui.css"]:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))


# --- the built UI --------------------------------------------------------------------------------


@pytest.fixture
def built_ui() -> Path:
    if not (STATIC_DIR / "index.html").is_file():
        if os.environ.get("CI"):
            pytest.fail("the UI is not built: run `make install`")
        pytest.skip("the UI is not built: run `make install`")
    return STATIC_DIR


class _Page(HTMLParser):
    """Collect what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=...>")
            if value and value.strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            self.scripts.append(dict(attrs))
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(f"<script>{data.strip()[:40]}…")


def test_the_built_index_has_no_inline_script(built_ui: Path) -> None:
    page = _Page()
    page.feed((built_ui / "index.html").read_text(encoding="utf-8"))
    assert page.scripts, "index.html loads no script at all?"
    assert all(script.get("src", "").startswith("/assets/") for script in page.scripts)
    assert page.inline == []


@pytest.fixture
def ui_client(make_settings: Callable[..., Settings], built_ui: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as client:
        yield client


def test_the_ui_and_its_assets_have_a_strict_policy(ui_client: TestClient, built_ui: Path) -> None:
    index = ui_client.get("/environments/some-page")
    assert index.status_code == 200
    assert "text/html" in index.headers["content-type"]
    directives = policy(index.headers["content-security-policy"])
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval, no elsewhere
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["connect-src"] == ["'self'"]
    assert_common_headers(dict(index.headers), "index.html")
    assets = sorted(path.name for path in (built_ui / "assets").iterdir())
    for name in [assets[0], *[a for a in assets if a.endswith((".css", ".js"))][:5]]:
        asset = ui_client.get(f"/assets/{name}")
        assert asset.status_code == 200, name
        assert_common_headers(dict(asset.headers), name)
        assert asset.headers["content-security-policy"] == index.headers["content-security-policy"]
