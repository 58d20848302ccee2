"""`envdeck backup`: an online copy of the SQLite file and the key files, restorable as is."""

import subprocess
from pathlib import Path

import httpx

from tests.support.server import ENVDECK, start_server

PASSWORD = "quartz-lantern-orbit-91"
ENVIRON = {
    "ENVDECK_ADMIN_USERNAME": "admin",
    "ENVDECK_ADMIN_PASSWORD": PASSWORD,
    "ENVDECK_AUTH__BCRYPT_COST": "4",
    "ENVDECK_HEALTH__ENABLED": "false",
}


def envdeck(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENVDECK), *args], cwd=workdir, capture_output=True, text=True, timeout=60
    )


def sign_in(url: str) -> dict[str, str]:
    login = httpx.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def test_a_backup_taken_while_serving_restores_with_its_secrets(tmp_path: Path) -> None:
    live, restored = tmp_path / "live", tmp_path / "restored"
    live.mkdir()
    server = start_server(live, env=ENVIRON)
    try:
        headers = sign_in(server.url)
        credential = httpx.post(
            f"{server.url}/api/v1/credentials",
            json={"name": "deploy", "type": "password", "username": "ops", "secret": "s3cr3t-pw"},
            headers=headers,
        )
        assert credential.status_code == 201, credential.text
        created = httpx.post(
            f"{server.url}/api/v1/environments", json={"name": "shop-prod"}, headers=headers
        )
        assert created.status_code == 201, created.text

        # Online: the server keeps running (and writing) meanwhile.
        taken = envdeck(live, "backup", str(tmp_path / "backup"))
    finally:
        server.stop()

    assert taken.returncode == 0, taken.stderr
    assert "integrity ok" in taken.stdout
    backup = tmp_path / "backup"
    assert sorted(p.name for p in backup.iterdir()) == [
        "encryption.key",
        "envdeck.db",
        "jwt_secret",
    ]
    assert all(p.stat().st_mode & 0o077 == 0 for p in backup.iterdir())
    assert envdeck(live, "backup", str(backup)).returncode == 2  # never over a backup

    # Restore: the files go back into an empty data dir.
    (restored / "data").mkdir(parents=True)
    for item in backup.iterdir():
        (restored / "data" / item.name).write_bytes(item.read_bytes())
        (restored / "data" / item.name).chmod(0o600)
    # Every secret opens under the restored key (the rotation re-seals each one).
    rotated = envdeck(restored, "secrets", "rotate-key")
    assert rotated.returncode == 0, rotated.stderr
    assert "1 credentials" in rotated.stdout
    server = start_server(restored, env=ENVIRON)
    try:
        headers = sign_in(server.url)
        names = [
            env["name"]
            for env in httpx.get(f"{server.url}/api/v1/environments", headers=headers).json()[
                "environments"
            ]
        ]
    finally:
        server.stop()
    assert names == ["shop-prod"]
