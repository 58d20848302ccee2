"""Status pages in Chromium against `envdeck serve --demo`: an admin sets one up in the UI,
then someone who is not signed in reads it; a private one asks them to sign in."""

import re
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_accessibility import AXE, BLOCKING, axe_violations
from tests.support.server import DemoServer

# The demo checks every 10 s (with jitter): the first checks of a fresh fleet come within this.
CHECK_WAIT_MS = 40_000
BILLING = ["billing-dev", "billing-prod", "billing-qa", "billing-staging"]


def main_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations within the page's main content (the page's own;
    the app's frame is test_accessibility.py's)."""
    if not page.evaluate("() => 'axe' in window"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run("main", { resultTypes: ["violations"] })).violations
            .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target) }))"""
    )
    return [violation for violation in found if violation["impact"] in BLOCKING]


def test_an_admin_publishes_a_page_that_a_signed_out_reader_sees(
    demo_page: Page, browser: Browser, demo_server: DemoServer, demo_ids: dict[str, str]
) -> None:
    demo_page.goto("/environments")
    nav = demo_page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Status pages").click()
    expect(demo_page.get_by_role("heading", name="Status pages")).to_be_visible()
    demo_page.get_by_role("button", name="New status page").click()
    dialog = demo_page.get_by_role("dialog", name="New status page")
    dialog.get_by_label("Title").fill("Billing")
    dialog.get_by_label("Address").fill("billing")
    dialog.get_by_role("combobox", name="Tags").fill("billing")
    dialog.get_by_role("combobox", name="Tags").press("Enter")
    dialog.get_by_label(re.compile(r"^Public")).check()
    dialog.get_by_role("button", name="Create page").click()
    expect(demo_page.get_by_text("Created Billing.")).to_be_visible()
    expect(demo_page.get_by_role("link", name="/status/billing")).to_be_visible()
    expect(demo_page.get_by_text("Created Billing.")).to_be_hidden(timeout=10_000)
    assert main_axe_violations(demo_page) == []

    context = browser.new_context(base_url=demo_server.server.url)
    try:
        reader = context.new_page()
        reader.goto("/status/billing")
        expect(reader.get_by_role("heading", name="Billing", exact=True)).to_be_visible()
        expect(reader).to_have_title("Billing · Status · Envdeck")
        expect(reader.get_by_role("navigation", name="Main")).to_have_count(0)
        for name in BILLING:
            row = reader.get_by_role("listitem", name=name)
            expect(row.get_by_text(re.compile(r"^Version \d+\.\d+"))).to_be_visible(
                timeout=CHECK_WAIT_MS
            )
            expect(row.get_by_role("img", name=re.compile(rf"^{name}: "))).to_be_visible()
        assert axe_violations(reader) == []
        # Nothing of where the environments live: the fleet answers on loopback.
        text = reader.locator("body").inner_text()
        assert "127.0.0.1" not in text
        assert demo_server.fleet_url not in text
    finally:
        context.close()


def test_a_private_page_asks_a_signed_out_reader_to_sign_in(
    browser: Browser, demo_server: DemoServer, demo_headers: dict[str, str]
) -> None:
    created = httpx.post(
        f"{demo_server.server.url}/api/v1/status-pages",
        json={"slug": "search-internal", "title": "Search", "scope": {"tags": ["search"]}},
        headers=demo_headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text

    context = browser.new_context(base_url=demo_server.server.url)
    try:
        reader = context.new_page()
        reader.goto("/status/search-internal")
        expect(
            reader.get_by_role("heading", name="Sign in to see this status page")
        ).to_be_visible()
        expect(reader.get_by_text("Search", exact=True)).to_have_count(0)
    finally:
        context.close()
