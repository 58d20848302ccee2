"""The app by keyboard in Chromium: the skip link, one tab stop per dashboard card, a visible
focus ring, and the focus back on the button that opened a dialog once it closes."""

from playwright.sync_api import Page, expect

from tests.e2e.app_pages import open_page


def focused_outline(page: Page) -> str:
    outline: str = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return `${s.outlineStyle} ${s.outlineWidth}`; }"
    )
    return outline


def test_the_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(demo_page: Page) -> None:
    open_page(demo_page, "/environments")
    demo_page.keyboard.press("Tab")
    skip = demo_page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    demo_page.keyboard.press("Enter")
    expect(demo_page.get_by_role("main")).to_be_focused()
    assert demo_page.url.endswith("/environments")
    # The next Tab is in the page, past the top bar and the navigation.
    demo_page.keyboard.press("Tab")
    in_main = demo_page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )
    assert in_main


def test_each_card_is_one_tab_stop_with_its_buttons_on_the_arrow_keys(demo_page: Page) -> None:
    open_page(demo_page, "/environments")
    first = demo_page.get_by_role("article").nth(0)
    second = demo_page.get_by_role("article").nth(1)
    first_name = first.get_attribute("aria-label")
    second_name = second.get_attribute("aria-label")
    first.get_by_role("link", name=first_name, exact=True).focus()

    demo_page.keyboard.press("Tab")
    expect(second.get_by_role("link", name=second_name, exact=True)).to_be_focused()
    assert focused_outline(demo_page) == "solid 2px"

    demo_page.keyboard.press("Shift+Tab")
    demo_page.keyboard.press("End")
    expect(first.get_by_role("button", name=f"Upgrade {first_name}")).to_be_focused()
    assert focused_outline(demo_page) == "solid 2px"
    demo_page.keyboard.press("ArrowLeft")
    expect(first.get_by_role("button", name=f"Restart {first_name}")).to_be_focused()


def test_closing_a_dialog_opened_from_a_menu_returns_the_focus_to_the_menu_button(
    demo_page: Page,
) -> None:
    open_page(demo_page, "/environments")
    card = demo_page.get_by_role("article", name="billing-dev")
    menu_button = card.get_by_role("button", name="Actions for billing-dev")
    menu_button.focus()
    demo_page.keyboard.press("Enter")
    demo_page.get_by_role("menuitem", name="Delete").press("Enter")
    dialog = demo_page.get_by_role("dialog", name="Delete billing-dev?")
    expect(dialog).to_be_visible()
    demo_page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(menu_button).to_be_focused()
