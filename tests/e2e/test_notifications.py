"""Notification channels in Chromium: create one, press Test, see the delivery result."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.accounts import Account
from tests.support.receiver import Receiver

NAME = "E2E hook"
# A distinctive part of the URL: it must never show on the page.
SECRET_PATH = "/hooks/e2e-s3cret-token"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def test_a_channel_created_in_the_ui_is_tested_sent_then_failed(
    page: Page, signed_in: Account, receiver: Receiver
) -> None:
    page.goto("/notifications")
    page.get_by_role("button", name="New channel").click()
    dialog = page.get_by_role("dialog", name="New channel")
    expect(dialog.get_by_label("Examples of Apprise URLs")).to_contain_text("json://")
    dialog.get_by_label("Name").fill(NAME)
    dialog.get_by_label("Apprise URL", exact=True).fill(receiver.apprise_url(SECRET_PATH))
    expect(dialog.get_by_role("checkbox", name="environment.unhealthy")).to_be_checked()
    dialog.get_by_role("checkbox", name="operation.failed").check()
    dialog.get_by_role("button", name="Create channel").click()

    expect(page.get_by_text(f"Created {NAME}.")).to_be_visible()
    table = page.get_by_role("table", name="Notification channels")
    row = table.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("json")
    delivery = table.get_by_role("cell", name=f"Last delivery of {NAME}")
    expect(delivery).to_have_text("Never")

    row.get_by_role("button", name=f"Test {NAME}").click()

    expect(delivery).to_contain_text("Sent")
    expect(page.get_by_text(f"Test message sent to {NAME}.")).to_be_visible()
    [message] = receiver.wait_for(1)
    assert message.path == SECRET_PATH
    assert "test" in f"{message.title} {message.message}".lower()

    receiver.go_down()
    row.get_by_role("button", name=f"Test {NAME}").click()

    expect(delivery).to_contain_text("Failed")
    expect(page.get_by_text(f"Test message to {NAME} failed:")).to_be_visible()
    assert len(receiver.messages) == 1
    assert "s3cret" not in page.content()

    row.get_by_role("button", name=f"Delete {NAME}").click()
    page.get_by_role("dialog", name=f"Delete {NAME}?").get_by_role(
        "button", name="Delete channel"
    ).click()
    expect(page.get_by_text(f"Deleted {NAME}.")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text=NAME)).to_have_count(0)
