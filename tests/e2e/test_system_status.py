"""A signed-in person opens Envdeck and sees the System status page fed by the real server."""

import re

import pytest
from playwright.sync_api import Page, expect

from envdeck import __version__

pytestmark = pytest.mark.usefixtures("signed_in")


def test_the_system_status_page_shows_the_server(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/environments$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="System status").click()
    expect(page).to_have_url(re.compile(r"/system$"))
    expect(page.get_by_role("heading", name="System status")).to_be_visible()
    expect(page.get_by_label("Version")).to_have_text(__version__)
    expect(page.get_by_label("Storage backend")).to_have_text("sqlite")
    expect(page.get_by_text("Ready", exact=True)).to_be_visible()
    # An admin also sees the instances: this one, live, with its version.
    me = page.get_by_role("row").filter(has_text="This instance")
    expect(me).to_contain_text("Live")
    expect(me.get_by_role("cell", name=__version__, exact=True)).to_be_visible()
    expect(page).to_have_title("System status · Envdeck")


def test_a_deep_link_loads_the_app_and_shows_not_found(page: Page) -> None:
    page.goto("/no/such/page")
    expect(page.get_by_text("Page not found")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_text("System status")).to_be_visible()


def test_the_theme_choice_survives_a_reload(page: Page) -> None:
    page.goto("/system")
    toggle = page.get_by_role("button", name="Toggle dark mode")
    before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    expect(page.locator("body")).not_to_have_css("background-color", before)
    after = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.reload()
    expect(page.get_by_role("heading", name="System status")).to_be_visible()
    expect(page.locator("body")).to_have_css("background-color", after)
