"""Reservations in Chromium: one user reserves from a card, another sees it live, it is released."""

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.accounts import VIEWER_PASSWORD, Account, sign_in
from tests.support.server import RunningServer

HOLDER = Account("rs-holder", VIEWER_PASSWORD)
WATCHER = Account("rs-watcher", VIEWER_PASSWORD)
NAME = "res-garnet"


def _token(base_url: str, account: Account) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": account.username, "password": account.password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def _post(base_url: str, token: str, path: str, body: dict[str, object]) -> None:
    response = httpx.post(
        f"{base_url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 201, response.text


def _account(account: Account) -> dict[str, object]:
    return {"username": account.username, "password": account.password}


@pytest.fixture(scope="module")
def people(server: RunningServer, admin: Account) -> tuple[Account, Account]:
    """A user who reserves, a viewer who watches, and the environment of this module."""
    token = _token(server.url, admin)
    _post(server.url, token, "/api/v1/users", {**_account(HOLDER), "role": "user"})
    _post(server.url, token, "/api/v1/users", {**_account(WATCHER), "role": "viewer"})
    _post(server.url, token, "/api/v1/environments", {"name": NAME, "tags": ["e2e-res"]})
    return HOLDER, WATCHER


@pytest.fixture
def contexts(browser: Browser, server: RunningServer) -> Iterator[list[BrowserContext]]:
    """Two browser sessions of their own (separate storage: two sign-ins)."""
    opened = [browser.new_context(base_url=server.url) for _ in range(2)]
    yield opened
    for context in opened:
        context.close()


def _dashboard(context: BrowserContext, account: Account) -> Page:
    page = context.new_page()
    page.goto("/login")
    sign_in(page, account)
    page.goto("/environments")
    page.get_by_role("searchbox", name="Search environments").fill(NAME)
    expect(page.get_by_role("button", name="Live updates: connected")).to_be_visible()
    return page


def test_a_reservation_made_on_a_card_shows_live_on_another_dashboard_until_released(
    contexts: list[BrowserContext], people: tuple[Account, Account]
) -> None:
    holder, watcher = people
    holder_context, watcher_context = contexts
    watching = _dashboard(watcher_context, watcher)
    watched_card = watching.get_by_role("article", name=NAME)
    expect(watched_card.get_by_text("Free", exact=True)).to_be_visible()
    # A viewer sees reservations but makes none.
    expect(watched_card.get_by_role("button", name="Reserve")).to_have_count(0)
    loads = {"count": 0}
    watching.on("load", lambda _page: loads.__setitem__("count", loads["count"] + 1))

    reserving = _dashboard(holder_context, holder)
    card = reserving.get_by_role("article", name=NAME)
    card.get_by_role("button", name="Reserve").click()
    dialog = reserving.get_by_role("dialog", name=f"Reserve {NAME}")
    dialog.get_by_label("Purpose").fill("PR 123")
    dialog.get_by_role("button", name="Reserve").click()
    expect(dialog).to_have_count(0)

    label = re.compile(rf"^Reserved by {holder.username} until .+ · PR 123$")
    expect(card.get_by_text(label)).to_be_visible()
    # Without a reload, the other dashboard says who holds it.
    expect(watched_card.get_by_text(label)).to_be_visible()

    card.get_by_role("button", name="Release").click()
    reserving.get_by_role("dialog", name=f"Release {NAME}?").get_by_role(
        "button", name="Release"
    ).click()
    expect(card.get_by_text("Free", exact=True)).to_be_visible()
    expect(watched_card.get_by_text("Free", exact=True)).to_be_visible()
    assert loads == {"count": 0}
