"""A channel's URL never shows: not in API responses, the activity log, WebSocket frames, nor the
process log (a real `envdeck serve` at log level debug, every line it prints captured).

The URL carries a distinctive secret in its path and its password; the channel is created,
listed, changed, tested (ok and failing), and delivers alerts with retries and a final failure.
"""

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.receiver import Receiver
from tests.support.server import RunningServer, start_server
from tests.support.targets import Target

PATH_SECRET = "pathsecret-5b7e2c91"
PASSWORD_SECRET = "pw-secret-0c44d1e8"
ADMIN = {"username": "admin", "password": "quartz-lantern-orbit-91"}


class FrameRecorder:
    """A /ws client in a thread that keeps every frame it receives, as raw text."""

    def __init__(self, url: str, token: str) -> None:
        self.frames: list[str] = []
        self._url, self._token = url, token
        self._socket: ClientConnection | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self._ready.wait(timeout=10), "the WebSocket session did not start"

    def _read(self) -> None:
        with connect(self._url) as socket:
            self._socket = socket
            socket.send(json.dumps({"type": "auth", "payload": {"token": self._token}}))
            self.frames.append(str(socket.recv(timeout=10)))
            subscribe = {"environments": "*", "logs": True}
            socket.send(json.dumps({"type": "subscribe", "payload": subscribe}))
            self._ready.set()
            try:
                while True:
                    self.frames.append(str(socket.recv()))
            except (ConnectionClosed, OSError):
                return

    def close(self) -> list[str]:
        assert self._socket is not None
        self._socket.close()
        self._thread.join(timeout=10)
        return self.frames


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_server(
        tmp_path,
        env={
            "ENVDECK_ADMIN_USERNAME": ADMIN["username"],
            "ENVDECK_ADMIN_PASSWORD": ADMIN["password"],
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            "ENVDECK_LOG__LEVEL": "debug",
            "ENVDECK_LOG__FORMAT": "json",
            "ENVDECK_HEALTH__ENABLED": "false",
            "ENVDECK_NOTIFICATIONS__RETRY_BASE_DELAY": "100ms",
        },
    )
    yield running
    running.stop()


def test_the_channel_url_never_appears_anywhere(server: RunningServer, tmp_path: Path) -> None:
    receiver = Receiver().start()
    target = Target().start()
    seen: list[str] = []  # every response body, in order
    try:
        client = httpx.Client(base_url=server.url, timeout=30)
        login = client.post("/api/v1/auth/login", json=ADMIN)
        assert login.status_code == 200, login.text
        token = login.json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        frames = FrameRecorder(server.url.replace("http://", "ws://") + "/ws", token)

        def call(method: str, path: str, body: Any = None, expect: int = 200) -> Any:
            response = client.request(method, f"/api/v1{path}", json=body)
            seen.append(response.text)
            assert response.status_code == expect, response.text
            return response.json() if response.content else None

        secret_url = (
            f"json://envdeck:{PASSWORD_SECRET}@127.0.0.1:{receiver.port}/hooks/{PATH_SECRET}"
        )
        events = ["environment.unhealthy", "environment.recovered", "operation.failed"]
        channel = call(
            "POST",
            "/notifications/channels",
            {"name": "leaky?", "url": secret_url, "events": events},
            201,
        )
        channel_path = f"/notifications/channels/{channel['id']}"
        call("GET", "/notifications/channels")
        call("GET", channel_path)
        call("PATCH", channel_path, {"url": secret_url + "-v2", "name": "still leaky?"})
        call("PATCH", channel_path, {"name": "x" * 101, "url": secret_url}, 422)
        call(
            "POST",
            "/notifications/channels",
            {"name": "bad", "url": f"{secret_url}\x00", "events": events},
            422,
        )
        assert call("POST", f"{channel_path}/test")["status"] == "sent"
        receiver.fail_next(1)
        assert call("POST", f"{channel_path}/test")["status"] == "failed"

        env = call(
            "POST",
            "/environments",
            {
                "name": "shop-prod",
                "healthCheck": {"endpoint": target.reply("/h", status=503), "timeout": 2},
            },
            201,
        )
        receiver.fail_next(1)
        call("POST", f"/environments/{env['id']}/check-health")  # unhealthy: sent, 2nd attempt
        receiver.wait_for_requests(4)
        receiver.go_down()
        target.reply("/h", status=200)
        call("POST", f"/environments/{env['id']}/check-health")  # recovered: fails 3 times
        deadline = time.monotonic() + 20
        while not any(  # the recovered message's final failure
            entry["details"].get("event") == "environment.recovered"
            for entry in call("GET", "/logs?action=notification_failed")["logs"]
        ):
            assert time.monotonic() < deadline, "the failed delivery was not recorded"
            time.sleep(0.1)

        logs = call("GET", "/logs?limit=200")
        exported = client.get("/api/v1/logs/export", params={"format": "json"})
        seen.append(exported.text)
        stored = call("GET", channel_path)
        call("DELETE", channel_path, None, 204)
        ws_frames = frames.close()
    finally:
        receiver.stop()
        target.stop()
    process_log = server.output()

    actions = [entry["action"] for entry in logs["logs"]]
    assert "notification_sent" in actions
    assert "notification_failed" in actions
    assert stored["lastDelivery"]["status"] == "failed"
    assert any("notification_failed" in frame for frame in ws_frames)
    assert "notification_delivered" in process_log  # the log speaks of deliveries...
    for where, text in (
        ("API responses", "\n".join(seen)),
        ("WebSocket frames", "\n".join(ws_frames)),
        ("process log", process_log),
    ):
        for secret in (PATH_SECRET, PASSWORD_SECRET):
            assert secret not in text, f"{secret} in the {where}"
