"""The server the fuzzer attacks, the people it attacks as, and the things they can find.

One world per role: a real app on 127.0.0.1 over SQLite in a temp dir (health engine off),
a real HTTP target on loopback that seeded environments use for checks, version lists and
commands, and a *keeper*: the first admin, who seeds every kind of resource and repairs the
fuzzed principal whenever a case ends its session. The keeper talks from 127.0.0.2, so the
failed logins the fuzzer makes from 127.0.0.1 never throttle it, and its id is never offered
to the fuzzer, so it cannot be deleted, demoted or signed out.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import structlog

from envdeck.config import load_settings
from tests.support.live_app import ADMIN_PASSWORD, LiveApp
from tests.support.server import free_port
from tests.support.targets import Target

KEEPER = "keeper"
# The fuzzed principals' passwords: long unrelated words pass the server's password policy.
PASSWORDS = {"admin": "copper-falcon-meadow-63", "viewer": "maple-signal-harbor-58"}
KEEPER_ADDRESS = "127.0.0.2"


@dataclass
class Principal:
    """The user a fuzz run signs its requests as, and their current login token."""

    role: str
    username: str
    password: str
    user_id: str
    token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(repr=False)
class World:
    app: LiveApp
    target: Target
    keeper: httpx.Client
    principal: Principal
    seeds: "Seeds"

    def known_ids(self) -> dict[str, list[str]]:
        """Path parameter name (e.g. "environment_id") -> ids of existing resources of its kind."""
        ids = dict(self.seeds.ids)
        ids["user_id"] = [*ids.get("user_id", []), self.principal.user_id]
        return ids

    @property
    def openapi_url(self) -> str:
        return f"{self.app.url}/api/openapi.json"

    def ensure_principal(self) -> bool:
        """Give the principal back its role, its active flag and a valid token if a case took them.

        Cases may delete or deactivate the fuzzed user, demote them, reset their password,
        revoke their token or sign them out: each is a legitimate request whose response was
        checked; repairing afterwards keeps the following cases meaningful. Return whether
        it had to.
        """
        me = self.keeper.get("/api/v1/auth/me", headers=self.principal.headers())
        if me.status_code == 200 and me.json()["role"] == self.principal.role:
            return False
        user = self.keeper.get(f"/api/v1/users/{self.principal.user_id}")
        if user.status_code == 404:
            self.principal.user_id = create_user(
                self.keeper, self.principal.username, self.principal.role, self.principal.password
            )
        else:
            expect(user, 200)
            url = f"/api/v1/users/{self.principal.user_id}"
            expect(self.keeper.patch(url, json={"role": self.principal.role, "active": True}), 200)
            reset = self.keeper.post(
                f"{url}/password/reset", json={"password": self.principal.password}
            )
            expect(reset, 204)
        principal = self.principal
        principal.token = sign_in(self.keeper, principal.username, principal.password)
        return True


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json() if response.content else {}


def sign_in(client: httpx.Client, username: str, password: str) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    return str(expect(response, 200)["token"])


def create_user(keeper: httpx.Client, username: str, role: str, password: str) -> str:
    body = {"username": username, "role": role, "password": password}
    return str(expect(keeper.post("/api/v1/users", json=body), 201)["id"])


def fuzz_settings(data_dir: Path) -> Any:
    return load_settings(
        environ={
            "ENVDECK_DATA_DIR": str(data_dir),
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            # Scheduled checks would reach whatever hosts the fuzzer wrote into environments.
            "ENVDECK_HEALTH__ENABLED": "false",
            "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
            "ENVDECK_SERVER__SHUTDOWN_TIMEOUT": "1s",
        }
    )


@contextmanager
def plain_tracebacks() -> Iterator[None]:
    """Render tracebacks as plain text in this process, as `envdeck serve` does, until exit.

    The app runs in the test process, where the CLI has not configured structlog: its default
    renderer prints each 500's traceback with every frame's locals (tokens included), which
    holds the server's event loop for over a minute when a case hits one.
    """
    if structlog.is_configured():
        yield
        return
    structlog.configure(
        processors=[
            structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
            if isinstance(processor, structlog.dev.ConsoleRenderer)
            else processor
            for processor in structlog.get_config()["processors"]
        ]
    )
    try:
        yield
    finally:
        structlog.reset_defaults()


@contextmanager
def running_world(data_dir: Path, role: str) -> Iterator[World]:
    """Start the app and its target, seed them, and sign in the principal of this role."""
    with plain_tracebacks(), _started(data_dir, role) as world:
        yield world


@contextmanager
def _started(data_dir: Path, role: str) -> Iterator[World]:
    target = Target().start()
    app = LiveApp(fuzz_settings(data_dir)).start()
    transport = httpx.HTTPTransport(local_address=KEEPER_ADDRESS)
    keeper = httpx.Client(base_url=app.url, transport=transport, timeout=30)
    try:
        setup_token = (data_dir / "setup_token").read_text().strip()
        body = {"token": setup_token, "username": KEEPER, "password": ADMIN_PASSWORD}
        keeper.headers["Authorization"] = (
            f"Bearer {expect(keeper.post('/api/v1/setup', json=body), 201)['token']}"
        )
        username = f"fuzz-{role}"
        user_id = create_user(keeper, username, role, PASSWORDS[role])
        principal = Principal(
            role, username, PASSWORDS[role], user_id, sign_in(keeper, username, PASSWORDS[role])
        )
        seeds = Seeds(keeper, target)
        seeds.plant()
        yield World(app, target, keeper, principal, seeds)
    finally:
        keeper.close()
        app.stop()
        target.stop()


class Seeds:
    """One or two of everything a path can name, put back before each operation is fuzzed.

    An admin's cases delete and rewrite what they find: without this, the operations fuzzed
    after `DELETE /environments/{id}` would only ever meet 404s.
    """

    def __init__(self, keeper: httpx.Client, target: Target) -> None:
        self.keeper = keeper
        self.target = target
        # Nothing listens there: commands and deliveries to it fail at once.
        self.closed_port = free_port()
        self.ids: dict[str, list[str]] = {}

    def plant(self) -> None:
        """Create the seeds, an operation and some log entries."""
        self.target.reply("/health", json_body={"status": "ok", "version": "1.0.0"})
        self.target.reply("/versions", json_body={"versions": ["1.0.0", "1.1.0", "2.0.0"]})
        self.restore()
        web = self.ids["environment_id"][0]
        operation = expect(self.keeper.post(f"/api/v1/environments/{web}/restart", json={}), 202)
        self.ids["operation_id"] = [operation["operationId"]]
        logs = expect(self.keeper.get("/api/v1/logs", params={"limit": 3}), 200)["logs"]
        self.ids["log_id"] = [entry["id"] for entry in logs]

    def restore(self) -> None:
        """Re-create the seeds that are gone and put the environments' configuration back."""
        credential = self._keep("credential_id", "/api/v1/credentials", CREDENTIAL)
        self._keep("window_id", "/api/v1/maintenance-windows", WINDOW)
        self._keep("channel_id", "/api/v1/notifications/channels", self._channel())
        self._keep("user_id", "/api/v1/users", BYSTANDER)
        self._keep_token()
        environments = [http_environment_config(self.target, "web"), self._ssh(credential)]
        self.ids["environment_id"] = [
            self._environment(index, config) for index, config in enumerate(environments)
        ]

    def _keep(self, kind: str, url: str, body: dict[str, Any]) -> str:
        known = self.ids.get(kind)
        if known and self.keeper.get(f"{url}/{known[0]}").status_code == 200:
            return known[0]
        self.ids[kind] = [str(expect(self.keeper.post(url, json=body), 201)["id"])]
        return self.ids[kind][0]

    def _keep_token(self) -> None:
        listed = self.keeper.get("/api/v1/tokens", params={"all": "true", "limit": 200})
        alive = {token["id"] for token in expect(listed, 200)["tokens"]}
        if not alive.intersection(self.ids.get("token_id", [])):
            created = expect(self.keeper.post("/api/v1/tokens", json={"name": "ci"}), 201)
            self.ids["token_id"] = [created["token"]["id"]]

    def _environment(self, index: int, config: dict[str, Any]) -> str:
        known = self.ids.get("environment_id", [])
        if len(known) > index:
            replaced = self.keeper.put(f"/api/v1/environments/{known[index]}", json=config)
            # 409: busy with an operation, or a case took the name; either way it still exists.
            if replaced.status_code in (200, 409):
                return known[index]
        created = self.keeper.post("/api/v1/environments", json=config)
        if created.status_code == 409 and len(known) > index:
            return known[index]
        return str(expect(created, 201)["id"])

    def _channel(self) -> dict[str, Any]:
        return CHANNEL | {"url": f"json://127.0.0.1:{self.closed_port}/hook"}

    def _ssh(self, credential_id: str) -> dict[str, Any]:
        return {
            "name": "box",
            "tags": ["qa"],
            "protected": True,
            "target": {"host": "127.0.0.1", "port": self.closed_port, "hostKeyPolicy": "tofu"},
            "credentials": {"type": "password", "keyId": credential_id},
            "healthCheck": {
                "enabled": True,
                "endpoint": f"http://127.0.0.1:{self.closed_port}/health",
            },
            "commands": {"type": "ssh", "restart": {"enabled": True, "command": "true"}},
        }


