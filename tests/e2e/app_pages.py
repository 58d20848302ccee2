"""Every page of the signed-in app, for the checks that go through them all (axe, small screens)."""

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.support.server import DemoServer

# Pages not in the main navigation: one environment, its forms, an operation, the tokens.
EXTRA_PAGES = ["/tokens", "/environments/new"]


def app_pages(page: Page, ids: dict[str, str], operation_id: str) -> list[str]:
    """The main navigation's pages (so a page added there is checked too), then the others."""
    page.goto("/environments")
    expect(page.get_by_role("heading", name="Environments", level=1)).to_be_visible()
    # The permanent drawer's links are in the document at any width (hidden on a phone).
    listed: list[str] = page.eval_on_selector_all(
        'nav[aria-label="Main"] a', "links => links.map(link => link.getAttribute('href'))"
    )
    environment = ids["billing-dev"]
    return [
        *dict.fromkeys(listed),
        *EXTRA_PAGES,
        f"/environments/{environment}",
        f"/environments/{environment}/edit",
        f"/operations/{operation_id}",
    ]


def open_page(page: Page, path: str) -> None:
    """Go to a page and wait until it has its heading and nothing left loading."""
    page.goto(path)
    expect(page.get_by_role("main").get_by_role("heading").first).to_be_visible(timeout=15_000)
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("progressbar")).to_have_count(0, timeout=15_000)


def settle(page: Page, control: Locator) -> None:
    """Scroll a dashboard control into view and let the card grid settle before it is clicked.

    Cards that come into view while the grid scrolls are drawn in two steps (an outline, then
    the card); a click in between can land on a card that is then drawn anew, and the dialog
    it opened is lost. The grid's scrolling state ends 150 ms after the last scroll.
    """
    control.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)


def an_operation(demo_server: DemoServer, headers: dict[str, str], environment_id: str) -> str:
    """The id of an operation: the environment's last one, or a restart started for this."""
    url = demo_server.server.url
    listed = httpx.get(
        f"{url}/api/v1/operations",
        params={"environmentId": environment_id, "limit": 1},
        headers=headers,
        timeout=30,
    )
    assert listed.status_code == 200, listed.text
    operations = listed.json()["operations"]
    if operations:
        known: str = operations[0]["id"]
        return known
    started = httpx.post(
        f"{url}/api/v1/environments/{environment_id}/restart", headers=headers, timeout=30
    )
    assert started.status_code == 202, started.text
    operation_id: str = started.json()["operationId"]
    return operation_id
