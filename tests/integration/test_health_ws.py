"""Health transitions reach every /ws client once; refreshes only the subscribers."""

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_app import (
    Account,
    LiveApp,
    admin_fixture,
    app_settings,
    live_app_fixture,
    open_session,
    recv_matching,
    send_frame,
)
from tests.support.targets import Target


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


live = live_app_fixture(
    "health-ws", lambda data: app_settings(data, ENVDECK_HEALTH__FLUSH_INTERVAL="0.1s")
)
admin = admin_fixture()


def create(live: LiveApp, admin: Account, name: str, url: str) -> dict[str, Any]:
    body = {
        "name": name,
        "healthCheck": {"enabled": True, "endpoint": url, "interval": 3600, "timeout": 5},
    }
    response = httpx.post(
        f"{live.url}/api/v1/environments",
        json=body,
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def check_now(live: LiveApp, admin: Account, environment_id: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{live.url}/api/v1/environments/{environment_id}/check-health",
            headers={"Authorization": f"Bearer {admin.token}"},
        )
    assert response.status_code == 200, response.text


async def test_a_transition_goes_to_every_client_and_a_refresh_to_subscribers(
    live: LiveApp, admin: Account, target: Target
) -> None:
    env = create(live, admin, "ws-flip", target.reply("/ws-flip"))
    mine = env["id"]

    def is_mine(payload: dict[str, Any]) -> bool:
        return bool(payload["environmentId"] == mine)

    dashboard = await open_session(live, admin.token)
    watcher = await open_session(live, admin.token)
    await send_frame(watcher, "subscribe", {"environments": [mine]})
    await asyncio.sleep(0.2)

    # The first verdict (a scheduled check may have made it already): unknown -> healthy.
    await check_now(live, admin, mine)
    first = await recv_matching(dashboard, "status_update", is_mine)
    assert first["transition"] is True
    assert first["status"]["health"] == "healthy"

    target.reply("/ws-flip", status=503)
    await check_now(live, admin, mine)
    down = await recv_matching(dashboard, "status_update", is_mine)
    assert (down["previous"], down["status"]["health"], down["transition"]) == (
        "healthy",
        "unhealthy",
        True,
    )
    assert down["status"]["message"] == "expected status 2xx, got 503"

    await check_now(live, admin, mine)
    # Skipping the refresh of the scheduled first check (due within 2 s of creation), which
    # may land while the target was still healthy.
    refresh = await recv_matching(
        watcher,
        "status_update",
        lambda p: not p["transition"] and p["status"]["health"] == "unhealthy",
    )
    assert refresh["environmentId"] == mine
    assert refresh["status"]["health"] == "unhealthy"
    assert refresh["status"]["consecutiveFailures"] >= 2

    # The dashboard (not subscribed) gets no refresh; the next frame it sees is the recovery.
    target.reply("/ws-flip")
    await check_now(live, admin, mine)
    recovered = await recv_matching(dashboard, "status_update", is_mine)
    assert (recovered["previous"], recovered["status"]["health"]) == ("unhealthy", "healthy")
    assert recovered["transition"] is True
    await dashboard.close()
    await watcher.close()