CREDENTIAL = {"name": "deploy", "type": "password", "username": "deploy", "secret": "pw-123"}
WINDOW = {
    "name": "nightly",
    "scope": {"tags": ["qa"]},
    "kind": "recurring",
    "cron": "30 2 * * *",
    "durationMinutes": 60,
    "timezone": "Europe/Berlin",
}
CHANNEL = {
    "name": "ops",
    "events": ["operation.failed", "environment.unhealthy"],
    "scope": {"kind": "all"},
}
BYSTANDER = {"username": "bystander", "role": "user", "password": PASSWORDS["viewer"]}


def http_environment_config(target: Target, name: str) -> dict[str, Any]:
    """An environment checked, listed and restarted/upgraded over HTTP on the loopback target."""
    return {
        "name": name,
        "tags": ["qa", "shop"],
        "environmentURL": target.url("/"),
        "healthCheck": {
            "enabled": True,
            "endpoint": "/health",  # the seed's form: a path, resolved against environmentURL
            "interval": 3600,
            "timeout": 2,
            "versionJsonPath": "$.version",
        },
        "commands": {"type": "http", "restart": {"enabled": True, "url": target.url("/restart")}},
        "upgradeConfig": {
            "enabled": True,
            "type": "http",
            "versionListURL": target.url("/versions"),
            "jsonPathResponse": "$.versions[*]",
            "upgradeCommand": {
                "url": target.url("/upgrade"),
                "method": "POST",
                "body": {"version": "{VERSION}"},
            },
            "verifyTimeout": 10,
        },
    }
