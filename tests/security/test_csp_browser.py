"""The built UI works under its Content-Security-Policy: Chromium reports no violation.

A real server with the built UI, Debian's Chromium: sign in and walk through the pages (the
live WebSocket included) while collecting every `securitypolicyviolation` event and console
error. A policy the UI breaks would show up here before it shows up to a user.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

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
