"""Failed sign-ins (whatever identifier was typed) are in the activity log for admins only.

Viewers and users read the rest of the log; these entries are left out of their lists,
counts, exports, unread count, single reads and WebSocket log frames.
"""

import asyncio
import json
from typing import Any

import httpx

from tests.support.live_app import (
    Account,
    LiveApp,
    account_fixture,
    admin_fixture,
    live_app_fixture,
    open_session,
    recv_until,
    send_frame,
)

live = live_app_fixture("admin-only-logs")
admin = admin_fixture()
viewer = account_fixture("victor", "viewer")
operator = account_fixture("olive", "user")

TYPED = "hunter2-typed-as-a-username"


def get(live: LiveApp, account: Account, path: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{live.url}/api/v1{path}",
        params=params,
        headers={"Authorization": f"Bearer {account.token}"},
    )


def failed_sign_in(live: LiveApp) -> None:
    refused = httpx.post(
        f"{live.url}/api/v1/auth/login", json={"username": TYPED, "password": "wrong-pass-1234"}
    )
    assert refused.status_code == 401


def failed_entries(live: LiveApp, admin: Account) -> list[dict[str, Any]]:
    logs = get(live, admin, "/logs", action="login_failed").json()["logs"]
    assert isinstance(logs, list)
    return logs


def test_only_admins_read_failed_sign_ins(
    live: LiveApp, admin: Account, viewer: Account, operator: Account
) -> None:
    failed_sign_in(live)
    [entry] = [e for e in failed_entries(live, admin) if e["username"] == TYPED]
    assert get(live, admin, f"/logs/{entry['id']}").status_code == 200
    admin_count = get(live, admin, "/logs/count", type="auth").json()["total"]

    for reader in (viewer, operator):
        listed = get(live, reader, "/logs", limit=200).json()["logs"]
        assert listed, "the rest of the log stays readable"
        assert all(e["action"] != "login_failed" for e in listed)
        assert get(live, reader, "/logs", action="login_failed").json()["logs"] == []
        assert get(live, reader, "/logs", q=TYPED).json()["pagination"]["total"] == 0
        count = get(live, reader, "/logs/count", type="auth").json()["total"]
        assert count < admin_count
        one = get(live, reader, f"/logs/{entry['id']}")
        assert one.status_code == 404
        assert one.json()["error"]["code"] == "NOT_FOUND"
        for fmt in ("csv", "ndjson"):
            exported = get(live, reader, "/logs/export", format=fmt)
            assert exported.status_code == 200
            assert TYPED not in exported.text
            assert "login_failed" not in exported.text
    assert TYPED in get(live, admin, "/logs/export", format="ndjson").text


def test_failed_sign_ins_do_not_count_as_unread_for_viewers(
    live: LiveApp, admin: Account, viewer: Account
) -> None:
    marked = httpx.post(
        f"{live.url}/api/v1/logs/read", headers={"Authorization": f"Bearer {viewer.token}"}
    )
    assert marked.status_code == 204
    failed_sign_in(live)

    assert get(live, viewer, "/logs/unread").json()["count"] == 0


async def test_websocket_log_frames_of_failed_sign_ins_go_to_admins_only(
    live: LiveApp, admin: Account, viewer: Account
) -> None:
    tails = [await open_session(live, account.token) for account in (admin, viewer)]
    for tail in tails:
        await send_frame(tail, "subscribe", {"logs": True})
        await send_frame(tail, "ping")
        await recv_until(tail, "pong")

    await asyncio.to_thread(failed_sign_in, live)
    # Then an entry everyone may see: once it arrives, the one before it would have too.
    signed_in = await asyncio.to_thread(
        httpx.post,
        f"{live.url}/api/v1/auth/login",
        json={"username": "victor", "password": viewer.password},
    )
    assert signed_in.status_code == 200

    seen: list[list[str]] = []
    for tail in tails:
        actions: list[str] = []
        while "login" not in actions:
            frame, _ = await recv_until(tail, "log")
            actions.append(frame["payload"]["entry"]["action"])
            assert TYPED not in json.dumps(frame) or tail is tails[0]
        seen.append(actions)
        await tail.close()
    assert "login_failed" in seen[0]
    assert "login_failed" not in seen[1]
