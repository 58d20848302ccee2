"""Live updates in Chromium: what one signed-in browser does, another sees without a reload."""

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.accounts import VIEWER_PASSWORD, Account, sign_in
from tests.support.server import RunningServer

WATCHER = Account("rt-viewer", VIEWER_PASSWORD)


def _token(base_url: str, account: Account) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": account.username, "password": account.password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@pytest.fixture(scope="module")
def watcher(server: RunningServer, admin: Account) -> Account:
    """A viewer of this module's own: dashboard messages reach every role."""
    response = httpx.post(
        f"{server.url}/api/v1/users",
        json={"username": WATCHER.username, "password": WATCHER.password, "role": "viewer"},
        headers={"Authorization": f"Bearer {_token(server.url, admin)}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return WATCHER


@pytest.fixture
def contexts(browser: Browser, server: RunningServer) -> Iterator[list[BrowserContext]]:
    """Two browser sessions of their own (separate storage: two sign-ins)."""
    opened = [browser.new_context(base_url=server.url) for _ in range(2)]
    yield opened
    for context in opened:
        context.close()


def _signed_in(context: BrowserContext, account: Account) -> Page:
    page = context.new_page()
    page.goto("/login")
    sign_in(page, account)
    return page


def _live(page: Page) -> None:
    expect(page.get_by_role("button", name="Live updates: connected")).to_be_visible()


def test_an_environment_created_in_one_browser_shows_live_in_another(
    contexts: list[BrowserContext], admin: Account, watcher: Account
) -> None:
    maker_context, watcher_context = contexts
    name = "live-cobalt"

    # The viewer watches the dashboard in one tab and tails the activity log in another.
    dashboard = _signed_in(watcher_context, watcher)
    # Searched for before it exists: the dashboard draws only the cards on screen.
    dashboard.goto(f"/environments?q={name}")
    expect(dashboard.get_by_role("heading", name="Environments", exact=True)).to_be_visible()
    _live(dashboard)
    expect(dashboard.get_by_role("article", name=name)).to_have_count(0)

    tail = watcher_context.new_page()
    tail.goto("/activity")
    expect(tail.get_by_role("heading", name="Activity", exact=True)).to_be_visible()
    _live(tail)
    tail.get_by_role("switch", name="Live tail").check()
    expect(tail.get_by_role("row").filter(has_text=name)).to_have_count(0)
    bell = dashboard.get_by_role("banner").get_by_role("button", name=re.compile("^Notifications"))
    bell_before = bell.get_attribute("aria-label") or bell.inner_text()
    loads = {"dashboard": 0, "tail": 0}
    dashboard.on("load", lambda _page: loads.__setitem__("dashboard", loads["dashboard"] + 1))
    tail.on("load", lambda _page: loads.__setitem__("tail", loads["tail"] + 1))

    # The admin creates an environment through the form in the other browser.
    maker = _signed_in(maker_context, admin)
    maker.goto("/environments/new")
    expect(maker.get_by_role("heading", name="New environment")).to_be_visible()
    maker.get_by_label("Name", exact=True).fill(name)
    maker.get_by_label("Description").fill("Made while others watch")
    maker.get_by_role("button", name="Create environment").click()
    expect(maker.get_by_role("heading", level=1, name=name)).to_be_visible()

    # Without a reload, the viewer's dashboard has the new card ...
    card = dashboard.get_by_role("article", name=name)
    expect(card).to_be_visible()
    expect(card.get_by_text("Made while others watch")).to_be_visible()
    # ... and the live tail has its entry on top, by whom it was done.
    newest = tail.get_by_role("table", name="Activity log").locator("tbody > tr").first
    expect(newest).to_contain_text(name)
    entry = tail.get_by_role("row").filter(has_text=name).first
    expect(entry).to_contain_text(admin.username)
    assert loads == {"dashboard": 0, "tail": 0}

    # A new environment needs nobody: it is in the Activity page, the bell does not count it.
    expect(dashboard.get_by_role("button", name=bell_before, exact=True)).to_be_visible()
