"""The built UI works under its Content-Security-Policy: Chromium reports no violation.

A real server with the built UI, Debian's Chromium: sign in and walk through the pages (the
live WebSocket included) while collecting every `securitypolicyviolation` event and console
error. A policy the UI breaks would show up here before it shows up to a user.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect

from tests.e2e.accounts import Account, sign_in
from tests.support.server import RunningServer

pytestmark = pytest.mark.e2e

# Runs before any page script, outside the page's policy: it only listens.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile,
  });
});
"""
PAGES = [
    "/",
    "/environments",
    "/environments/new",
    "/versions",
    "/activity",
    "/operations",
    "/maintenance",
    "/system",
    "/users",
    "/credentials",
    "/notifications",
    "/tokens",
]


def _violations(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate("window.__cspViolations")
    return found


def test_the_ui_runs_under_its_policy_without_a_violation(
    browser: Browser, server: RunningServer, admin: Account
) -> None:
    context = browser.new_context(base_url=server.url)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    console_errors: list[str] = []

    def keep_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", keep_error)
    sockets: list[str] = []
    page.on("websocket", lambda websocket: sockets.append(websocket.url))
    try:
        page.goto("/login")
        sign_in(page, admin)
        seen: dict[str, list[dict[str, Any]]] = {}
        for path in PAGES:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            expect(page.get_by_role("main")).to_be_visible()
            seen[path] = _violations(page)
        assert sockets, "the UI opened no WebSocket (connect-src 'self' must allow it)"
    finally:
        context.close()
    assert {path: found for path, found in seen.items() if found} == {}
    policy_errors = [text for text in console_errors if "Content Security Policy" in text]
    assert policy_errors == []


def test_the_api_docs_load_only_from_envdeck_and_run_under_their_policy(
    browser: Browser, server: RunningServer
) -> None:
    """Swagger UI on the origin that keeps the UI's token: every request the page makes goes to
    Envdeck itself (no CDN), and its policy lets it run without a violation."""
    context = browser.new_context(base_url=server.url)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    requested: list[str] = []

    def only_envdeck(route: Route) -> None:
        # Recorded, and never sent: a test run makes no request to another host.
        requested.append(route.request.url)
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_envdeck)
    page = context.new_page()
    console_errors: list[str] = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    try:
        response = page.goto("/api/docs")
        assert response is not None
        assert response.ok
        # The page renders once it has the OpenAPI document, built at the first request (some
        # seconds on a busy machine).
        expect(page.get_by_role("heading", level=1)).to_contain_text("Envdeck", timeout=30_000)
        expect(page.get_by_role("button", name="GET /api/v1/health Liveness")).to_be_visible()
        page.wait_for_load_state("networkidle")
        violations = _violations(page)
    finally:
        context.close()
    elsewhere = [url for url in requested if not url.startswith(server.url + "/")]
    assert elsewhere == []
    assert any(url.endswith("/api/docs/swagger-ui-bundle.js") for url in requested)
    assert violations == []
    assert [text for text in console_errors if "Content Security Policy" in text] == []
