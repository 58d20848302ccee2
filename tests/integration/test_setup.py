"""First run: a setup token, no default password, exactly one first admin."""

import asyncio
import stat
from collections.abc import Callable

from fastapi.testclient import TestClient

from envdeck.adapters.events import EventBus
from envdeck.adapters.passwords import PasswordHasher
from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.errors import Conflict
from envdeck.domain.user import User, UserListOptions
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.identity.setup import SetupService
from tests.integration.conftest import ADMIN_PASSWORD, read_setup_token


def setup_body(token: str, username: str = "root-admin") -> dict[str, str]:
    return {"token": token, "username": username, "password": ADMIN_PASSWORD}


def test_a_fresh_install_needs_setup_and_keeps_the_token_private(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/setup").json() == {"needsSetup": True}
        token_file = settings.data_dir / "setup_token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        # No default account exists to sign in with.
        login = client.post("/api/v1/auth/login", json={"username": "admin", "password": "admin"})
        assert login.status_code == 401


def test_setup_creates_the_first_admin_and_signs_them_in(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/v1/setup", json=setup_body(read_setup_token(settings)))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["user"]["role"] == "admin"
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.json()["username"] == "root-admin"
        assert client.get("/api/v1/setup").json() == {"needsSetup": False}
        assert not (settings.data_dir / "setup_token").exists()


def test_setup_refuses_a_wrong_token(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings())) as client:
        response = client.post("/api/v1/setup", json=setup_body("not-the-token"))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"
        assert client.get("/api/v1/setup").json() == {"needsSetup": True}


def test_setup_is_refused_once_a_user_exists(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    with TestClient(create_app(settings)) as client:
        token = read_setup_token(settings)
        assert client.post("/api/v1/setup", json=setup_body(token)).status_code == 201
        again = client.post("/api/v1/setup", json=setup_body(token, "second-admin"))
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "CONFLICT"


def test_setup_applies_the_password_policy(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    with TestClient(create_app(settings)) as client:
        body = setup_body(read_setup_token(settings)) | {"password": "password123"}
        response = client.post("/api/v1/setup", json=body)
        assert response.status_code == 422
        assert response.json()["error"]["details"]["field"] == "password"


def test_unattended_install_creates_the_admin_from_the_environment(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(
        ENVDECK_ADMIN_USERNAME="ops-admin", ENVDECK_ADMIN_PASSWORD=ADMIN_PASSWORD
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/setup").json() == {"needsSetup": False}
        login = client.post(
            "/api/v1/auth/login", json={"username": "ops-admin", "password": ADMIN_PASSWORD}
        )
        assert login.status_code == 200
        assert login.json()["user"]["role"] == "admin"
    assert not (settings.data_dir / "setup_token").exists()


async def test_two_instances_racing_create_one_first_admin(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    instances = []
    for _ in range(2):
        storage = SqliteStorage(settings.sqlite_path)
        await storage.open()
        bus = EventBus()
        activity = ActivityLog(storage.logs, bus)
        instances.append((storage, bus, activity))
    setups = [
        SetupService(storage, activity, PasswordHasher(4), settings.data_dir)
        for storage, _, activity in instances
    ]
    results = await asyncio.gather(
        *(s.prepare(f"admin{i}x", ADMIN_PASSWORD) for i, s in enumerate(setups)),
        *(
            s.create_first_admin(f"racer{i}", None, ADMIN_PASSWORD, via="test")
            for i, s in enumerate(setups)
        ),
        return_exceptions=True,
    )
    created = [r for r in results if isinstance(r, User)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)
    ]
    assert unexpected == []
    assert len(created) + len(conflicts) >= 2
    users, total = await instances[0][0].users.list(UserListOptions())
    assert total == 1
    assert users[0].role == "admin"
    for storage, bus, activity in instances:
        await activity.close()
        await bus.close()
        await storage.close()
