"""`envdeck users unlock` and `reset-password`: the way back in, run beside a live server."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import ENVDECK, RunningServer, start_server

PASSWORD = "quartz-lantern-orbit-91"
NEW_PASSWORD = "saffron-glacier-meadow-64"
WRONG = "not-the-password-4411"
# Two wrong passwords lock the account from this test's address (127.0.0.1).
ENVIRON = {"ENVDECK_AUTH__BCRYPT_COST": "4", "ENVDECK_AUTH__LOGIN_ATTEMPTS": "2"}


def envdeck(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    return subprocess.run(
        [str(ENVDECK), *args],
        cwd=cwd,
        input=stdin,
        env=environ | ENVIRON,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    """A server whose first admin, ops, is locked out from 127.0.0.1."""
    created = envdeck(
        "users",
        "create-admin",
        "--username",
        "ops",
        "--password-stdin",
        cwd=tmp_path,
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    running = start_server(tmp_path, env=ENVIRON)
    for _ in range(2):
        assert login(running, PASSWORD + "x").status_code == 401
    assert login(running, PASSWORD).status_code == 429
    yield running
    running.output()


def login(server: RunningServer, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": "ops", "password": password},
        timeout=10,
    )


def test_unlock_lets_a_locked_out_user_sign_in_at_once(server: RunningServer) -> None:
    result = envdeck("users", "unlock", "ops", cwd=server.workdir)

    assert result.returncode == 0, result.stderr
    assert "cleared the failed sign-ins of ops" in result.stdout
    assert login(server, PASSWORD).status_code == 200


def test_reset_password_sets_it_without_showing_it_and_unlocks(server: RunningServer) -> None:
    result = envdeck(
        "users",
        "reset-password",
        "ops",
        "--password-stdin",
        cwd=server.workdir,
        stdin=NEW_PASSWORD + "\n",
    )

    assert result.returncode == 0, result.stderr
    assert NEW_PASSWORD not in result.stdout + result.stderr
    assert login(server, PASSWORD).status_code == 401
    assert login(server, NEW_PASSWORD).status_code == 200


def test_reset_password_refuses_a_weak_one_and_an_unknown_user(server: RunningServer) -> None:
    weak = envdeck(
        "users",
        "reset-password",
        "ops",
        "--password-stdin",
        cwd=server.workdir,
        stdin="password\n",
    )
    unknown = envdeck(
        "users",
        "reset-password",
        "nobody",
        "--password-stdin",
        cwd=server.workdir,
        stdin=NEW_PASSWORD + "\n",
    )

    assert weak.returncode == 2
    assert "at least 12 bytes" in weak.stderr
    assert "password\n" not in weak.stdout
    assert unknown.returncode == 2
    assert "not found" in unknown.stderr
    assert "Traceback" not in weak.stderr + unknown.stderr
