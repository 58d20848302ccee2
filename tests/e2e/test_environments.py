"""The environments dashboard and details page, fed by environments created through the API."""

import base64
import json
import re
import sqlite3

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from envdeck.adapters.secret_box import SecretBox
from envdeck.services.inventory.sealing import leaf_context
from tests.e2e.accounts import Account
from tests.support.server import RunningServer


def _create(base_url: str, token: str, body: dict[str, object]) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/environments",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def environments(server: RunningServer, admin: Account) -> dict[str, str]:
    """Two environments of this module's own, by name → id."""
    login = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": admin.username, "password": admin.password},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    token = login.json()["token"]
    bodies = [
        {
            "name": "dash-orchid",
            "description": "Orchid storefront",
            "environmentURL": "https://orchid.example.test",
            "tags": ["e2e-dash", "shop"],
            "target": {"host": "orchid.internal", "port": 2222},
        },
        {
            "name": "dash-basalt",
            "description": "Basalt billing",
            "environmentURL": "https://basalt.example.test",
            "tags": ["e2e-dash"],
        },
    ]
    return {str(body["name"]): _create(server.url, token, body) for body in bodies}


@pytest.mark.usefixtures("signed_in")
def test_the_dashboard_searches_and_opens_an_environment(
    page: Page, environments: dict[str, str]
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/environments$"))
    expect(page.get_by_role("heading", name="Environments", exact=True)).to_be_visible()
    expect(page.get_by_role("article", name="dash-orchid")).to_be_visible()
    expect(page.get_by_role("article", name="dash-basalt")).to_be_visible()

    page.get_by_role("searchbox", name="Search environments").fill("orchid")
    expect(page.get_by_role("article", name="dash-basalt")).to_have_count(0)
    card = page.get_by_role("article", name="dash-orchid")
    expect(card.get_by_text("Orchid storefront")).to_be_visible()
    expect(card.get_by_role("link", name="https://orchid.example.test")).to_be_visible()

    card.get_by_role("link", name="dash-orchid").click()
    expect(page).to_have_url(re.compile(rf"/environments/{environments['dash-orchid']}$"))
    expect(page.get_by_role("heading", level=1, name="dash-orchid")).to_be_visible()
    target = page.get_by_role("region", name="Target")
    expect(target).to_contain_text("orchid.internal")
    expect(target).to_contain_text("2222")
    expect(page).to_have_title("dash-orchid · Envdeck")

    # An id that is not there: a real not-found message, not a blank page.
    page.goto("/environments/000000000000000000000000")
    expect(page.get_by_role("heading", name="Environment not found")).to_be_visible()


SECRET = "Bearer e2e-form-secret-4f1c9a"
# Statuses that carry no body (no content, redirects).
NO_BODY = (204, 301, 302, 303, 304, 307)


@pytest.mark.usefixtures("signed_in")
def test_the_form_creates_and_edits_an_environment_keeping_its_secret_header(
    page: Page, server: RunningServer, admin: Account
) -> None:
    # Every API answer the page gets, read as it passes (a body read later may be gone once
    # the page navigated away from it).
    bodies: list[str] = []

    def record(route: Route) -> None:
        response = route.fetch()
        if response.status not in NO_BODY:
            bodies.append(response.text())
        route.fulfill(response=response)

    page.route("**/api/**", record)

    # Create through the form, with a secret health-check header.
    page.goto("/environments")
    page.get_by_role("link", name="New environment").first.click()
    expect(page.get_by_role("heading", name="New environment")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("form-granite")
    page.get_by_label("Description").fill("Made in the form")
    page.get_by_label("Host", exact=True).fill("granite.internal")
    page.get_by_role("switch", name="Check health").check()
    page.get_by_label("Endpoint").fill("https://granite.example.test/health")
    headers = page.get_by_role("group", name="Health-check headers")
    headers.get_by_role("button", name="Add header").click()
    headers.get_by_label("Header name").fill("Authorization")
    headers.get_by_label("Value").fill(SECRET)
    page.get_by_role("button", name="Create environment").click()
    expect(page.get_by_role("heading", level=1, name="form-granite")).to_be_visible()
    env_id = page.url.rsplit("/", 1)[-1]

    # Edit something else: the secret field shows "stored" and is left alone.
    page.get_by_role("link", name="Edit").click()
    headers = page.get_by_role("group", name="Health-check headers")
    expect(headers.get_by_label("Value")).to_have_attribute(
        "placeholder", "Stored: type to replace"
    )
    page.get_by_label("Description").fill("Edited in the form")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1, name="form-granite")).to_be_visible()
    expect(page.get_by_role("region", name="Overview")).to_contain_text("Edited in the form")

    # Stop recording (the page keeps polling while the test ends).
    page.unroute_all(behavior="ignoreErrors")
    # The header is still stored (masked), and the page never received the secret.
    login = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": admin.username, "password": admin.password},
        timeout=30,
    )
    token = login.json()["token"]
    stored = httpx.get(
        f"{server.url}/api/v1/environments/{env_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert stored["description"] == "Edited in the form"
    assert stored["healthCheck"]["headers"] == {"Authorization": "********"}
    # No route ever decrypts a secret: open the stored value with the installation's own key.
    assert _stored_secret(server, env_id) == SECRET
    assert bodies, "no API response was seen"
    assert not [body for body in bodies if "e2e-form-secret" in body]


def _stored_secret(server: RunningServer, environment_id: str) -> str:
    data = server.workdir / "data"
    with sqlite3.connect(data / "envdeck.db") as database:
        (doc,) = database.execute(
            "SELECT doc FROM environments WHERE id = ?", (environment_id,)
        ).fetchone()
    sealed = json.loads(doc)["healthCheck"]["headers"]["Authorization"]
    key = base64.urlsafe_b64decode((data / "encryption.key").read_text().strip() + "==")
    context = leaf_context(environment_id, ("healthCheck", "headers", "Authorization"))
    return SecretBox(key).open(sealed, context)


@pytest.mark.usefixtures("signed_in")
def test_the_form_takes_a_path_endpoint_and_the_details_show_the_url_checked(
    page: Page,
) -> None:
    page.goto("/environments/new")
    page.get_by_label("Name", exact=True).fill("form-basalt")
    page.get_by_role("switch", name="Check health").check()
    endpoint = page.get_by_label("Endpoint")
    endpoint.fill("/health")
    page.get_by_role("button", name="Create environment").click()
    expect(page.get_by_text("A path is joined to the environment URL")).to_be_visible()

    page.get_by_label("Environment URL").fill("https://basalt.example.test/app/")
    expect(page.get_by_text("Checks https://basalt.example.test/app/health")).to_be_visible()
    page.get_by_role("button", name="Create environment").click()
    expect(page.get_by_role("heading", level=1, name="form-basalt")).to_be_visible()

    configuration = page.get_by_role("region", name="Configuration")
    expect(configuration.get_by_text("/health", exact=True)).to_be_visible()
    expect(configuration.get_by_text("https://basalt.example.test/app/health")).to_be_visible()
