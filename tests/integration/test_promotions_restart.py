"""A promotion running when Envdeck stops is closed as failed at the next start, so its stage is
free again; its operation is interrupted like any other."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from envdeck.config import load_settings
from envdeck.demo.register import demo_config
from tests.support.fleet import FleetProcess, launch_fleet
from tests.support.live_app import ADMIN_PASSWORD, LiveApp, set_up_admin, sign_in


@pytest.fixture
def fleet() -> Iterator[FleetProcess]:
    process = launch_fleet(count=12, transition_seconds=0.5)
    yield process
    process.stop()


def test_a_promotion_interrupted_by_a_restart_is_closed_and_frees_its_stage(
    tmp_path: Path, fleet: FleetProcess
) -> None:
    environ = {
        "ENVDECK_DATA_DIR": str(tmp_path / "data"),
        "ENVDECK_AUTH__BCRYPT_COST": "4",
        "ENVDECK_HEALTH__ENABLED": "false",
        # The running upgrade gets this long at shutdown, then is interrupted.
        "ENVDECK_SERVER__SHUTDOWN_TIMEOUT": "1s",
    }
    live = LiveApp(load_settings(environ=environ)).start()
    admin = set_up_admin(live)

    def call(app: LiveApp, token: str, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.request(method, f"{app.url}/api/v1{path}", headers=headers, timeout=30, **kw)

    body = demo_config("shop-dev", fleet.env_url("shop-dev"), interval=3600, verify_timeout=60)
    env = call(live, admin.token, "POST", "/environments", json=body).json()
    stages = [{"name": "dev", "environmentIds": [env["id"]]}]
    pipeline = call(
        live, admin.token, "POST", "/pipelines", json={"name": "shop", "stages": stages}
    ).json()
    # The upgrade is accepted but never changes the version: verification runs for a minute.
    fleet.configure("shop-dev", upgradeApplies=False)
    path = f"/pipelines/{pipeline['id']}/stages/dev/promotions"
    started = call(live, admin.token, "POST", path, json={"version": "2.4.0"})
    assert started.status_code == 202, started.text
    promotion_id = started.json()["id"]
    deadline = time.monotonic() + 30
    while True:
        seen = call(live, admin.token, "GET", f"/promotions/{promotion_id}").json()
        if seen["targets"][0]["status"] == "running":
            break
        assert time.monotonic() < deadline, seen
        time.sleep(0.2)
    live.stop()

    again = LiveApp(load_settings(environ=environ)).start()
    try:
        token = sign_in(again, "admin", ADMIN_PASSWORD)
        closed = call(again, token, "GET", f"/promotions/{promotion_id}").json()
        assert closed["status"] == "failed"
        assert closed["message"] == "interrupted: the instance running it stopped"
        assert closed["finishedAt"] is not None
        fleet.configure("shop-dev", upgradeApplies=True)
        retried = call(again, token, "POST", path, json={"version": "2.4.0"})
        assert retried.status_code == 202, retried.text
    finally:
        again.stop()
