"""Stored secrets never come back out: not in any API response, WebSocket frame, export, the
activity log, the process log, nor the database file in plain text.

A real `envdeck serve` starts with no user. Every kind of secret goes in through the API, and
the ones that can be used are used, against real receivers on 127.0.0.1 (which prove they got
them): the setup token, passwords (set, changed, reset, and a wrong one tried), login tokens, an
API token, an SSH key with its passphrase, a password credential, secret headers of the health
check, restart, upgrade and version-list calls, secrets outside headers (a URL password, secret
query parameters, body fields, metadata keys and a field marked secret through secretNames),
and a notification channel's URL. The health check and the restart go to targets that echo
their request back. A WebSocket client watches everything meanwhile. Then every readable route
of the OpenAPI schema is called (exports included) and everything the installation wrote is
scanned for each secret.

The only answers allowed to hold a secret are the ones that hand it out once: setup and login
(their token) and token creation (the API token).
"""

import asyncio
import base64
import contextlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.security.logged_server import LoggedServer, start_logged_server
from tests.support.receiver import Receiver
from tests.support.ssh_keys import private_text
from tests.support.targets import Target

ADMIN_PASSWORD = "quartz-lantern-orbit-91"
USER_PASSWORD = "leak-canary-user-password-2201"
NEW_PASSWORD = "leak-canary-changed-password-2202"
RESET_PASSWORD = "leak-canary-reset-password-2203"
WRONG_PASSWORD = "leak-canary-wrong-password-2204"
PASSPHRASE = "leak-canary-passphrase-5501"
CREDENTIAL_PASSWORD = "leak-canary-password-7702"
HEALTH_HEADER = "leak-canary-health-token-9901"
COOKIE = "leak-canary-cookie-1104"
RESTART_HEADER = "leak-canary-restart-key-9902"
UPGRADE_HEADER = "leak-canary-upgrade-token-9903"
VERSIONS_HEADER = "leak-canary-versions-token-9904"
CHANNEL_PASSWORD = "leak-canary-channel-pass-3301"
CHANNEL_PATH = "leak-canary-channel-path-3302"
HEALTH_QUERY = "leak-canary-health-query-6601"
HEALTH_BODY = "leak-canary-health-body-6602"
RESTART_URL_PASSWORD = "leak-canary-restart-url-pass-6603"
RESTART_QUERY = "leak-canary-restart-signature-6604"
RESTART_BODY = "leak-canary-restart-body-6605"
UPGRADE_BODY = "leak-canary-upgrade-body-6606"
VERSIONS_QUERY = "leak-canary-versions-query-6607"
META_SECRET = "leak-canary-metadata-6608"
MARKED_SECRET = "leak-canary-marked-pin-6609"


@pytest.fixture
def target() -> Iterator[Target]:
    running = Target().start()
    running.reply("/versions", json_body={"versions": ["1.0.0", "2.0.0"]})
    # Targets that echo what they got: nothing of it may come back out.
    running.reply("/health", echo=True)
    running.reply("/restart", echo=True)
    yield running
    running.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LoggedServer]:
    running = start_logged_server(
        tmp_path,
        env={
            "ENVDECK_HEALTH__ENABLED": "false",
            "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
        },
    )
    yield running
    running.stop()


class Watcher:
    """A WebSocket client subscribed to everything, keeping every frame it receives."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket
        self.frames: list[str] = []
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in self.websocket:
                self.frames.append(str(frame))

    async def send(self, kind: str, payload: dict[str, Any]) -> None:
        await self.websocket.send(json.dumps({"type": kind, "payload": payload}))

    async def close(self) -> list[str]:
        await self.websocket.close()
        await self._task
        return self.frames


class Session:
    """The scan's HTTP client: keeps every response, except the few that hand a secret out."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.responses: list[str] = []

    async def call(
        self, method: str, url: str, *, hands_out_a_secret: bool = False, **kw: Any
    ) -> httpx.Response:
        response = await self.client.request(method, url, **kw)
        if not hands_out_a_secret:
            self.responses.append(f"{method} {url} {response.headers} {response.text}")
        return response


