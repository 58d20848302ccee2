"""The real app, in-process, over a real SQLite file in a temp data dir."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings, load_settings

AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**environ: str) -> Settings:
        # Alone even on the replica set: several instances are the cluster tier's and a few
        # named tests' (an in-process app relaying every event would load the shared server).
        base = {
            "ENVDECK_DATA_DIR": str(tmp_path / "data"),
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            "ENVDECK_CLUSTER__ENABLED": "false",
        }
        return load_settings(environ=base | environ)

    return make


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as test_client:
        yield test_client


ADMIN_PASSWORD = "quartz-lantern-orbit-91"
USER_PASSWORD = "velvet-canyon-thunder-27"
VIEWER_PASSWORD = "maple-signal-harbor-58"


@dataclass
class Persona:
    """A signed-in user with a client that sends their token."""

    username: str
    password: str
    user_id: str
    token: str
    client: TestClient

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def read_setup_token(settings: Settings) -> str:
    return (settings.data_dir / "setup_token").read_text().strip()


def sign_in(client: TestClient, username: str, password: str) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@dataclass
class Personas:
    client: TestClient
    settings: Settings
    admin: Persona
    operator: Persona
    viewer: Persona

    def as_(self, persona: Persona) -> dict[str, str]:
        return persona.headers()


@pytest.fixture
def personas(make_settings: Callable[..., Settings]) -> Iterator[Personas]:
    """The real app after first-run setup, with an admin, a user and a viewer signed in."""
    settings = make_settings()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.post(
            "/api/v1/setup",
            json={
                "token": read_setup_token(settings),
                "username": "admin",
                "email": "admin@example.com",
                "password": ADMIN_PASSWORD,
            },
        )
        assert response.status_code == 201, response.text
        admin = Persona(
            "admin", ADMIN_PASSWORD, response.json()["user"]["id"], response.json()["token"], client
        )
        made = {}
        for username, role, password in (
            ("olive", "user", USER_PASSWORD),
            ("victor", "viewer", VIEWER_PASSWORD),
        ):
            created = client.post(
                "/api/v1/users",
                json={"username": username, "role": role, "password": password},
                headers=admin.headers(),
            )
            assert created.status_code == 201, created.text
            made[role] = Persona(
                username,
                password,
                created.json()["id"],
                sign_in(client, username, password),
                client,
            )
        yield Personas(client, settings, admin, made["user"], made["viewer"])
