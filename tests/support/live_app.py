"""The real app under uvicorn in a background thread, reachable on 127.0.0.1.

Unlike a subprocess, the test can reach into the running app: publish events on its bus (for
events no product code publishes yet) and read the hub's counters, always on the server's own
event loop.
"""

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from envdeck.adapters.events import Event
from envdeck.app import create_app
from envdeck.config import Settings, load_settings
from envdeck.server import EnvdeckServer, uvicorn_config
from envdeck.services.container import Services
from tests.support.server import free_port

T = TypeVar("T")


class LiveApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings, serve_ui=False)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.server = EnvdeckServer(
            uvicorn_config(self.app, settings, "127.0.0.1", self.port, log_level="warning")
        )
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="live-app", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            await self.server.serve()

        asyncio.run(main())

    def start(self) -> "LiveApp":
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live app did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=30)

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def run(self, coroutine: Coroutine[Any, Any, T]) -> "Future[T]":
        """Schedule a coroutine on the server's loop; the Future is safe to await elsewhere."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    async def call(self, function: Callable[[], T]) -> T:
        """Run a plain function on the server's loop and return its result."""

        async def call() -> T:
            return function()

        return await asyncio.wrap_future(self.run(call()))

    async def publish(self, *events: Event) -> None:
        """Publish events on the app's bus, from the server's loop."""

        def publish() -> None:
            for event in events:
                self.services.bus.publish(event)

        await self.call(publish)


@dataclass
class Account:
    username: str
    password: str
    user_id: str
    token: str


ADMIN_PASSWORD = "quartz-lantern-orbit-91"
PASSWORDS = {"user": "velvet-canyon-thunder-27", "viewer": "maple-signal-harbor-58"}


def set_up_admin(app: LiveApp) -> Account:
    """Complete first-run setup over HTTP and return the signed-in admin."""
    setup_token = (Path(app.settings.data_dir) / "setup_token").read_text().strip()
    response = httpx.post(
        f"{app.url}/api/v1/setup",
        json={"token": setup_token, "username": "admin", "password": ADMIN_PASSWORD},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account("admin", ADMIN_PASSWORD, body["user"]["id"], body["token"])


def create_account(app: LiveApp, admin: Account, username: str, role: str) -> Account:
    """Create a user over HTTP and sign them in."""
    password = PASSWORDS.get(role, ADMIN_PASSWORD)
    created = httpx.post(
        f"{app.url}/api/v1/users",
        json={"username": username, "role": role, "password": password},
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert created.status_code == 201, created.text
    return Account(username, password, created.json()["id"], sign_in(app, username, password))


def sign_in(app: LiveApp, username: str, password: str) -> str:
    response = httpx.post(
        f"{app.url}/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


# --- fixtures of a test module: one live app, its admin, its other users -----------------------


def app_settings(data_dir: Path, **environ: str) -> Settings:
    """Settings for an app under test: its own data dir and cheap bcrypt; environ adds to them."""
    base = {"ENVDECK_DATA_DIR": str(data_dir), "ENVDECK_AUTH__BCRYPT_COST": "4"}
    return load_settings(environ=base | environ)


def live_app_fixture(
    name: str,
    settings: Callable[[Path], Settings] = app_settings,
    *,
    scope: Literal["function", "module"] = "module",
) -> Any:
    """Return a fixture running the app with `settings(data dir)`, one per module (or per test);
    in a test module: `live = live_app_fixture("ws", ...)`."""

    @pytest.fixture(scope=scope)
    def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
        app = LiveApp(settings(tmp_path_factory.mktemp(name) / "data")).start()
        yield app
        app.stop()

    return live


def admin_fixture() -> Any:
    """Return a module-scoped fixture: the first admin of the module's `live` app."""

    @pytest.fixture(scope="module")
    def admin(live: LiveApp) -> Account:
        return set_up_admin(live)

    return admin


def account_fixture(username: str, role: str) -> Any:
    """Return a module-scoped fixture: a signed-in user of this role, created by `admin`."""

    @pytest.fixture(scope="module")
    def account(live: LiveApp, admin: Account) -> Account:
        return create_account(live, admin, username, role)

    return account


# --- a real WebSocket client ----------------------------------------------------------------

WAIT = 10.0  # seconds any single expected frame may take before the test fails


async def recv_frame(websocket: ClientConnection, seconds: float = WAIT) -> dict[str, Any]:
    """Return the next frame as {"type", "payload"}."""
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), seconds))
    return frame


async def recv_until(
    websocket: ClientConnection, kind: str, seconds: float = WAIT
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the next frame of this type and the frames that came before it."""
    before: list[dict[str, Any]] = []
    while True:
        frame = await recv_frame(websocket, seconds)
        if frame["type"] == kind:
            return frame, before
        before.append(frame)


async def send_frame(websocket: ClientConnection, kind: str, payload: Any = None) -> None:
    frame: dict[str, Any] = {"type": kind}
    if payload is not None:
        frame["payload"] = payload
    await websocket.send(json.dumps(frame))


async def open_session(app: LiveApp, token: str, **options: Any) -> ClientConnection:
    """Connect, authenticate with a first frame and return the connection after `ready`."""
    websocket = await connect(app.ws_url, **options)
    await send_frame(websocket, "auth", {"token": token})
    ready = await recv_frame(websocket)
    assert ready["type"] == "ready", ready
    return websocket


async def close_code(websocket: ClientConnection, seconds: float = WAIT) -> int | None:
    """Read (and drop) frames until the server closes; return its close code."""

    async def drain() -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await websocket.recv()

    await asyncio.wait_for(drain(), seconds)
    return websocket.close_code


async def recv_matching(
    websocket: ClientConnection,
    kind: str,
    matches: Callable[[dict[str, Any]], bool],
    seconds: float = WAIT,
) -> dict[str, Any]:
    """Return the payload of the next frame of this type that matches (skipping others)."""
    while True:
        frame, _ = await recv_until(websocket, kind, seconds)
        payload: dict[str, Any] = frame["payload"]
        if matches(payload):
            return payload
