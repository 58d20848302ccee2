"""Maintenance windows in Chromium against `envdeck serve --demo`: plan one, see its badge."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.server import DemoServer

NAME = "e2e quiet hours"
ENVIRONMENT = "search-dev"


@pytest.fixture
def cleanup(demo_server: DemoServer, demo_headers: dict[str, str]) -> Iterator[None]:
    """Delete the window the test plans: the demo server is shared by the e2e tests."""
    yield
    url = f"{demo_server.server.url}/api/v1/maintenance-windows"
    listed = httpx.get(url, params={"limit": 200}, headers=demo_headers, timeout=30).json()
    for window in listed["maintenanceWindows"]:
        if window["name"] == NAME:
            httpx.delete(f"{url}/{window['id']}", headers=demo_headers, timeout=30)


def test_a_recurring_window_planned_in_the_ui_badges_its_environment(
    demo_page: Page, demo_ids: dict[str, str], cleanup: None
) -> None:
    assert ENVIRONMENT in demo_ids
    demo_page.goto("/maintenance")
    demo_page.get_by_role("button", name="New window").click()
    dialog = demo_page.get_by_role("dialog", name="New maintenance window")
    dialog.get_by_label("Name").fill(NAME)
    dialog.get_by_label("Reason").fill("Planned restart drill")
    expect(dialog.get_by_role("radio", name="Recurring")).to_be_checked()
    # Every minute for an hour: the window runs from now on.
    dialog.get_by_label("Cron expression").fill("* * * * *")
    dialog.get_by_label("Duration (minutes)").fill("60")
    preview = dialog.get_by_role("region", name="Next runs")
    expect(preview.get_by_role("listitem")).to_have_count(5)
    dialog.get_by_role("combobox", name="Environments").fill(ENVIRONMENT)
    demo_page.get_by_role("option", name=ENVIRONMENT, exact=True).click()
    dialog.get_by_role("button", name="Create window").click()

    expect(demo_page.get_by_text(f"Created {NAME}.")).to_be_visible()
    row = demo_page.get_by_role("table", name="Maintenance windows").get_by_role("row")
    row = row.filter(has_text=NAME)
    expect(row).to_contain_text("Every minute, for 1 h")
    expect(row).to_contain_text(ENVIRONMENT)
    expect(row).to_contain_text("Running until")

    demo_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Environments"
    ).click()
    card = demo_page.get_by_role("article", name=ENVIRONMENT)
    chip = card.get_by_label(f"Maintenance: {NAME} (Planned restart drill) until", exact=False)
    expect(chip).to_be_visible()
    expect(chip).to_have_text("Maintenance")
    chip.hover()
    expect(demo_page.get_by_role("tooltip")).to_contain_text(NAME)
    other = demo_page.get_by_role("article", name="search-prod")
    expect(other.get_by_text("Maintenance", exact=True)).to_have_count(0)
