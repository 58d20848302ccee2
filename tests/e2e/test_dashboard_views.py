"""The dashboard's state in the URL and a bulk restart, in Chromium against the demo fleet."""

import re

from playwright.sync_api import Page, expect

# The demo checks every 10 s; a restart answers 503 for ~3 s and is verified by the checks
# that follow.
CHECK_WAIT_MS = 40_000
OPERATION_WAIT_MS = 90_000


def test_filters_sort_and_page_size_survive_a_reload(
    demo_page: Page, demo_ids: dict[str, str]
) -> None:
    demo_page.goto("/environments")
    expect(demo_page.get_by_role("article", name="billing-dev")).to_be_visible(
        timeout=CHECK_WAIT_MS
    )
    demo_page.get_by_role("searchbox", name="Search environments").fill("shop")
    demo_page.get_by_role("combobox", name="Sort by").click()
    demo_page.get_by_role("option", name=re.compile(r"^Name \(Z.A\)$")).click()
    demo_page.get_by_role("combobox", name="Per page:").click()
    demo_page.get_by_role("option", name="12", exact=True).click()
    expect(demo_page).to_have_url(re.compile(r"\?q=shop&sort=-name&perPage=12$"))

    demo_page.reload()
    expect(demo_page.get_by_role("searchbox", name="Search environments")).to_have_value("shop")
    cards = demo_page.get_by_role("article")
    expect(cards).to_have_count(4, timeout=CHECK_WAIT_MS)
    expect(cards.first).to_have_accessible_name("shop-staging")
    expect(cards.last).to_have_accessible_name("shop-dev")
    expect(demo_page.get_by_role("combobox", name="Per page:")).to_have_text("12")


def test_a_bulk_restart_from_the_swimlanes_shows_each_result(
    demo_page: Page, demo_ids: dict[str, str]
) -> None:
    demo_page.goto("/environments?group=meta:app&columns=meta:stage")
    grid = demo_page.get_by_role("table", name="Environments by group")
    expect(grid).to_be_visible(timeout=CHECK_WAIT_MS)
    headers = grid.get_by_role("columnheader")
    expect(headers.nth(1)).to_contain_text("dev")
    expect(headers.nth(2)).to_contain_text("qa")
    expect(headers.nth(3)).to_contain_text("staging")
    expect(headers.nth(4)).to_contain_text("prod")
    shop = grid.get_by_role("row", name="shop", exact=True)
    expect(shop.get_by_role("link")).to_have_count(4)

    # Still grouped after a reload: the grouping is the URL's.
    demo_page.reload()
    expect(grid).to_be_visible(timeout=CHECK_WAIT_MS)
    expect(demo_page.get_by_role("combobox", name="Group rows by")).to_have_value("app")

    grid.get_by_role("checkbox", name="Select shop-dev").check()
    grid.get_by_role("checkbox", name="Select shop-staging").check()
    bar = demo_page.get_by_role("region", name="Bulk actions")
    expect(bar).to_contain_text("2 selected")
    bar.get_by_role("button", name="Restart…").click()

    dialog = demo_page.get_by_role("dialog", name="Restart 2 environments")
    listed = dialog.get_by_role("table", name="Environments to restart")
    expect(listed.get_by_role("rowheader")).to_have_text(["shop-dev", "shop-staging"])
    dialog.get_by_role("button", name="Restart 2 environments").click()

    dialog = demo_page.get_by_role("dialog", name="Restart: results")
    results = dialog.get_by_role("table", name="Results")
    for name in ("shop-dev", "shop-staging"):
        row = results.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text("Started")
        expect(row.get_by_role("link", name="Details")).to_have_attribute(
            "href", re.compile(r"^/operations/[0-9a-f]{24}$")
        )
        # The status follows the operation live, to its end.
        expect(row).to_contain_text("Succeeded", timeout=OPERATION_WAIT_MS)
    expect(dialog.get_by_role("status")).to_have_text("2 started, 0 refused")
