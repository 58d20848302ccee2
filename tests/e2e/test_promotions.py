"""Promotions in Chromium against `envdeck serve --demo`: promote from the Pipelines page and
watch the promotion complete live."""

import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.support.server import DemoServer

# The demo checks every 10 s (with jitter); an upgrade takes a few seconds, then verification
# polls the health check until the new version is reported (the demo's verifyTimeout is 60 s).
CHECK_WAIT_MS = 40_000
PROMOTION_WAIT_MS = 120_000
PIPELINE = "e2e-road"
# shop-qa runs 2.5.0 and shop-staging 2.4.1 in the demo fleet; no other browser test moves
# either's version.
QA, STAGING = "shop-qa", "shop-staging"


def _api(
    demo_server: DemoServer, headers: dict[str, str], method: str, path: str, **kw: Any
) -> Any:
    response = httpx.request(
        method, f"{demo_server.server.url}/api/v1{path}", headers=headers, timeout=30, **kw
    )
    assert response.status_code < 300, response.text
    return response.json()


def _pipeline(demo_server: DemoServer, headers: dict[str, str], ids: dict[str, str]) -> str:
    """The two-stage road qa → staging, created through the API."""
    stages = [
        {"name": stage, "environmentIds": [ids[name]], "soakTime": "0s", "approvals": 0}
        for stage, name in (("qa", QA), ("staging", STAGING))
    ]
    body = {"name": PIPELINE, "description": "shop-qa, then shop-staging", "stages": stages}
    created = _api(demo_server, headers, "POST", "/pipelines", json=body)
    return str(created["id"])


def _wait_until_promotable(
    demo_server: DemoServer, headers: dict[str, str], ids: dict[str, str], pipeline_id: str
) -> None:
    """Check both environments now (rather than wait for the scheduler) until staging's gates
    pass: qa runs 2.5.0 healthy, which with no soak time makes it verified there."""
    deadline = time.monotonic() + CHECK_WAIT_MS / 1000
    while True:
        for name in (QA, STAGING):
            _api(demo_server, headers, "POST", f"/environments/{ids[name]}/check-health")
        gates = _api(demo_server, headers, "GET", f"/pipelines/{pipeline_id}/stages/staging/gates")
        if gates["passed"]:
            assert gates["version"] == "2.5.0", gates
            return
        assert time.monotonic() < deadline, gates
        time.sleep(1)


def test_a_promotion_from_the_pipelines_page_runs_live_to_its_end(
    demo_page: Page,
    demo_server: DemoServer,
    demo_headers: dict[str, str],
    demo_ids: dict[str, str],
) -> None:
    pipeline_id = _pipeline(demo_server, demo_headers, demo_ids)
    _wait_until_promotable(demo_server, demo_headers, demo_ids, pipeline_id)

    demo_page.goto("/environments")
    demo_page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipelines").click()
    demo_page.get_by_role("table", name="Pipelines").get_by_role("link", name=PIPELINE).click()
    expect(demo_page.get_by_role("heading", name=PIPELINE, level=1)).to_be_visible()
    expect(demo_page.get_by_role("button", name="Live updates: connected")).to_be_visible()
    loads: list[object] = []
    demo_page.on("load", lambda loaded: loads.append(loaded))

    qa = demo_page.get_by_role("region", name="qa", exact=True)
    expect(qa.get_by_role("listitem", name=QA)).to_contain_text("2.5.0")
    expect(qa.get_by_text(re.compile(r"^2\.5\.0 verified"))).to_be_visible()
    staging = demo_page.get_by_role("region", name="staging", exact=True)
    expect(staging.get_by_role("listitem", name=STAGING)).to_contain_text("2.4.1")
    gates = staging.get_by_role("list", name="Gates into staging")
    expect(gates.get_by_role("listitem", name="Previous stage passed")).to_be_visible()
    expect(staging.get_by_text("Gates into staging: all passed")).to_be_visible()

    staging.get_by_role("button", name="Promote 2.5.0 to staging: upgrades 1 environment").click()
    dialog = demo_page.get_by_role("dialog", name="Promote 2.5.0 to staging?")
    expect(dialog.get_by_role("list", name="Upgrades")).to_contain_text(f"{STAGING}: 2.4.1 → 2.5.0")
    dialog.get_by_role("button", name="Promote 2.5.0").click()

    # The promotion's own page, following promotion_update frames to the end.
    expect(demo_page).to_have_url(re.compile(r"/promotions/[0-9a-f]{24}$"))
    summary = demo_page.get_by_role("region", name="Promotion")
    expect(summary.get_by_role("heading", name="2.5.0 to staging")).to_be_visible()
    target = demo_page.get_by_role("region", name="Environments")
    panel = target.get_by_role("region", name="Operation")
    expect(panel.get_by_role("heading", name=f"Upgrade of {STAGING} to 2.5.0")).to_be_visible(
        timeout=CHECK_WAIT_MS
    )
    expect(summary.get_by_text("Succeeded", exact=True)).to_be_visible(timeout=PROMOTION_WAIT_MS)
    expect(panel.get_by_label("Verification")).to_contain_text("version 2.5.0")
    expect(summary.get_by_role("button", name="Cancel promotion")).to_have_count(0)
    assert loads == []

    # The pipeline's history has it, and the board shows staging on 2.5.0.
    summary.get_by_role("link", name=PIPELINE).click()
    history = demo_page.get_by_role("table", name="Promotions")
    row = history.get_by_role("row").filter(has_text="staging").first
    expect(row).to_contain_text("2.5.0")
    expect(row).to_contain_text("Succeeded")
    expect(row).to_contain_text("demo-admin")
    staging = demo_page.get_by_role("region", name="staging", exact=True)
    expect(staging.get_by_role("listitem", name=STAGING)).to_contain_text(
        "2.5.0", timeout=CHECK_WAIT_MS
    )
