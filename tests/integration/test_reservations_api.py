"""Reservations over HTTP on both backends: the real server on loopback, real HTTP targets for
restarts; overlaps and claims raced by parallel requests."""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from envdeck.config import load_settings
from envdeck.domain.base import format_utc
from tests.conftest import BACKENDS, drop_database, unique_database_name
from tests.support.live_app import (
    Account,
    LiveApp,
    create_account,
    open_session,
    recv_until,
    set_up_admin,
)
from tests.support.receiver import Receiver
from tests.support.targets import Target

ABSENT_ID = "6b05a2c33c0ca6934944ef1e"
FINISHED = {"succeeded", "failed", "cancelled", "timed_out", "interrupted"}


class Rig:
    def __init__(self, live: LiveApp) -> None:
        self.live = live
        self.admin = set_up_admin(live)
        self.user = create_account(live, self.admin, "olive", "user")
        self.other = create_account(live, self.admin, "oscar", "user")
        self.viewer = create_account(live, self.admin, "victor", "viewer")

    def call(self, method: str, path: str, who: Account | None, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if who is not None:
            headers["Authorization"] = f"Bearer {who.token}"
        return httpx.request(
            method, f"{self.live.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )

    def environment(self, target: Target | None = None, **config: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"name": f"env-{uuid.uuid4().hex[:10]}"} | config
        if target is not None:
            body["healthCheck"] = {
                "enabled": True,
                "endpoint": target.url("/health"),
                "interval": 3600,
                "timeout": 5,
            }
            body["commands"] = {
                "type": "http",
                "restart": {"enabled": True, "url": target.url("/restart")},
            }
        response = self.call("POST", "/environments", self.admin, json=body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def reserve(self, env_id: str, who: Account, **body: Any) -> httpx.Response:
        fields = {"purpose": "PR 123", "duration": "2h"} | body
        return self.call("POST", f"/environments/{env_id}/reservations", who, json=fields)


@pytest.fixture(scope="module", params=BACKENDS)
def rig(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    environ = {
        "ENVDECK_DATA_DIR": str(tmp_path_factory.mktemp("reservations") / "data"),
        "ENVDECK_AUTH__BCRYPT_COST": "4",
        "ENVDECK_HEALTH__ENABLED": "false",
        "ENVDECK_CLUSTER__ENABLED": "false",
        "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
    }
    database = unique_database_name()
    if request.param == "mongo":
        environ |= {"MONGODB_URI": request.getfixturevalue("mongo_uri")}
        environ |= {"MONGODB_DATABASE": database}
    live = LiveApp(load_settings(environ=environ)).start()
    try:
        yield Rig(live)
    finally:
        live.stop()
        if request.param == "mongo":
            asyncio.run(drop_database(environ["MONGODB_URI"], database))


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


def test_reserving_needs_a_user_and_an_environment(rig: Rig) -> None:
    env = rig.environment()

    assert rig.reserve(env["id"], None).status_code == 401  # type: ignore[arg-type]
    refused = rig.reserve(env["id"], rig.viewer)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    assert rig.reserve(ABSENT_ID, rig.user).status_code == 404
    assert rig.call("GET", f"/environments/{env['id']}/reservations", rig.viewer).json() == {
        "items": [],
        "pagination": {"page": 1, "limit": 20, "total": 0, "totalPages": 0},
    }


def test_a_reservation_is_shown_on_its_environment_and_refuses_overlaps(rig: Rig) -> None:
    env = rig.environment()

    made = rig.reserve(env["id"], rig.user, purpose="PR 7")
    clash = rig.reserve(env["id"], rig.other)
    later = rig.reserve(
        env["id"], rig.other, start=made.json()["end"], duration="1h", purpose="after olive"
    )

    assert made.status_code == 201, made.text
    reservation = made.json()
    assert reservation["status"] == "active"
    assert reservation["holder"] == {"userId": rig.user.user_id, "username": "olive"}
    assert reservation["environmentName"] == env["name"]
    assert reservation["releasedAt"] is None
    assert clash.status_code == 409
    error = clash.json()["error"]
    assert error["code"] == "RESERVED"
    assert error["details"] == {
        "reservationId": reservation["id"],
        "holder": "olive",
        "end": reservation["end"],
    }
    assert "olive" in error["message"]
    assert reservation["end"] in error["message"]
    assert later.status_code == 201, later.text
    detail = rig.call("GET", f"/environments/{env['id']}", rig.viewer).json()
    assert detail["reservationPolicy"] == "advisory"
    assert detail["reservations"]["current"]["id"] == reservation["id"]
    assert detail["reservations"]["next"]["id"] == later.json()["id"]


def test_overlapping_reservations_raced_in_parallel_give_one(rig: Rig) -> None:
    env = rig.environment()

    async def race() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=rig.live.url, timeout=30) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        f"/api/v1/environments/{env['id']}/reservations",
                        json={"purpose": f"run {i}", "duration": "1h"},
                        headers={"Authorization": f"Bearer {who.token}"},
                    )
                    for i, who in enumerate([rig.user, rig.other] * 6)
                )
            )

    responses = asyncio.run(race())

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 11}


