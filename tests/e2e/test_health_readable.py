"""Health you can read, in Chromium against `envdeck serve --demo`: a target that goes down is
shaded and listed on its chart and counted beside its card's sparkline; the chart's y-axis
labels never repeat; a range without checks says so."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.support.server import DemoServer

# The demo checks every 10 s (with jitter) and turns unhealthy on the first failure.
CHECK_WAIT_MS = 40_000
NAME = "search-staging"


def _set_behaviour(demo_server: DemoServer, behaviour: str) -> None:
    response = httpx.put(
        f"{demo_server.fleet_url}/control/envs/{NAME}", json={"behaviour": behaviour}, timeout=10
    )
    assert response.status_code == 200, response.text


def test_downtime_is_drawn_listed_and_counted(
    demo_page: Page, demo_server: DemoServer, demo_ids: dict[str, str]
) -> None:
    demo_page.goto(f"/environments/{demo_ids[NAME]}?tab=health")
    chart = demo_page.get_by_role("figure", name="Response time")
    expect(chart).to_be_visible(timeout=CHECK_WAIT_MS)

    _set_behaviour(demo_server, "down")
    try:
        downtime = demo_page.get_by_role("region", name="Downtime")
        expect(downtime.get_by_role("listitem").first).to_contain_text(
            re.compile(r"(down|degraded) \(\d+ of \d+ checks unhealthy\)"), timeout=CHECK_WAIT_MS
        )
        labels = chart.locator(".MuiChartsAxis-directionY .MuiChartsAxis-tickLabel")
        expect(labels.first).to_be_attached()
        texts = labels.all_text_contents()
        assert len(texts) >= 2
        assert len(set(texts)) == len(texts), texts

        demo_page.goto("/environments")
        card = demo_page.get_by_role("article", name=NAME)
        expect(card.get_by_text(re.compile(r"^(<1|\d+) min failing$"))).to_be_visible(
            timeout=CHECK_WAIT_MS
        )
        expect(card.get_by_text(re.compile(r"^max \d"))).to_be_visible()
        line = card.get_by_role("img", name=f"Response times of {NAME} over the last hour")
        expect(line).not_to_have_attribute("data-scale-max", re.compile(".*"))
        demo_page.get_by_role("button", name="Same scale").click()
        expect(line).to_have_attribute("data-scale-max", re.compile(r"^\d"))
        demo_page.get_by_role("button", name="Same scale").click()
    finally:
        _set_behaviour(demo_server, "healthy")


def test_a_range_without_checks_says_so(
    demo_page: Page, demo_server: DemoServer, demo_headers: dict[str, str]
) -> None:
    created = httpx.post(
        f"{demo_server.server.url}/api/v1/environments",
        json={"name": "never-checked", "tags": ["readable"]},
        headers=demo_headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text

    url = f"{demo_server.server.url}/api/v1/environments/{created.json()['id']}"
    try:
        demo_page.goto(f"/environments/{created.json()['id']}?tab=health")

        expect(demo_page.get_by_text("No checks in the last hour yet.")).to_be_visible()
        demo_page.get_by_role("button", name="30d").click()
        expect(demo_page.get_by_text("No checks in the last 30 days yet.")).to_be_visible()
    finally:
        # The demo server is shared by the e2e tests: leave its fleet as it was.
        httpx.delete(url, headers=demo_headers, timeout=30)
