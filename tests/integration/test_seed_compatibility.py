"""The seed's inputs over the real app, on SQLite and on MongoDB: a health check endpoint given
as a path (resolved against environmentURL), `PUT /users/{id}`, a password reset's
`newPassword`, and a token without `Bearer `."""

import asyncio
import base64
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from envdeck.config import load_settings
from tests.conftest import drop_database, unique_database_name
from tests.support.live_app import (
    ADMIN_PASSWORD,
    PASSWORDS,
    Account,
    LiveApp,
    create_account,
    set_up_admin,
    sign_in,
)
from tests.support.targets import Target


@pytest.fixture(scope="module", params=["sqlite", "mongo"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApp]:
    environ = {
        "ENVDECK_DATA_DIR": str(tmp_path_factory.mktemp(f"seed-{request.param}") / "data"),
        "ENVDECK_AUTH__BCRYPT_COST": "4",
        "ENVDECK_CLUSTER__ENABLED": "false",
    }
    database = unique_database_name()
    if request.param == "mongo":
        environ |= {"MONGODB_URI": request.getfixturevalue("mongo_uri")}
        environ |= {"MONGODB_DATABASE": database}
    app = LiveApp(load_settings(environ=environ)).start()
    yield app
    app.stop()
    if request.param == "mongo":
        asyncio.run(drop_database(app.settings.database.uri, database))


@pytest.fixture(scope="module")
def admin(live: LiveApp) -> Account:
    return set_up_admin(live)


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


def call(live: LiveApp, method: str, path: str, account: Account, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {account.token}"} | kwargs.pop("headers", {})
    return httpx.request(method, f"{live.url}/api/v1{path}", headers=headers, **kwargs)


def create(live: LiveApp, admin: Account, body: dict[str, Any]) -> dict[str, Any]:
    response = call(live, "POST", "/environments", admin, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def seed_environment(name: str, base: str, endpoint: str = "/health") -> dict[str, Any]:
    """An environment as the original's README writes it (its metadata left out)."""
    return {
        "name": name,
        "description": "Local test container with SSH",
        "environmentURL": base,
        "target": {"host": "localhost", "port": 2221},
        "credentials": {"type": "password", "username": "root"},
        "healthCheck": {
            "enabled": False,
            "endpoint": endpoint,
            "method": "GET",
            "interval": 30,
            "timeout": 10,
            "validation": {"type": "statusCode", "value": 200},
        },
        "commands": {
            "type": "ssh",
            "restart": {"enabled": True, "command": "echo 'service restarted'"},
        },
    }


class TestPathEndpoint:
    def test_is_stored_as_given_and_shown_resolved(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        created = create(live, admin, seed_environment("path-shown", target.url("/app/")))
        assert created["healthCheck"]["endpoint"] == "/health"
        assert created["healthCheck"]["resolvedEndpoint"] == target.url("/app/health")
        got = call(live, "GET", f"/environments/{created['id']}", admin).json()
        assert got["healthCheck"]["endpoint"] == "/health"
        assert got["healthCheck"]["resolvedEndpoint"] == target.url("/app/health")
        listed = call(live, "GET", "/environments", admin, params={"q": "path-shown"}).json()
        assert listed["environments"][0]["healthCheck"]["resolvedEndpoint"] == target.url(
            "/app/health"
        )

    def test_a_full_url_is_used_as_it_is(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        body = seed_environment("path-full", target.url("/app"), target.url("/elsewhere/ping"))
        created = create(live, admin, body)
        assert created["healthCheck"]["resolvedEndpoint"] == target.url("/elsewhere/ping")

    def test_check_now_requests_the_resolved_url(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        target.reply("/shop/health", json_body={"status": "ok"})
        before = target.stats_of("/shop/health").requests
        created = create(live, admin, seed_environment("path-checked", target.url("/shop")))
        response = call(live, "POST", f"/environments/{created['id']}/check-health", admin)
        assert response.status_code == 200, response.text
        assert response.json()["health"] == "healthy"
        assert target.stats_of("/shop/health").requests == before + 1

    def test_the_scheduler_checks_the_resolved_url(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        target.reply("/scheduled/health", json_body={"status": "ok"})
        body = seed_environment("path-scheduled", target.url("/scheduled"))
        body["healthCheck"] |= {"enabled": True, "interval": 3600}
        created = create(live, admin, body)
        deadline = time.monotonic() + 30
        while target.stats_of("/scheduled/health").requests == 0:
            assert time.monotonic() < deadline, "the scheduler never checked the resolved URL"
            time.sleep(0.1)
        while True:
            status = call(live, "GET", f"/environments/{created['id']}", admin).json()["status"]
            if status["health"] == "healthy":
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.1)

    def test_the_environment_urls_password_is_sent_but_shown_masked(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        target.reply("/private/health", json_body={"status": "ok"})
        base = target.url("/private").replace("://", "://probe:s3cret-word@")
        created = create(live, admin, seed_environment("path-private", base))
        assert created["healthCheck"]["resolvedEndpoint"] == (
            target.url("/private/health").replace("://", "://probe:********@")
        )
        response = call(live, "POST", f"/environments/{created['id']}/check-health", admin)
        assert response.json()["health"] == "healthy", response.text
        sent = target.stats_of("/private/health").headers[-1]
        expected = base64.b64encode(b"probe:s3cret-word").decode()
        assert sent.get("Authorization") == f"Basic {expected}"

    def test_a_path_without_environment_url_is_refused_saying_why(
        self, live: LiveApp, admin: Account
    ) -> None:
        body = seed_environment("path-nowhere", "http://unused.example")
        del body["environmentURL"]
        response = call(live, "POST", "/environments", admin, json=body)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert "'/health' is a path" in error["message"]
        assert "environmentURL" in error["message"]

    def test_removing_the_environment_url_under_a_path_is_refused(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        created = create(live, admin, seed_environment("path-kept", target.url("/")))
        path = f"/environments/{created['id']}"
        response = call(live, "PATCH", path, admin, json={"environmentURL": None})
        assert response.status_code == 422
        assert "is a path" in response.json()["error"]["message"]
        assert call(live, "GET", path, admin).json()["environmentURL"] == target.url("/")

    def test_an_endpoint_that_is_no_http_url_is_refused(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        body = seed_environment("path-ftp", target.url("/"), "ftp://files.example/health")
        response = call(live, "POST", "/environments", admin, json=body)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"

    def test_the_resolved_endpoint_sent_back_is_ignored(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        created = create(live, admin, seed_environment("path-round-trip", target.url("/a")))
        config = {k: v for k, v in created.items() if k != "id"}
        config["healthCheck"]["resolvedEndpoint"] = "http://attacker.example/"
        response = call(live, "PUT", f"/environments/{created['id']}", admin, json=config)
        assert response.status_code == 200, response.text
        assert response.json()["healthCheck"]["resolvedEndpoint"] == target.url("/a/health")

    def test_a_test_of_an_unsaved_check_resolves_against_the_forms_url(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        target.reply("/form/health", json_body={"status": "ok"})
        body = {
            "healthCheck": {"endpoint": "/health", "interval": 60, "timeout": 5},
            "environmentURL": target.url("/form"),
        }
        response = call(live, "POST", "/health-checks/test", admin, json=body)
        assert response.status_code == 200, response.text
        assert response.json()["health"] == "healthy"
        del body["environmentURL"]
        refused = call(live, "POST", "/health-checks/test", admin, json=body)
        assert refused.status_code == 422
        assert "is a path" in refused.json()["error"]["message"]

    def test_a_test_elsewhere_does_not_take_the_stored_secrets(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        target.reply("/kept/health", json_body={"status": "ok"})
        body = seed_environment("path-secret-header", target.url("/kept"))
        body["healthCheck"]["headers"] = {"Authorization": "Bearer kept-secret-41"}
        created = create(live, admin, body)
        check = {"endpoint": "/health", "headers": {"Authorization": "********"}}
        test = {"healthCheck": check, "environmentId": created["id"]}
        elsewhere = test | {"environmentURL": "http://127.0.0.2:9/kept"}
        refused = call(live, "POST", "/health-checks/test", admin, json=elsewhere)
        assert refused.status_code == 422
        assert "only sent to this environment's own" in refused.json()["error"]["message"]
        own = test | {"environmentURL": target.url("/kept")}
        response = call(live, "POST", "/health-checks/test", admin, json=own)
        assert response.json()["health"] == "healthy", response.text
        sent = target.stats_of("/kept/health").headers[-1]
        assert sent.get("Authorization") == "Bearer kept-secret-41"

    def test_export_keeps_the_path_and_import_takes_it(
        self, live: LiveApp, admin: Account, target: Target
    ) -> None:
        create(live, admin, seed_environment("path-exported", target.url("/x")))
        exported = call(live, "GET", "/environments/export", admin, params={"q": "path-exported"})
        assert exported.status_code == 200
        assert "endpoint: /health" in exported.text
        assert "resolvedEndpoint" not in exported.text
        text = exported.text.replace("path-exported", "path-imported")
        response = call(
            live,
            "POST",
            "/environments/import",
            admin,
            content=text,
            headers={"Content-Type": "application/yaml"},
        )
        assert response.status_code == 200, response.text
        listed = call(live, "GET", "/environments", admin, params={"q": "path-imported"}).json()
        check = listed["environments"][0]["healthCheck"]
        assert (check["endpoint"], check["resolvedEndpoint"]) == (
            "/health",
            target.url("/x/health"),
        )


class TestPutUser:
    def test_a_viewer_may_not_put(self, live: LiveApp, admin: Account) -> None:
        viewer = create_account(live, admin, "put-viewer", "viewer")
        response = call(live, "PUT", f"/users/{viewer.user_id}", viewer, json={"role": "admin"})
        assert response.status_code == 403

    def test_an_unknown_user_is_not_found(self, live: LiveApp, admin: Account) -> None:
        response = call(live, "PUT", "/users/6b05a2c33c0ca6934944ef1e", admin, json={})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"

    def test_takes_the_seeds_body(self, live: LiveApp, admin: Account) -> None:
        user = create_account(live, admin, "put-target", "viewer")
        body = {"role": "user", "active": False, "metadata": {"team": "qa"}}
        response = call(live, "PUT", f"/users/{user.user_id}", admin, json=body)
        assert response.status_code == 200, response.text
        assert (response.json()["role"], response.json()["active"]) == ("user", False)
        stored = call(live, "GET", f"/users/{user.user_id}", admin).json()
        assert (stored["role"], stored["active"]) == ("user", False)


class TestPasswordResetNewPassword:
    def test_new_password_sets_the_password(self, live: LiveApp, admin: Account) -> None:
        user = create_account(live, admin, "reset-new", "viewer")
        new = "harbor-violet-compass-42"
        path = f"/users/{user.user_id}/password/reset"
        response = call(live, "POST", path, admin, json={"newPassword": new})
        assert response.status_code == 204, response.text
        assert sign_in(live, "reset-new", new)

    def test_two_different_passwords_or_none_are_refused(
        self, live: LiveApp, admin: Account
    ) -> None:
        user = create_account(live, admin, "reset-two", "viewer")
        path = f"/users/{user.user_id}/password/reset"
        both = {"password": "harbor-violet-compass-42", "newPassword": "other-lantern-river-17"}
        for body in (both, {}):
            response = call(live, "POST", path, admin, json=body)
            assert response.status_code == 422, body
            assert response.json()["error"]["code"] == "VALIDATION_ERROR"
        assert sign_in(live, "reset-two", PASSWORDS["viewer"])


class TestBareToken:
    def me(self, live: LiveApp, authorization: str) -> httpx.Response:
        return httpx.get(f"{live.url}/api/v1/auth/me", headers={"Authorization": authorization})

    def test_a_login_token_without_bearer_is_accepted(self, live: LiveApp, admin: Account) -> None:
        response = self.me(live, admin.token)
        assert response.status_code == 200, response.text
        assert response.json()["username"] == "admin"

    def test_an_api_token_without_bearer_is_accepted(self, live: LiveApp, admin: Account) -> None:
        created = call(live, "POST", "/tokens", admin, json={"name": "bare", "role": "viewer"})
        assert created.status_code == 201, created.text
        assert self.me(live, created.json()["secret"]).status_code == 200

    def test_a_wrong_bare_token_or_another_scheme_is_401(
        self, live: LiveApp, admin: Account
    ) -> None:
        basic = base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
        for authorization in ("not-a-token", f"Basic {basic}", f"Token {admin.token}"):
            response = self.me(live, authorization)
            assert response.status_code == 401, authorization
            assert response.json()["error"]["code"] == "UNAUTHORIZED"