def test_refuses_bad_spans(rig: Rig) -> None:
    env = rig.environment()
    now = datetime.now(UTC)

    def refused(**body: Any) -> str:
        response = rig.reserve(env["id"], rig.user, **body)
        assert response.status_code == 422, response.text
        return str(response.json()["error"]["message"])

    assert "at most 7 days" in refused(duration="8d")
    assert "after start" in refused(
        duration=None, start=format_utc(now + timedelta(hours=2)), end=format_utc(now)
    )
    assert "past" in refused(start=format_utc(now - timedelta(hours=1)))
    assert "exactly one" in refused(end=format_utc(now + timedelta(hours=1)))
    assert "exactly one" in refused(duration=None)
    assert rig.reserve(env["id"], rig.user, purpose="").status_code == 422


def test_extend_release_and_break(rig: Rig) -> None:
    env = rig.environment()
    mine = rig.reserve(env["id"], rig.user).json()
    new_end = format_utc(datetime.now(UTC) + timedelta(hours=5))

    path = f"/reservations/{mine['id']}"
    assert rig.call("PATCH", path, rig.other, json={"end": new_end}).status_code == 403
    extended = rig.call("PATCH", path, rig.user, json={"end": new_end})
    assert extended.status_code == 200, extended.text
    assert extended.json()["end"] == new_end
    assert rig.call("POST", f"/reservations/{mine['id']}/release", rig.other).status_code == 403
    released = rig.call("POST", f"/reservations/{mine['id']}/release", rig.user).json()
    assert released["status"] == "released"
    assert released["releasedBy"]["username"] == "olive"

    theirs = rig.reserve(env["id"], rig.other).json()
    path = f"/reservations/{theirs['id']}/break"
    assert rig.call("POST", path, rig.user, json={"reason": "hotfix"}).status_code == 403
    assert rig.call("POST", path, rig.admin, json={}).status_code == 422
    broken = rig.call("POST", path, rig.admin, json={"reason": "hotfix"})
    assert broken.status_code == 200, broken.text
    assert broken.json()["status"] == "broken"
    assert broken.json()["breakReason"] == "hotfix"
    logs = rig.call("GET", f"/environments/{env['id']}/logs", rig.admin).json()["logs"]
    actions = [entry["action"] for entry in logs]
    assert "reservation_broken" in actions
    assert "reservation_created" in actions


def test_lists_filter_by_holder_and_activity(rig: Rig) -> None:
    env = rig.environment()
    mine = rig.reserve(env["id"], rig.user).json()
    later = rig.reserve(
        env["id"], rig.other, start=mine["end"], duration="1h", purpose="later"
    ).json()

    def ids(query: str) -> list[str]:
        body = rig.call("GET", f"/reservations?environmentId={env['id']}&{query}", rig.viewer)
        assert body.status_code == 200, body.text
        return [r["id"] for r in body.json()["items"]]

    assert ids("") == [later["id"], mine["id"]]
    assert ids("holder=oscar") == [later["id"]]
    assert ids(f"holder={rig.user.user_id}") == [mine["id"]]
    assert ids("active=true") == [mine["id"]]
    assert ids("active=false") == [later["id"]]
    assert ids(f"from={mine['end']}") == [later["id"]]


def test_available_filters_environments_free_now_and_for_a_while(rig: Rig) -> None:
    tag = f"t{uuid.uuid4().hex[:8]}"
    free = rig.environment(tags=[tag])
    held = rig.environment(tags=[tag])
    soon = rig.environment(tags=[tag])
    rig.reserve(held["id"], rig.user)
    start = format_utc(datetime.now(UTC) + timedelta(hours=1))
    rig.reserve(soon["id"], rig.user, start=start)

    def names(query: str) -> set[str]:
        body = rig.call("GET", f"/environments?tag={tag}&{query}", rig.viewer)
        assert body.status_code == 200, body.text
        return {e["name"] for e in body.json()["environments"]}

    assert names("available=true") == {free["name"], soon["name"]}
    assert names("available=false") == {held["name"]}
    assert names("available=true&availableFor=2h") == {free["name"]}
    assert rig.call("GET", "/environments?availableFor=soon", rig.viewer).status_code == 422


