"""Promotions over HTTP against the demo fleet, on both backends: the real server on loopback,
the fleet's shop environments (dev, qa, staging, prod) upgraded over HTTP by real operations."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import yaml

from envdeck.config import load_settings
from envdeck.demo.register import demo_config
from tests.conftest import BACKENDS, drop_database, unique_database_name
from tests.support.fleet import FleetProcess, launch_fleet
from tests.support.live_app import (
    Account,
    LiveApp,
    create_account,
    open_session,
    recv_until,
    set_up_admin,
)
from tests.support.receiver import Receiver

STAGES = ("dev", "qa", "staging", "prod")
OPEN = {"awaiting_approval", "running"}
# Every shop environment starts each test on this version, healthy.
BASELINE = "2.3.0"


class Rig:
    def __init__(self, live: LiveApp, fleet: FleetProcess) -> None:
        self.live = live
        self.fleet = fleet
        self.admin = set_up_admin(live)
        self.second_admin = create_account(live, self.admin, "ada", "admin")
        self.user = create_account(live, self.admin, "olive", "user")
        self.ids: dict[str, str] = {}
        for stage in STAGES:
            name = f"shop-{stage}"
            body = demo_config(name, fleet.env_url(name), interval=3600, verify_timeout=30)
            created = self.call("POST", "/environments", self.admin, json=body)
            assert created.status_code == 201, created.text
            self.ids[stage] = created.json()["id"]

    def call(self, method: str, path: str, who: Account, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {who.token}"} | kwargs.pop("headers", {})
        return httpx.request(
            method, f"{self.live.url}/api/v1{path}", headers=headers, timeout=60, **kwargs
        )

    def reset(self) -> None:
        """No promotion open; every shop environment on BASELINE, healthy, nothing configured
        to fail."""
        deadline = time.monotonic() + 90
        for promotion in self.call("GET", "/promotions?limit=200", self.admin).json()["items"]:
            if promotion["status"] == "awaiting_approval":
                self.call("POST", f"/promotions/{promotion['id']}/cancel", self.admin)
            elif promotion["status"] == "running":
                self.wait(promotion["id"], timeout=max(deadline - time.monotonic(), 1))
        for stage in STAGES:
            self.fleet.configure(
                f"shop-{stage}", version=BASELINE, upgradeApplies=True, commandStatus=None
            )
            self.check(stage)

    def check(self, stage: str) -> dict[str, Any]:
        checked = self.call("POST", f"/environments/{self.ids[stage]}/check-health", self.admin)
        assert checked.status_code == 200, checked.text
        return checked.json()  # type: ignore[no-any-return]

    def pipeline(self, name: str, stages: list[dict[str, Any]]) -> dict[str, Any]:
        created = self.call("POST", "/pipelines", self.admin, json={"name": name, "stages": stages})
        assert created.status_code == 201, created.text
        return created.json()  # type: ignore[no-any-return]

    def shop(self, name: str, **prod: Any) -> dict[str, Any]:
        stages = [{"name": s, "tags": ["shop", s], "soakTime": "0s"} for s in STAGES]
        stages[-1] |= prod
        return self.pipeline(name, stages)

    def promote(
        self, pipeline: dict[str, Any], stage: str, who: Account, **body: Any
    ) -> httpx.Response:
        path = f"/pipelines/{pipeline['id']}/stages/{stage}/promotions"
        return self.call("POST", path, who, json=body)

    def wait(self, promotion_id: str, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.call("GET", f"/promotions/{promotion_id}", self.admin).json()
            if found["status"] not in OPEN:
                return found  # type: ignore[no-any-return]
            assert time.monotonic() < deadline, found
            time.sleep(0.3)

    def version(self, stage: str) -> str:
        env = self.call("GET", f"/environments/{self.ids[stage]}", self.admin).json()
        return env["systemInfo"]["appVersion"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetProcess]:
    process = launch_fleet(count=12, transition_seconds=0.5)
    yield process
    process.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def rig(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    fleet: FleetProcess,
) -> Iterator[Rig]:
    environ = {
        "ENVDECK_DATA_DIR": str(tmp_path_factory.mktemp("promotions") / "data"),
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
        yield Rig(live, fleet)
    finally:
        live.stop()
        if request.param == "mongo":
            asyncio.run(drop_database(environ["MONGODB_URI"], database))


@pytest.fixture
def shop(rig: Rig) -> Rig:
    rig.reset()
    return rig


def gates_of(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "GATE_NOT_MET"
    return {gate["name"]: gate for gate in error["details"]["gates"]}


def test_a_version_is_promoted_through_four_stages(shop: Rig) -> None:
    pipeline = shop.shop("shop-road")

    first = shop.promote(pipeline, "dev", shop.user, version="2.5.0")
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "running"
    for stage in STAGES:
        if stage != "dev":
            # No version given: the one verified on the previous stage.
            started = shop.promote(pipeline, stage, shop.user)
            assert started.status_code == 202, started.text
            assert started.json()["version"] == "2.5.0"
            promotion_id = started.json()["id"]
        else:
            promotion_id = first.json()["id"]
        done = shop.wait(promotion_id)
        assert done["status"] == "succeeded", done
        (target,) = done["targets"]
        assert (target["status"], target["fromVersion"]) == ("succeeded", BASELINE)
        operation = shop.call("GET", f"/operations/{target['operationId']}", shop.admin).json()
        assert (operation["type"], operation["status"]) == ("upgrade", "succeeded")
        assert operation["verification"]["verified"] is True
        assert shop.version(stage) == "2.5.0"

    history = shop.call("GET", f"/promotions?pipelineId={pipeline['id']}", shop.user).json()
    assert [p["stage"] for p in history["items"]] == ["prod", "staging", "qa", "dev"]
    assert {p["requestedBy"]["username"] for p in history["items"]} == {"olive"}
    board = shop.call("GET", f"/pipelines/{pipeline['id']}/board", shop.user).json()
    assert [s["verifiedVersion"] for s in board["stages"]] == ["2.5.0"] * 4
    assert board["versions"] == [{"version": "2.5.0", "stages": list(STAGES)}]


def test_a_version_not_soaked_on_the_previous_stage_is_refused(shop: Rig) -> None:
    stages = [{"name": s, "tags": ["shop", s], "soakTime": "1h"} for s in STAGES]
    pipeline = shop.pipeline("shop-soak", stages)
    done = shop.wait(shop.promote(pipeline, "dev", shop.user, version="2.4.0").json()["id"])
    assert done["status"] == "succeeded"

    gates = gates_of(shop.promote(pipeline, "qa", shop.user))

    assert gates["previousStage"]["passed"] is True
    assert gates["soakTime"]["passed"] is False
    assert "of 1h" in gates["soakTime"]["message"]
    answer = shop.call("GET", f"/pipelines/{pipeline['id']}/stages/qa/gates", shop.user).json()
    assert (answer["version"], answer["passed"]) == ("2.4.0", False)


def test_a_protected_stage_needs_another_admin(shop: Rig) -> None:
    pipeline = shop.shop("shop-approved", approvals=1)
    for stage in STAGES[:3]:
        promoted = shop.promote(pipeline, stage, shop.admin, version="2.4.1")
        assert shop.wait(promoted.json()["id"])["status"] == "succeeded"

    waiting = shop.promote(pipeline, "prod", shop.admin)
    assert waiting.status_code == 202, waiting.text
    assert waiting.json()["status"] == "awaiting_approval"
    promotion_id = waiting.json()["id"]
    # The bell of the other admins counts it (their attention list).
    bell = shop.call("GET", "/logs?attention=true&limit=5", shop.second_admin).json()
    assert any(
        e["action"] == "promotion_awaiting_approval" and e["details"]["promotionId"] == promotion_id
        for e in bell["logs"]
    ), bell
    own = shop.call("POST", f"/promotions/{promotion_id}/approve", shop.admin)
    assert own.status_code == 403
    assert "two-person" in own.json()["error"]["message"]
    by_user = shop.call("POST", f"/promotions/{promotion_id}/approve", shop.user)
    assert by_user.status_code == 403
    assert shop.version("prod") == BASELINE

    approved = shop.call("POST", f"/promotions/{promotion_id}/approve", shop.second_admin)

    assert approved.status_code == 200, approved.text
    assert approved.json()["approvals"][0]["username"] == "ada"
    done = shop.wait(promotion_id)
    assert done["status"] == "succeeded", done
    assert shop.version("prod") == "2.4.1"


def test_a_rejected_promotion_upgrades_nothing(shop: Rig) -> None:
    pipeline = shop.pipeline(
        "shop-rejected", [{"name": "prod", "tags": ["shop", "prod"], "approvals": 1}]
    )
    waiting = shop.promote(pipeline, "prod", shop.user, version="2.4.1").json()

    rejected = shop.call(
        "POST", f"/promotions/{waiting['id']}/reject", shop.admin, json={"reason": "freeze"}
    )

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection"]["reason"] == "freeze"
    assert shop.version("prod") == BASELINE
    again = shop.call("POST", f"/promotions/{waiting['id']}/approve", shop.second_admin)
    assert again.status_code == 409


def test_a_failing_environment_stops_the_promotion_and_rolls_the_stage_back(shop: Rig) -> None:
    # qa and staging as one stage: qa is upgraded first (by name), staging's upgrade never
    # changes its version, so its verification fails.
    both = [shop.ids["qa"], shop.ids["staging"]]
    pipeline = shop.pipeline(
        "shop-rollback",
        [
            {"name": "dev", "environmentIds": [shop.ids["dev"]]},
            {"name": "test", "environmentIds": both, "maxParallel": 1},
        ],
    )
    assert (
        shop.wait(shop.promote(pipeline, "dev", shop.user, version="2.4.0").json()["id"])["status"]
        == "succeeded"
    )
    shop.fleet.configure("shop-staging", upgradeApplies=False)

    done = shop.wait(shop.promote(pipeline, "test", shop.user).json()["id"])

    assert done["status"] == "failed", done
    by_name = {t["environmentName"]: t for t in done["targets"]}
    assert by_name["shop-staging"]["status"] == "failed"
    assert by_name["shop-qa"]["status"] == "rolled_back"
    rollback = shop.call(
        "GET", f"/operations/{by_name['shop-qa']['rollbackOperationId']}", shop.admin
    ).json()
    assert (rollback["type"], rollback["status"]) == ("rollback", "succeeded")
    assert shop.version("qa") == BASELINE
    assert "shop-staging" in done["message"]


def test_two_promotions_of_one_stage_at_once_give_one_202_and_one_409(shop: Rig) -> None:
    pipeline = shop.shop("shop-race")

    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda v: shop.promote(pipeline, "dev", shop.user, version=v), ["2.4.0", "2.4.1"]
            )
        )

    codes = sorted(a.status_code for a in answers)
    assert codes == [202, 409], [a.text for a in answers]
    started = next(a for a in answers if a.status_code == 202).json()
    refused = next(a for a in answers if a.status_code == 409).json()["error"]
    assert refused["details"]["promotionId"] == started["id"]
    assert shop.wait(started["id"])["status"] == "succeeded"


def test_a_version_that_skipped_a_stage_is_refused(shop: Rig) -> None:
    pipeline = shop.shop("shop-lineage")
    # staging gets 2.2.0 by hand; dev and qa never ran it.
    shop.fleet.set_version("shop-staging", "2.2.0")
    shop.check("staging")

    gates = gates_of(shop.promote(pipeline, "prod", shop.admin, version="2.2.0"))

    assert gates["previousStage"]["passed"] is True
    assert gates["lineage"]["passed"] is False
    assert gates["lineage"]["message"] == "2.2.0 never passed dev, qa"
    assert shop.version("prod") == BASELINE


def test_pipelines_are_validated_and_only_admins_write_them(shop: Rig) -> None:
    body = {
        "name": "shop-bad",
        "stages": [{"name": "a", "tags": ["shop"]}, {"name": "b", "tags": ["qa"]}],
    }
    overlapping = shop.call("POST", "/pipelines", shop.admin, json=body)
    assert overlapping.status_code == 422
    assert "shop-qa" in overlapping.json()["error"]["message"]

    empty = {"name": "x", "stages": [{"name": "a"}]}
    assert shop.call("POST", "/pipelines", shop.admin, json=empty).status_code == 422
    repeated = {"name": "x", "stages": [{"name": "a", "tags": ["a"]}, {"name": "a", "tags": ["b"]}]}
    assert shop.call("POST", "/pipelines", shop.admin, json=repeated).status_code == 422
    unknown = {
        "name": "x",
        "stages": [{"name": "a", "environmentIds": ["6b05a2c33c0ca6934944ef1e"]}],
    }
    assert shop.call("POST", "/pipelines", shop.admin, json=unknown).status_code == 422
    good = {"name": "shop-ok", "stages": [{"name": "a", "tags": ["shop", "dev"]}]}
    assert shop.call("POST", "/pipelines", shop.user, json=good).status_code == 403
    created = shop.call("POST", "/pipelines", shop.admin, json=good)
    assert created.status_code == 201
    assert shop.call("POST", "/pipelines", shop.admin, json=good).status_code == 409
    missing_stage = shop.promote(created.json(), "nope", shop.user, version="2.4.0")
    assert missing_stage.status_code == 404


def test_a_promotion_is_live_on_the_websocket_and_announced_on_the_channels(shop: Rig) -> None:
    pipeline = shop.shop("shop-live", approvals=1)
    receiver = Receiver().start()
    channel = shop.call(
        "POST",
        "/notifications/channels",
        shop.admin,
        json={
            "name": f"promotions-{uuid.uuid4().hex[:6]}",
            "url": receiver.apprise_url("/promotions"),
            "events": ["promotion.awaiting_approval", "promotion.succeeded"],
            "scope": {"kind": "all"},
        },
    )
    assert channel.status_code == 201, channel.text

    async def watch() -> list[dict[str, Any]]:
        websocket = await open_session(shop.live, shop.user.token)
        try:
            started = shop.promote(pipeline, "dev", shop.user, version="2.4.0").json()
            frames = []
            while True:
                frame, _ = await recv_until(websocket, "promotion_update", seconds=60)
                promotion = frame["payload"]["promotion"]
                if promotion["id"] == started["id"]:
                    frames.append(promotion)
                if promotion["status"] == "succeeded":
                    return frames
        finally:
            await websocket.close()

    try:
        seen = asyncio.run(watch())
        waiting = shop.promote(pipeline, "prod", shop.user, version="2.4.0")
        assert waiting.status_code == 422  # qa and staging never ran it: nothing is announced
        qa = shop.wait(shop.promote(pipeline, "qa", shop.user).json()["id"])
        staging = shop.wait(shop.promote(pipeline, "staging", shop.user).json()["id"])
        assert (qa["status"], staging["status"]) == ("succeeded", "succeeded")
        shop.promote(pipeline, "prod", shop.user)

        messages = receiver.wait_for(4)
    finally:
        shop.call("DELETE", f"/notifications/channels/{channel.json()['id']}", shop.admin)
        receiver.stop()

    statuses = [p["status"] for p in seen]
    assert (statuses[0], statuses[-1]) == ("running", "succeeded")
    assert any(t["status"] == "running" for p in seen for t in p["targets"])
    titles = [m.title for m in messages]
    assert titles[:3] == [f"2.4.0 promoted to shop-live/{s}" for s in ("dev", "qa", "staging")]
    assert titles[3] == "Promotion of 2.4.0 to shop-live/prod awaits approval"
    assert "olive asks to promote 2.4.0" in messages[3].body["message"]


def test_pipelines_travel_in_the_yaml_export_and_import(shop: Rig) -> None:
    listed = [{"name": "only", "environmentIds": [shop.ids["dev"], shop.ids["qa"]]}]
    pipeline = shop.pipeline("shop-yaml", [*listed, {"name": "last", "tags": ["shop", "prod"]}])

    exported = shop.call("GET", "/environments/export", shop.admin)
    document = yaml.safe_load(exported.text)
    (written,) = [p for p in document["pipelines"] if p["name"] == "shop-yaml"]
    assert written["stages"][0]["environmentNames"] == ["shop-dev", "shop-qa"]
    assert "environmentIds" not in written["stages"][0]
    assert written["stages"][1]["tags"] == ["shop", "prod"]

    def load(body: dict[str, Any], dry_run: bool) -> httpx.Response:
        return shop.call(
            "POST",
            f"/environments/import?dryRun={'true' if dry_run else 'false'}",
            shop.admin,
            content=yaml.safe_dump(body).encode(),
            headers={"Content-Type": "application/yaml"},
        )

    same = load(document, dry_run=True).json()
    assert {"name": "shop-yaml", "action": "unchanged"} in same["pipelines"]
    written["stages"][1]["soakTime"] = "2h"
    written["stages"][0]["environmentNames"] = ["shop-dev"]
    document["pipelines"].append({"name": "shop-copy", "stages": written["stages"]})
    planned = load(document, dry_run=True).json()
    assert {"name": "shop-yaml", "action": "update"} in planned["pipelines"]
    assert {"name": "shop-copy", "action": "create"} in planned["pipelines"]
    stored = shop.call("GET", f"/pipelines/{pipeline['id']}", shop.admin).json()
    assert stored["stages"][1]["soakTime"] == "0s"

    assert load(document, dry_run=False).status_code == 200
    stored = shop.call("GET", f"/pipelines/{pipeline['id']}", shop.admin).json()
    assert stored["stages"][1]["soakTime"] == "2h"
    assert stored["stages"][0]["environmentIds"] == [shop.ids["dev"]]

    document["pipelines"].append(
        {"name": "broken", "stages": [{"name": "a", "environmentNames": ["no-such-env"]}]}
    )
    refused = load(document, dry_run=False)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["pipelines"][0]["pipeline"] == "broken"
    names = [p["name"] for p in shop.call("GET", "/pipelines", shop.admin).json()["items"]]
    assert "broken" not in names
