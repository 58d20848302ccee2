"""The `envdeck` command as a user runs it: a subprocess, real files, real ports."""

import os
import stat
import subprocess
from pathlib import Path

import httpx

from envdeck import __version__
from tests.support.server import ENVDECK, start_server


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))}
    return subprocess.run(
        [str(ENVDECK), *args],
        cwd=cwd,
        env=environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = run("version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == __version__


def test_serve_with_no_configuration_uses_sqlite_in_data(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        ready = httpx.get(f"{server.url}/api/v1/ready", timeout=5).json()
        assert ready["storage"]["backend"] == "sqlite"
    finally:
        output = server.output()
    data = tmp_path / "data"
    assert (data / "envdeck.db").is_file()
    for secret in ("jwt_secret", "encryption.key"):
        assert stat.S_IMODE((data / secret).stat().st_mode) == 0o600
        assert (data / secret).read_text().strip() not in output
    assert f"Envdeck {__version__}" in output
    assert f"URL:       {server.url}" in output
    assert "Storage:   sqlite" in output
    assert f"Data dir:  {data.resolve()}" in output


def test_serve_refuses_bad_configuration_with_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("server:\n  port: 99999\n")
    result = run("serve", "--config", "config.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "server.port" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "data").exists()


def test_serve_refuses_an_unknown_backend(tmp_path: Path) -> None:
    result = run("serve", cwd=tmp_path, env={"MONGODB_URI": "redis://cache:6379"})
    assert result.returncode == 2
    assert "database.uri" in result.stderr
    assert "unknown storage backend" in result.stderr


def test_serve_refuses_malformed_yaml(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("server: {port: [\n")
    result = run("serve", "-c", "config.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_prints_effective_values_with_secrets_masked(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "server:\n  port: 9001\njwt:\n  secret: " + "k" * 40 + "\n"
    )
    env = {"MONGODB_URI": "mongodb://ops:hunter2@db.internal:27017/"}
    result = run("check-config", "--config", "config.yaml", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert '"port": 9001' in result.stdout
    assert "mongodb://ops:********@db.internal:27017/" in result.stdout
    assert "hunter2" not in result.stdout
    assert "k" * 40 not in result.stdout


def test_check_config_masks_the_first_admin_password(tmp_path: Path) -> None:
    env = {"ENVDECK_ADMIN_USERNAME": "ops", "ENVDECK_ADMIN_PASSWORD": "quartz-lantern-orbit-91"}
    result = run("check-config", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert '"adminUsername": "ops"' in result.stdout
    assert '"adminPassword": "********"' in result.stdout
    assert "quartz-lantern-orbit-91" not in result.stdout


def test_check_config_fails_on_an_unknown_key(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("databse:\n  uri: sqlite:///x.db\n")
    result = run("check-config", "-c", "config.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "databse: unknown key" in result.stderr


def test_a_fresh_install_prints_the_setup_token_in_the_banner(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        token = (tmp_path / "data" / "setup_token").read_text().strip()
    finally:
        output = server.output()
    assert f"setup token {token}" in output


def test_create_admin_makes_the_first_admin_without_setup(tmp_path: Path) -> None:
    password = "quartz-lantern-orbit-91"
    result = subprocess.run(
        [str(ENVDECK), "users", "create-admin", "--username", "ops", "--password-stdin"],
        cwd=tmp_path,
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("ENVDECK_", "MONGODB_"))},
    )
    assert result.returncode == 0, result.stderr
    assert "created admin ops" in result.stdout
    server = start_server(tmp_path)
    try:
        assert httpx.get(f"{server.url}/api/v1/setup", timeout=5).json() == {"needsSetup": False}
        login = httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": "ops", "password": password},
            timeout=10,
        )
        assert login.status_code == 200
        assert login.json()["user"]["role"] == "admin"
    finally:
        output = server.output()
    assert "setup token" not in output


def test_create_admin_refuses_a_weak_password(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ENVDECK), "users", "create-admin", "--username", "ops", "--password-stdin"],
        cwd=tmp_path,
        input="password\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "at least 12 bytes" in result.stderr
    assert "Traceback" not in result.stderr