def test_twenty_parallel_claims_over_ten_free_environments(rig: Rig) -> None:
    tag = f"c{uuid.uuid4().hex[:8]}"
    envs = {rig.environment(tags=[tag, "qa"])["id"] for _ in range(10)}

    async def claims() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=rig.live.url, timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/reservations/claim",
                        json={
                            "tags": [tag, "qa"],
                            "duration": "2h",
                            "purpose": f"CI {i}",
                            "requireHealthy": False,
                        },
                        headers={"Authorization": f"Bearer {rig.user.token}"},
                    )
                    for i in range(20)
                )
            )

    responses = asyncio.run(claims())

    won = [r.json() for r in responses if r.status_code == 201]
    lost = [r.json() for r in responses if r.status_code == 409]
    assert len(won) == 10
    assert len(lost) == 10
    assert {w["environment"]["id"] for w in won} == envs
    assert all(w["reservation"]["environmentId"] == w["environment"]["id"] for w in won)
    assert all(w["environment"]["reservations"]["current"] is not None for w in won)
    assert {e["error"]["code"] for e in lost} == {"NONE_AVAILABLE"}
    ends = {w["reservation"]["end"] for w in won}
    assert all(e["error"]["details"]["nextFreeAt"] in ends for e in lost)


def test_a_claim_wants_a_healthy_environment_unless_told(rig: Rig) -> None:
    tag = f"h{uuid.uuid4().hex[:8]}"
    env = rig.environment(tags=[tag])  # never checked: health unknown
    body = {"tags": [tag], "duration": "1h", "purpose": "CI"}

    refused = rig.call("POST", "/reservations/claim", rig.user, json=body)
    anyway = body | {"requireHealthy": False}
    claimed = rig.call("POST", "/reservations/claim", rig.user, json=anyway)
    viewer = rig.call("POST", "/reservations/claim", rig.viewer, json=body)

    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "NONE_AVAILABLE",
        "message": "no matching environment is free",
        "details": {"nextFreeAt": None},
    }
    assert claimed.status_code == 201, claimed.text
    assert claimed.json()["environment"]["id"] == env["id"]
    assert viewer.status_code == 403