def _environment(target: Target, key_id: str) -> dict[str, Any]:
    restart_url = target.url(f"/restart?signature={RESTART_QUERY}").replace(
        "http://", f"http://ops:{RESTART_URL_PASSWORD}@"
    )
    return {
        "name": "prod",
        "credentials": {"type": "key", "username": "deploy", "keyId": key_id},
        "metadata": {"dbPassword": META_SECRET, "pin": MARKED_SECRET, "owner": "team"},
        "secretNames": ["pin"],
        "healthCheck": {
            "enabled": True,
            "endpoint": target.url(f"/health?token={HEALTH_QUERY}"),
            "method": "POST",
            "headers": {"Authorization": f"Bearer {HEALTH_HEADER}", "Cookie": COOKIE},
            "body": {"probe": {"apiKey": HEALTH_BODY}},
        },
        "commands": {
            "type": "http",
            "restart": {
                "enabled": True,
                "url": restart_url,
                "headers": {"X-Api-Key": RESTART_HEADER},
                "body": {"password": RESTART_BODY},
            },
        },
        "upgradeConfig": {
            "enabled": True,
            "type": "http",
            "versionListURL": target.url(f"/versions?api_key={VERSIONS_QUERY}"),
            "versionListHeaders": {"X-Auth-Token": VERSIONS_HEADER},
            "jsonPathResponse": "$.versions[*]",
            "upgradeCommand": {
                "url": target.url("/upgrade/{VERSION}"),
                "method": "POST",
                "headers": {"Authorization": f"Token {UPGRADE_HEADER}"},
                "body": {"version": "{VERSION}", "token": UPGRADE_BODY},
            },
        },
    }


