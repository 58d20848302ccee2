"""The app on a phone (390 by 844, an iPhone 12 or 13): every page fits its width, the first
environments are on the first screen, and a dialog takes the whole screen with its buttons."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accounts import Account, sign_in
from tests.e2e.app_pages import an_operation, app_pages, open_page, settle
from tests.e2e.test_accessibility import axe_violations
from tests.support.server import DemoServer

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def phone(browser: Browser, demo_server: DemoServer, demo_admin: Account) -> Iterator[Page]:
    context = browser.new_context(
        base_url=demo_server.server.url,
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    page = context.new_page()
    page.goto("/login")
    sign_in(page, demo_admin)
    yield page
    context.close()


def scroll_width(page: Page) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_every_page_fits_a_phone_without_scrolling_sideways(
    phone: Page, demo_server: DemoServer, demo_headers: dict[str, str], demo_ids: dict[str, str]
) -> None:
    operation_id = an_operation(demo_server, demo_headers, demo_ids["billing-staging"])
    too_wide, violations = {}, {}
    for path in app_pages(phone, demo_ids, operation_id):
        open_page(phone, path)
        if (width := scroll_width(phone)) > WIDTH:
            too_wide[path] = width
        # Narrow, tables scroll sideways in their box: axe wants a keyboard to reach them.
        if found := axe_violations(phone):
            violations[path] = found
    assert too_wide == {}
    assert violations == {}


def test_the_first_environment_is_on_the_first_screen(phone: Page) -> None:
    open_page(phone, "/environments")
    first = phone.get_by_role("article").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None
    assert box["y"] + 48 <= HEIGHT, box  # at least its name, below the top bar


def test_the_restart_dialog_fills_the_screen_with_its_confirm_button_on_it(phone: Page) -> None:
    name = "billing-qa"
    open_page(phone, "/environments")
    restart = phone.get_by_role("article", name=name).get_by_role("button", name=f"Restart {name}")
    expect(restart).to_be_enabled()
    settle(phone, restart)
    restart.click()
    dialog = phone.get_by_role("dialog", name=f"Restart {name}")
    confirm = dialog.get_by_role("button", name="Restart", exact=True)
    expect(confirm).to_be_enabled()
    box = confirm.bounding_box()
    assert box is not None
    assert 0 <= box["x"] <= WIDTH - box["width"], box
    assert 0 <= box["y"] <= HEIGHT - box["height"], box
    paper = dialog.bounding_box()
    assert paper is not None
    assert (paper["width"], paper["height"]) == (WIDTH, HEIGHT)
    assert scroll_width(phone) <= WIDTH

    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    # Closed, the dialog gives the focus back to the button that opened it.
    expect(restart).to_be_focused()
