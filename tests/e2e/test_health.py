"""Health in Chromium against `envdeck serve --demo`: live cards, the Health tab, Check now."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.support.server import DemoServer

# The demo checks every 10 s (with jitter) and turns unhealthy on the first failure.
CHECK_WAIT_MS = 40_000


def _set_behaviour(demo_server: DemoServer, name: str, behaviour: str) -> None:
    response = httpx.put(
        f"{demo_server.fleet_url}/control/envs/{name}", json={"behaviour": behaviour}, timeout=10
    )
    assert response.status_code == 200, response.text


def test_a_failing_target_turns_its_card_unhealthy_without_a_reload(
    demo_page: Page, demo_server: DemoServer, demo_ids: dict[str, str]
) -> None:
    name = "shop-qa"
    # Searched for: the dashboard draws only the cards on screen.
    demo_page.goto(f"/environments?q={name}")
    card = demo_page.get_by_role("article", name=name)
    expect(card.get_by_text("Healthy", exact=True)).to_be_visible(timeout=CHECK_WAIT_MS)
    expect(card.get_by_text("Version: 2.5.0")).to_be_visible()
    expect(demo_page.get_by_role("button", name="Live updates: connected")).to_be_visible()
    loads: list[object] = []
    demo_page.on("load", lambda loaded: loads.append(loaded))

    _set_behaviour(demo_server, name, "down")
    try:
        expect(card.get_by_text("Unhealthy", exact=True)).to_be_visible(timeout=CHECK_WAIT_MS)
        expect(card.get_by_text(re.compile(r"^Unhealthy for \d+ [sm]$"))).to_be_visible()
        # The last hour's response times are drawn on the card.
        expect(
            card.get_by_role("img", name=f"Response times of {name} over the last hour")
        ).to_be_visible()
        assert loads == []
    finally:
        _set_behaviour(demo_server, name, "healthy")


def test_the_health_tab_charts_response_times_and_checks_now(
    demo_page: Page, demo_ids: dict[str, str]
) -> None:
    demo_page.goto(f"/environments/{demo_ids['shop-dev']}")
    demo_page.get_by_role("tab", name="Health", exact=True).click()
    expect(demo_page).to_have_url(re.compile(r"\?tab=health$"))

    # Checks arrive live: the chart appears once the first ones are recorded.
    chart = demo_page.get_by_role("figure", name="Response time")
    expect(chart).to_be_visible(timeout=CHECK_WAIT_MS)
    expect(chart).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    expect(chart.locator("svg path").first).to_be_attached()
    expect(demo_page.get_by_role("region", name="Uptime")).to_contain_text("%")
    expect(demo_page.get_by_role("table", name="Recent checks")).to_contain_text("healthy")

    demo_page.get_by_role("button", name="Check now").click()
    result = demo_page.get_by_role("alert", name="Check result")
    expect(result).to_be_visible(timeout=15_000)
    expect(result).to_contain_text("Healthy")
    expect(result).to_contain_text("Status code: 200")
    expect(result.get_by_label("Response body")).to_contain_text('"status"')