async def test_no_secret_ever_comes_back_out(
    server: LoggedServer, target: Target, receiver: Receiver, tmp_path: Path
) -> None:
    key_text = private_text(ed25519.Ed25519PrivateKey.generate(), "openssh", PASSPHRASE)
    key_body = key_text.splitlines()[1]  # a line of the key itself, not the PEM armour
    setup_token = (tmp_path / "data" / "setup_token").read_text().strip()
    channel_url = receiver.apprise_url(f"/hooks/{CHANNEL_PATH}").replace(
        "json://", f"json://hook:{CHANNEL_PASSWORD}@"
    )
    handed_out: dict[str, str] = {}  # secrets the API hands out once: kind -> value

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        api = Session(client)
        assert (await api.call("GET", "/api/v1/setup")).json()["needsSetup"] is True
        setup = await api.call(
            "POST",
            "/api/v1/setup",
            json={"token": setup_token, "username": "admin", "password": ADMIN_PASSWORD},
            hands_out_a_secret=True,
        )
        assert setup.status_code == 201, setup.text
        handed_out["setup login token"] = setup.json()["token"]
        admin = {"Authorization": f"Bearer {setup.json()['token']}"}

        watcher = Watcher(await connect(server.ws_url))
        await watcher.send("auth", {"token": setup.json()["token"]})
        await watcher.send("subscribe", {"environments": "*", "logs": True})

        created = await api.call(
            "POST",
            "/api/v1/tokens",
            json={"name": "automation"},
            headers=admin,
            hands_out_a_secret=True,
        )
        assert created.status_code == 201, created.text
        handed_out["API token"] = created.json()["secret"]
        automation = {"Authorization": f"Bearer {created.json()['secret']}"}

        user_id = await _people(api, admin, handed_out)
        ids = await _secrets_in_use(api, automation, target, key_text, channel_url)
        ids["user_id"] = user_id
        await watcher.send("subscribe", {"operations": [ids["operation_id"]]})

        # Every readable route, as the admin through the API token (exports included).
        spec = (await client.get("/api/openapi.json")).json()
        for path, item in spec["paths"].items():
            if "get" in item:
                url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), path)
                await api.call("GET", url, headers=automation)
        export = await client.get("/api/v1/environments/export", headers=automation)
        assert "prod" in export.text
        assert "********" in export.text  # the secret headers are there, masked
        await asyncio.sleep(0.5)  # the last frames
        frames = await watcher.close()

    banner = server.banner()
    process_log = server.log()
    database = "\n".join(
        path.read_bytes().decode("utf-8", "replace")
        for path in (tmp_path / "data").glob("envdeck.db*")  # the file, and any WAL left
    )

    # The secrets were really used: each receiver got its own.
    assert HEALTH_HEADER in str(target.stats_of("/health").headers)
    assert HEALTH_QUERY in str(target.stats_of("/health").queries)
    assert HEALTH_BODY.encode() in b"".join(target.stats_of("/health").bodies)
    assert RESTART_HEADER in str(target.stats_of("/restart").headers)
    assert RESTART_QUERY in str(target.stats_of("/restart").queries)
    assert RESTART_BODY.encode() in b"".join(target.stats_of("/restart").bodies)
    basic = base64.b64encode(f"ops:{RESTART_URL_PASSWORD}".encode()).decode()
    assert f"Basic {basic}" in str(target.stats_of("/restart").headers)
    assert VERSIONS_HEADER in str(target.stats_of("/versions").headers)
    assert VERSIONS_QUERY in str(target.stats_of("/versions").queries)
    assert receiver.requests
    assert CHANNEL_PATH in receiver.requests[0].path
    # Everything scanned holds something: the scan looks at real output.
    assert any('"type":"log"' in frame.replace(" ", "") for frame in frames)
    assert '"event"' in process_log
    assert "prod" in database
    assert setup_token in banner  # shown once to the person starting Envdeck, on stdout only

    canaries = {
        "setup token": setup_token,
        "admin password": ADMIN_PASSWORD,
        "user password": USER_PASSWORD,
        "changed password": NEW_PASSWORD,
        "reset password": RESET_PASSWORD,
        "wrong password tried": WRONG_PASSWORD,
        "SSH key": key_body,
        "key passphrase": PASSPHRASE,
        "credential password": CREDENTIAL_PASSWORD,
        "health check header": HEALTH_HEADER,
        "cookie header": COOKIE,
        "restart header": RESTART_HEADER,
        "upgrade header": UPGRADE_HEADER,
        "version list header": VERSIONS_HEADER,
        "channel URL password": CHANNEL_PASSWORD,
        "channel URL path": CHANNEL_PATH,
        "health check query parameter": HEALTH_QUERY,
        "health check body field": HEALTH_BODY,
        "restart URL password": RESTART_URL_PASSWORD,
        "restart URL password, as Basic credentials": basic,
        "restart query parameter": RESTART_QUERY,
        "restart body field": RESTART_BODY,
        "upgrade body field": UPGRADE_BODY,
        "version list query parameter": VERSIONS_QUERY,
        "metadata secret": META_SECRET,
        "field marked secret": MARKED_SECRET,
        **handed_out,
    }
    places = {
        "an API response": "\n".join(api.responses),
        "a WebSocket frame": "\n".join(frames),
        "the process log": process_log,
        "the database file": database,
    }
    leaks = [
        f"{kind} in {place}"
        for kind, secret in canaries.items()
        for place, text in places.items()
        if secret in text
    ]
    assert leaks == []


