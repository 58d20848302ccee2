"""Stored secrets never come back out: not in any API response, the export, the activity log,
the process log, nor the database file in plain text.

Known secret strings are stored through the API (an SSH key with a passphrase, a password
credential, secret headers), then every readable route of the OpenAPI schema is called and
everything the installation wrote is scanned for them.
"""

import re
import sqlite3
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.integration.conftest import ADMIN_PASSWORD
from tests.support.server import start_server
from tests.support.ssh_keys import private_text

PASSPHRASE = "leak-canary-passphrase-5501"
PASSWORD_SECRET = "leak-canary-password-7702"
HEADER_SECRET = "leak-canary-header-token-9903"
COOKIE_SECRET = "leak-canary-cookie-1104"


def test_no_stored_secret_ever_comes_back_out(tmp_path: Path) -> None:
    key_text = private_text(ed25519.Ed25519PrivateKey.generate(), "openssh", PASSPHRASE)
    key_body = key_text.splitlines()[1]  # a line of the key itself, not the PEM armour
    canaries = [PASSPHRASE, PASSWORD_SECRET, HEADER_SECRET, COOKIE_SECRET, key_body]

    server = start_server(
        tmp_path, env={"ENVDECK_ADMIN_USERNAME": "admin", "ENVDECK_ADMIN_PASSWORD": ADMIN_PASSWORD}
    )
    responses: list[str] = []
    try:
        client = httpx.Client(base_url=server.url, timeout=30)
        token = client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        ).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"

        def keep(response: httpx.Response) -> httpx.Response:
            responses.append(f"{response.request.url} {response.headers} {response.text}")
            return response

        key = keep(
            client.post(
                "/api/v1/credentials",
                json={
                    "name": "deploy-key",
                    "type": "key",
                    "username": "deploy",
                    "secret": key_text,
                    "passphrase": PASSPHRASE,
                },
            )
        )
        assert key.status_code == 201, key.text
        password = keep(
            client.post(
                "/api/v1/credentials",
                json={
                    "name": "db-password",
                    "type": "password",
                    "username": "app",
                    "secret": PASSWORD_SECRET,
                },
            )
        )
        assert password.status_code == 201, password.text
        environment = keep(
            client.post(
                "/api/v1/environments",
                json={
                    "name": "prod",
                    "credentials": {"type": "key", "username": "deploy", "keyId": key.json()["id"]},
                    "healthCheck": {
                        "enabled": True,
                        "endpoint": "https://prod.example.com/health",
                        "headers": {
                            "Authorization": f"Bearer {HEADER_SECRET}",
                            "Cookie": COOKIE_SECRET,
                        },
                    },
                    "commands": {
                        "type": "http",
                        "restart": {
                            "enabled": True,
                            "url": "https://prod.example.com/restart",
                            "headers": {"X-Api-Key": HEADER_SECRET},
                        },
                    },
                },
            )
        )
        assert environment.status_code == 201, environment.text
        ids = {
            "environment_id": environment.json()["id"],
            "credential_id": key.json()["id"],
            "user_id": environment.json()["id"],
            "token_id": environment.json()["id"],
        }
        # An edit that sends the masks back, as the UI does.
        edited = keep(
            client.put(f"/api/v1/environments/{ids['environment_id']}", json=environment.json())
        )
        assert edited.status_code == 200, edited.text

        spec = client.get("/api/openapi.json").json()
        for path, item in spec["paths"].items():
            if "get" in item:
                url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), path)
                keep(client.get(url))
    finally:
        process_log = server.output()

    database = sqlite3.connect(tmp_path / "data" / "envdeck.db")
    stored = "\n".join(
        doc
        for (doc,) in database.execute(
            "SELECT doc FROM credentials UNION ALL SELECT doc FROM environments"
        )
    )
    activity = "\n".join(doc for (doc,) in database.execute("SELECT doc FROM logs"))
    database.close()
    assert "environment" in activity  # the log was written, so scanning it means something

    for canary in canaries:
        assert not any(canary in text for text in responses), canary
        assert canary not in process_log, canary
        assert canary not in activity, canary
        assert canary not in stored, canary
