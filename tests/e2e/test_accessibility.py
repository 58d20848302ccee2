"""axe-core (the npm package the UI's dev dependencies install) on every page of the app,
signed in as an admin over the demo fleet: no serious or critical violation anywhere."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.app_pages import an_operation, app_pages, open_page, settle
from tests.support.server import DemoServer

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it is; return the serious and critical violations, shortened."""
    # Evaluated, not added as a <script>: the server's Content-Security-Policy refuses inline
    # scripts, and the check must not need the policy loosened.
    # A dialog fading in has its colours half-way: contrast is judged once transitions end.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    if not page.evaluate("() => 'axe' in window"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")) }))"""
    )
    return [violation for violation in found if violation["impact"] in BLOCKING]


@pytest.fixture(scope="module")
def axe_installed() -> None:
    assert AXE.is_file(), "axe-core is missing: run `npm ci` in frontend/"


def test_no_page_has_a_serious_or_critical_axe_violation(
    axe_installed: None,
    demo_page: Page,
    demo_server: DemoServer,
    demo_headers: dict[str, str],
    demo_ids: dict[str, str],
) -> None:
    warnings: list[str] = []
    demo_page.on("console", lambda message: warnings.append(message.text))
    operation_id = an_operation(demo_server, demo_headers, demo_ids["billing-staging"])
    pages = app_pages(demo_page, demo_ids, operation_id)
    assert len(pages) >= 15, pages
    found = {}
    for path in pages:
        open_page(demo_page, path)
        violations = axe_violations(demo_page)
        if violations:
            found[path] = violations
    assert found == {}
    # React Router's warning on every load of a lazily loaded page (issue #21).
    assert [text for text in warnings if "HydrateFallback" in text] == []


def test_an_open_dialog_and_the_dashboard_as_a_table_pass_axe(
    axe_installed: None, demo_page: Page
) -> None:
    open_page(demo_page, "/environments")
    restart = demo_page.get_by_role("article", name="billing-qa").get_by_role(
        "button", name="Restart billing-qa"
    )
    expect(restart).to_be_enabled()
    settle(demo_page, restart)
    restart.click()
    dialog = demo_page.get_by_role("dialog", name="Restart billing-qa")
    expect(dialog.get_by_role("button", name="Restart", exact=True)).to_be_enabled()
    assert axe_violations(demo_page) == []
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    demo_page.get_by_role("button", name="Table").click()
    expect(demo_page.get_by_role("table", name="Environments")).to_be_visible()
    assert axe_violations(demo_page) == []