async def _people(api: Session, admin: dict[str, str], handed_out: dict[str, str]) -> str:
    """Passwords set, tried, changed and reset; login tokens handed out. Return the user's id."""
    user = await api.call(
        "POST",
        "/api/v1/users",
        json={"username": "olive", "role": "user", "password": USER_PASSWORD},
        headers=admin,
    )
    assert user.status_code == 201, user.text
    wrong = await api.call(
        "POST", "/api/v1/auth/login", json={"username": "olive", "password": WRONG_PASSWORD}
    )
    assert wrong.status_code == 401
    login = await api.call(
        "POST",
        "/api/v1/auth/login",
        json={"username": "olive", "password": USER_PASSWORD},
        hands_out_a_secret=True,
    )
    handed_out["user login token"] = login.json()["token"]
    changed = await api.call(
        "POST",
        "/api/v1/users/password/change",
        json={"currentPassword": USER_PASSWORD, "newPassword": NEW_PASSWORD},
        headers={"Authorization": f"Bearer {login.json()['token']}"},
        hands_out_a_secret=True,
    )
    assert changed.status_code == 200, changed.text
    handed_out["changed-password login token"] = changed.json()["token"]
    reset = await api.call(
        "POST",
        f"/api/v1/users/{user.json()['id']}/password/reset",
        json={"password": RESET_PASSWORD},
        headers=admin,
    )
    assert reset.status_code in (200, 204), reset.text
    return str(user.json()["id"])


async def _secrets_in_use(
    api: Session, headers: dict[str, str], target: Target, key_text: str, channel_url: str
) -> dict[str, str]:
    """Store every other kind of secret, use what can be used; return ids for the GET routes."""
    key = await api.call(
        "POST",
        "/api/v1/credentials",
        json={
            "name": "deploy-key",
            "type": "key",
            "username": "deploy",
            "secret": key_text,
            "passphrase": PASSPHRASE,
        },
        headers=headers,
    )
    assert key.status_code == 201, key.text
    password = await api.call(
        "POST",
        "/api/v1/credentials",
        json={"name": "db", "type": "password", "username": "app", "secret": CREDENTIAL_PASSWORD},
        headers=headers,
    )
    assert password.status_code == 201, password.text
    environment = await api.call(
        "POST", "/api/v1/environments", json=_environment(target, key.json()["id"]), headers=headers
    )
    assert environment.status_code == 201, environment.text
    env_id = environment.json()["id"]
    # An edit that sends the masks back, as the UI does.
    edited = await api.call(
        "PUT", f"/api/v1/environments/{env_id}", json=environment.json(), headers=headers
    )
    assert edited.status_code == 200, edited.text
    checked = await api.call("POST", f"/api/v1/environments/{env_id}/check-health", headers=headers)
    assert checked.status_code == 200, checked.text
    versions = await api.call("GET", f"/api/v1/environments/{env_id}/versions", headers=headers)
    assert versions.status_code == 200, versions.text
    restart = await api.call("POST", f"/api/v1/environments/{env_id}/restart", headers=headers)
    assert restart.status_code == 202, restart.text
    operation_id = restart.json()["operationId"]
    await _finished(api, headers, operation_id)
    channel = await api.call(
        "POST",
        "/api/v1/notifications/channels",
        json={
            "name": "Ops hook",
            "url": channel_url,
            "events": ["environment.unhealthy"],
            "scope": {"kind": "all"},
        },
        headers=headers,
    )
    assert channel.status_code == 201, channel.text
    tested = await api.call(
        "POST", f"/api/v1/notifications/channels/{channel.json()['id']}/test", headers=headers
    )
    assert tested.json()["status"] == "sent", tested.text
    logs = (await api.call("GET", "/api/v1/logs", headers=headers)).json()["logs"]
    tokens = (await api.call("GET", "/api/v1/tokens", headers=headers)).json()["tokens"]
    return {
        "environment_id": env_id,
        "credential_id": key.json()["id"],
        "operation_id": operation_id,
        "channel_id": channel.json()["id"],
        "log_id": logs[0]["id"],
        "token_id": tokens[0]["id"],
    }


async def _finished(api: Session, headers: dict[str, str], operation_id: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = (await api.call("GET", f"/api/v1/operations/{operation_id}", headers=headers)).json()
        if body["status"] not in {"pending", "running"}:
            assert body["status"] == "succeeded", body
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"operation {operation_id} did not finish")