def wait_finished(rig: Rig, op_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = rig.call("GET", f"/operations/{op_id}", rig.admin).json()
        if body["status"] in FINISHED:
            return body  # type: ignore[no-any-return]
        time.sleep(0.1)
    pytest.fail(f"operation {op_id} still running")


def test_exclusive_refuses_others_operations_unless_an_admin_forces(
    rig: Rig, target: Target
) -> None:
    env = rig.environment(target, reservationPolicy="exclusive")
    reservation = rig.reserve(env["id"], rig.user).json()
    restart = f"/environments/{env['id']}/restart"

    refused = rig.call("POST", restart, rig.other)
    refused_admin = rig.call("POST", restart, rig.admin)
    forced = rig.call("POST", restart, rig.admin, json={"force": True})

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "RESERVED"
    assert refused.json()["error"]["details"]["holder"] == "olive"
    assert refused.json()["error"]["details"]["reservationId"] == reservation["id"]
    assert refused_admin.status_code == 409
    assert forced.status_code == 202, forced.text
    assert "forced by admin" in forced.json()["warnings"][0]
    wait_finished(rig, forced.json()["operationId"])
    holder = rig.call("POST", restart, rig.user)
    assert holder.status_code == 202, holder.text
    assert holder.json()["warnings"] == []
    wait_finished(rig, holder.json()["operationId"])
    logs = rig.call("GET", f"/environments/{env['id']}/logs", rig.admin).json()["logs"]
    assert "reservation_override" in [entry["action"] for entry in logs]


def test_advisory_lets_others_operate_with_a_warning(rig: Rig, target: Target) -> None:
    env = rig.environment(target)
    rig.reserve(env["id"], rig.user, purpose="PR 9")

    accepted = rig.call("POST", f"/environments/{env['id']}/restart", rig.other)

    assert accepted.status_code == 202, accepted.text
    (warning,) = accepted.json()["warnings"]
    assert "reserved by olive" in warning
    assert "PR 9" in warning
    operation = wait_finished(rig, accepted.json()["operationId"])
    assert operation["warnings"] == [warning]
    logs = rig.call("GET", f"/environments/{env['id']}/logs?action=restart", rig.admin).json()
    started = [e for e in logs["logs"] if e["details"].get("event") == "initiated"]
    assert "reserved by olive" in started[0]["message"]
    assert started[0]["details"]["warnings"] == [warning]


def test_policy_none_ignores_reservations(rig: Rig, target: Target) -> None:
    env = rig.environment(target, reservationPolicy="none")
    rig.reserve(env["id"], rig.user)

    accepted = rig.call("POST", f"/environments/{env['id']}/restart", rig.other)

    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["warnings"] == []
    wait_finished(rig, accepted.json()["operationId"])


def test_watching_needs_a_current_reservation(rig: Rig) -> None:
    env = rig.environment()
    path = f"/environments/{env['id']}/reservations/watch"

    assert rig.call("POST", path, rig.viewer).status_code == 422
    held = rig.reserve(env["id"], rig.user).json()
    watched = rig.call("POST", path, rig.viewer)
    assert watched.status_code == 200, watched.text
    assert watched.json()["id"] == held["id"]


def test_every_change_is_pushed_as_a_reservation_update(rig: Rig) -> None:
    env = rig.environment()

    async def watch() -> list[dict[str, Any]]:
        websocket = await open_session(rig.live, rig.viewer.token)
        try:
            made = await asyncio.to_thread(rig.reserve, env["id"], rig.user)
            reservation = made.json()
            await asyncio.to_thread(
                rig.call, "POST", f"/reservations/{reservation['id']}/release", rig.user
            )
            frames = []
            for _ in range(2):
                frame, _ = await recv_until(websocket, "reservation_update")
                frames.append(frame["payload"])
            return frames
        finally:
            await websocket.close()

    created, released = asyncio.run(watch())

    assert created["action"] == "created"
    assert created["reservation"]["environmentId"] == env["id"]
    assert created["reservation"]["status"] == "active"
    assert released["action"] == "released"
    assert released["reservation"]["status"] == "released"


def test_a_broken_reservation_and_a_watched_one_reach_the_channels(rig: Rig) -> None:
    receiver = Receiver().start()
    try:
        channel = rig.call(
            "POST",
            "/notifications/channels",
            rig.admin,
            json={
                "name": f"reservations-{uuid.uuid4().hex[:6]}",
                "url": receiver.apprise_url("/reservations"),
                "events": ["reservation.broken", "environment.free"],
                "scope": {"kind": "all"},
            },
        )
        assert channel.status_code == 201, channel.text
        env = rig.environment()
        held = rig.reserve(env["id"], rig.user, purpose="PR 77").json()
        assert rig.call("POST", f"/environments/{env['id']}/reservations/watch", rig.other)
        rig.call("POST", f"/reservations/{held['id']}/break", rig.admin, json={"reason": "fix"})

        broken, free = receiver.wait_for(2)

        assert "broken" in broken.title
        assert "@olive" in broken.body["message"]
        assert "fix" in broken.body["message"]
        assert free.title == f"{env['name']} is free"
        assert "@oscar" in free.body["message"]
    finally:
        rig.call("DELETE", f"/notifications/channels/{channel.json()['id']}", rig.admin)
        receiver.stop()


def test_claims_are_counted_in_the_metrics(rig: Rig) -> None:
    body = {"tags": [f"m{uuid.uuid4().hex[:8]}"], "duration": "1h", "purpose": "CI"}
    rig.call("POST", "/reservations/claim", rig.user, json=body)

    text = httpx.get(f"{rig.live.url}/metrics").text

    assert 'envdeck_reservation_claims_total{outcome="none_available"}' in text
    assert "envdeck_reservations_active" in text


def test_the_policy_is_exported_and_imported_but_reservations_are_not(rig: Rig) -> None:
    env = rig.environment(reservationPolicy="exclusive")
    rig.reserve(env["id"], rig.user)

    exported = rig.call("GET", f"/environments/export?q={env['name']}", rig.viewer).text
    changed = exported.replace("reservationPolicy: exclusive", "reservationPolicy: none")
    imported = rig.call(
        "POST",
        "/environments/import",
        rig.admin,
        content=changed,
        headers={"Content-Type": "application/yaml"},
    )

    assert "reservationPolicy: exclusive" in exported
    assert "reservations" not in exported
    assert imported.status_code == 200, imported.text
    assert imported.json()["changes"][0]["fields"] == ["reservationPolicy"]
    detail = rig.call("GET", f"/environments/{env['id']}", rig.viewer).json()
    assert detail["reservationPolicy"] == "none"
    assert detail["reservations"]["current"] is not None
