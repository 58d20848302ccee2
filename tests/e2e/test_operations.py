"""Operations in Chromium against `envdeck serve --demo`: upgrade from the UI and watch it."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.support.server import DemoServer

# The demo checks every 10 s (with jitter); an upgrade takes a few seconds, then verification
# polls the health check until the new version is reported (the demo's verifyTimeout is 60 s).
CHECK_WAIT_MS = 40_000
OPERATION_WAIT_MS = 90_000


def _fleet_state(demo_server: DemoServer, name: str) -> dict[str, object]:
    response = httpx.get(f"{demo_server.fleet_url}/control/envs/{name}", timeout=10)
    assert response.status_code == 200, response.text
    state: dict[str, object] = response.json()
    return state


def test_an_upgrade_from_the_ui_streams_verifies_and_changes_the_card(
    demo_page: Page, demo_server: DemoServer, demo_ids: dict[str, str]
) -> None:
    name = "shop-prod"
    assert _fleet_state(demo_server, name)["version"] == "2.4.0"
    demo_page.goto("/environments")
    # The grid draws only the cards in view: find this one as a user would.
    demo_page.get_by_role("searchbox", name="Search environments").fill(name)
    card = demo_page.get_by_role("article", name=name)
    expect(card.get_by_text("Version: 2.4.0")).to_be_visible(timeout=CHECK_WAIT_MS)
    expect(demo_page.get_by_role("button", name="Live updates: connected")).to_be_visible()
    loads: list[object] = []
    demo_page.on("load", lambda loaded: loads.append(loaded))

    card.get_by_role("button", name=f"Upgrade {name}").click()
    dialog = demo_page.get_by_role("dialog", name=f"Upgrade {name}")
    versions = dialog.get_by_role("listbox", name="Versions")
    expect(versions.get_by_role("option", name="2.4.0")).to_contain_text("current")
    expect(dialog.get_by_text("Behind by 2")).to_be_visible()
    dialog.get_by_label("Search versions").fill("2.5")
    versions.get_by_role("option", name="2.5.0").click()
    preview = dialog.get_by_label("Command preview")
    expect(preview).to_contain_text(f"/envs/{name}/upgrade")
    expect(preview).to_contain_text('"version": "2.5.0"')
    dialog.get_by_role("button", name="Upgrade to 2.5.0").click()

    panel = demo_page.get_by_role("region", name="Operation")
    expect(panel.get_by_role("heading", name=f"Upgrade of {name} to 2.5.0")).to_be_visible()
    # While the upgrade is being verified (the fleet answers 503 for a few seconds), the
    # terminal shows every line from the first: the request, the fleet's answer, "command
    # succeeded" and the first verification check, not only what came after it subscribed.
    demo_page.wait_for_function(
        """([first, lines]) => {
            const panel = document.querySelector('section[aria-label="Operation"]');
            const log = panel?.querySelector('[role="log"]')?.textContent ?? "";
            const running = [...(panel?.querySelectorAll(".MuiChip-label") ?? [])].some(
                (chip) => chip.textContent === "Running");
            return running && log.startsWith(first) && lines.every((l) => log.includes(l));
        }""",
        arg=[
            "POST ",
            [
                f"/envs/{name}/upgrade\nHTTP 202 Accepted\n",
                '"status": "upgrading"',
                "[envdeck] command succeeded; verifying",
                "verify #1: ",
            ],
        ],
        polling="raf",
        timeout=CHECK_WAIT_MS,
    )
    expect(panel.get_by_text("Succeeded", exact=True)).to_be_visible(timeout=OPERATION_WAIT_MS)
    expect(panel.get_by_label("Verification")).to_contain_text("Verified")
    expect(panel.get_by_label("Verification")).to_contain_text("version 2.5.0")
    expect(panel.get_by_label("Duration")).to_have_text(re.compile(r"^\d+:\d\d$"))
    demo_page.get_by_role("button", name="Close").click()

    expect(card.get_by_text("Version: 2.5.0")).to_be_visible(timeout=CHECK_WAIT_MS)
    expect(card.get_by_role("button", name=f"Upgrade {name}")).to_be_enabled()
    assert loads == []

    # The operation is listed on the Operations page, finished.
    demo_page.get_by_role("link", name="Operations").click()
    table = demo_page.get_by_role("table", name="Operations")
    row = table.get_by_role("row").filter(has_text=name).first
    expect(row).to_contain_text("2.4.0 → 2.5.0")
    expect(row).to_contain_text("Succeeded")
