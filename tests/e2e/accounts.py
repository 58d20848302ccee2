"""People who use Envdeck in the e2e tests, and signing them in through the UI."""

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

# Long, unrelated words: the server's policy wants 12-72 bytes and a zxcvbn score of 3 or more.
ADMIN_PASSWORD = "quartz-lantern-orbit-91"
VIEWER_PASSWORD = "amber-walrus-tundra-57"


@dataclass(frozen=True)
class Account:
    username: str
    password: str


def setup_token(workdir: Path) -> str:
    """Return the one-time setup token the server wrote into its data dir at start-up."""
    return (workdir / "data" / "setup_token").read_text(encoding="utf-8").strip()


def create_first_admin(base_url: str, workdir: Path, account: Account) -> None:
    """Complete setup through the API, as `envdeck serve` asks the first visitor to."""
    response = httpx.post(
        f"{base_url}/api/v1/setup",
        json={
            "token": setup_token(workdir),
            "username": account.username,
            "password": account.password,
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text


def sign_in(page: Page, account: Account) -> None:
    """Sign in on the login page (the page must show it) and wait until it has moved on."""
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username or email").fill(account.username)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login$"))


def sign_out(page: Page, account: Account) -> None:
    """Sign out through the user menu in the top bar."""
    page.get_by_role("button", name=account.username, exact=True).click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
