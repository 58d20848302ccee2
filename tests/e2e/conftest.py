"""The real server as a subprocess, the built UI, and Debian's Chromium through Playwright."""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from envdeck.api.ui import STATIC_DIR
from tests.e2e.accounts import ADMIN_PASSWORD, Account, create_first_admin, sign_in
from tests.support.server import DemoServer, RunningServer, start_demo_server, start_server

CHROMIUM = Path("/usr/bin/chromium")


def _require(condition: bool, why: str) -> None:
    # In CI a missing system package is a failure, never a silent skip.
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    _require((STATIC_DIR / "index.html").is_file(), "the UI is not built: run `make install`")
    running = start_server(tmp_path_factory.mktemp("e2e"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """A server of its own started with `--demo`: the simulated fleet, registered and checked."""
    _require((STATIC_DIR / "index.html").is_file(), "the UI is not built: run `make install`")
    running = start_demo_server(tmp_path_factory.mktemp("e2e-demo"))
    yield running
    running.server.stop()


# Module scope: sync Playwright keeps an event loop running in this thread while it is open,
# which the asyncio tests that may run after these must not find.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require(CHROMIUM.is_file(), "Chromium is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: RunningServer) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def admin(server: RunningServer) -> Account:
    """The shared server's first admin, created once per run with the server's setup token."""
    account = Account("e2e-admin", ADMIN_PASSWORD)
    create_first_admin(server.url, server.workdir, account)
    return account


@pytest.fixture
def signed_in(page: Page, admin: Account) -> Account:
    """Sign the test's page in as the shared server's admin (each test has its own context)."""
    page.goto("/login")
    sign_in(page, admin)
    return admin


# --- the demo fleet (envdeck serve --demo), shared by the health and operations tests -------

DEMO_ADMIN = Account("demo-admin", ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def demo_admin(demo_server: DemoServer) -> Account:
    create_first_admin(demo_server.server.url, demo_server.server.workdir, DEMO_ADMIN)
    return DEMO_ADMIN


@pytest.fixture(scope="session")
def demo_headers(demo_server: DemoServer, demo_admin: Account) -> dict[str, str]:
    login = httpx.post(
        f"{demo_server.server.url}/api/v1/auth/login",
        json={"username": demo_admin.username, "password": demo_admin.password},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


@pytest.fixture(scope="session")
def demo_ids(demo_server: DemoServer, demo_headers: dict[str, str]) -> dict[str, str]:
    """The registered demo environments' ids by name, once all twelve are there."""
    deadline = time.monotonic() + 30
    while True:
        listed = httpx.get(
            f"{demo_server.server.url}/api/v1/environments",
            params={"limit": 200},
            headers=demo_headers,
            timeout=30,
        )
        assert listed.status_code == 200, listed.text
        environments = listed.json()["environments"]
        if len(environments) >= 12 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(environments) >= 12, environments
    return {e["name"]: e["id"] for e in environments}


@pytest.fixture
def demo_page(browser: Browser, demo_server: DemoServer, demo_admin: Account) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_server.server.url)
    page = context.new_page()
    page.goto("/login")
    sign_in(page, demo_admin)
    yield page
    context.close()
