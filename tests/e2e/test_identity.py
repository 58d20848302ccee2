"""Identity in the browser: the first admin sets up Envdeck, adds a viewer, and the viewer sees
only what a viewer may."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accounts import (
    ADMIN_PASSWORD,
    VIEWER_PASSWORD,
    Account,
    setup_token,
    sign_in,
    sign_out,
)
from tests.support.server import RunningServer, start_server

ROOT = Account("root-admin", ADMIN_PASSWORD)
VIEWER = Account("vic-viewer", VIEWER_PASSWORD)


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own, still waiting for its first admin (the shared one is set up)."""
    running = start_server(tmp_path_factory.mktemp("e2e-identity"))
    yield running
    running.stop()


@pytest.fixture
def fresh_page(browser: Browser, fresh_server: RunningServer) -> Iterator[Page]:
    context = browser.new_context(base_url=fresh_server.url)
    yield context.new_page()
    context.close()


def test_an_admin_sets_up_adds_a_viewer_and_the_viewer_cannot_manage_users(
    fresh_page: Page, fresh_server: RunningServer
) -> None:
    page = fresh_page

    # Set up: the first visit asks for the setup token, and signs the new admin in.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    page.get_by_label("Setup token").fill(setup_token(fresh_server.workdir))
    page.get_by_label("Username").fill(ROOT.username)
    page.get_by_label("Password", exact=True).fill(ROOT.password)
    page.get_by_label("Confirm password").fill(ROOT.password)
    page.get_by_role("button", name="Create admin and sign in").click()
    expect(page.get_by_role("heading", name="Environments", exact=True)).to_be_visible()

    # Sign out, and back in as the admin through the login page.
    sign_out(page, ROOT)
    sign_in(page, ROOT)
    expect(page).to_have_url(re.compile(r"/environments$"))

    # Create a viewer on the Users page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    users = page.get_by_role("table", name="Users")
    expect(users.get_by_role("row").filter(has_text=ROOT.username)).to_be_visible()
    page.get_by_role("button", name="Create user").click()
    dialog = page.get_by_role("dialog", name="Create user")
    dialog.get_by_label("Username").fill(VIEWER.username)
    expect(dialog.get_by_role("combobox", name="Role")).to_have_text("Viewer")
    dialog.get_by_label("Password", exact=True).fill(VIEWER.password)
    dialog.get_by_role("button", name="Create user").click()
    expect(dialog).to_be_hidden()
    viewer_row = users.get_by_role("row").filter(has_text=VIEWER.username)
    expect(viewer_row).to_contain_text("Viewer")
    expect(viewer_row).to_contain_text("Active")

    # The viewer signs in from a deep link and is brought back to it.
    sign_out(page, ROOT)
    page.goto("/tokens")
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in(page, VIEWER)
    expect(page).to_have_url(re.compile(r"/tokens$"))
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()

    # No Users entry for a viewer, and the page itself shows nothing of the users.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="System status")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    page.goto("/users")
    expect(page.get_by_role("heading", name="You don't have access")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.get_by_role("button", name="Create user")).to_have_count(0)
    expect(
        page.get_by_role("button", name=re.compile(r"^(Edit|Delete|Reset password)"))
    ).to_have_count(0)


@pytest.mark.usefixtures("admin")
def test_a_wrong_password_is_refused_in_the_page_without_a_reload(page: Page) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # Gone if the form's submission reloaded the page.
    page.evaluate("window.envdeckMarker = 'same page'")

    page.get_by_label("Username or email").fill("e2e-admin")
    page.get_by_label("Password", exact=True).fill("not-the-password-at-all")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("Invalid username or password")
    expect(page).to_have_url(re.compile(r"/login$"))
    assert page.evaluate("window.envdeckMarker") == "same page"
    expect(page.get_by_label("Username or email")).to_have_value("e2e-admin")
