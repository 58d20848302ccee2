"""HTTP targets that hang, trickle, flood or loop: health checks and HTTP commands end cleanly.

Each fault ends in a failed check or operation with a message that says what happened, within
the configured timeout; a huge body is read only up to health.maxBodyBytes; the health engine
keeps checking the other environments meanwhile; an operation's claim is released.
"""

import asyncio
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from envdeck.adapters.outbound_http import OutboundHttp
from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.environment import HealthCheckConfig, HealthValidation, ValidationType
from envdeck.domain.ids import new_id
from envdeck.services.health.checker import HealthChecker
from envdeck.services.inventory.sealing import SecretScope
from tests.faults.conftest import api, fault_settings
from tests.support.hostile_http import HUGE_BYTES, HostileTarget
from tests.support.live_app import Account, LiveApp, live_app_fixture
from tests.support.operations import FINISHED

TIMEOUT = 2  # seconds, every check and command here
MAX_BODY_BYTES = 65536
HEALTHY_NEIGHBOURS = 5


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileTarget]:
    target = HostileTarget().start()
    yield target
    target.stop()


live = live_app_fixture(
    "http-faults",
    lambda data: fault_settings(data, ENVDECK_HEALTH__MAX_BODY_BYTES=str(MAX_BODY_BYTES)),
)


def create(live: LiveApp, admin: Account, name: str, **config: Any) -> str:
    return str(api(live, admin, "POST", "/environments", json={"name": name, **config})["id"])


def checked(url: str, **validation: Any) -> dict[str, Any]:
    health: dict[str, Any] = {
        "enabled": True,
        "endpoint": url,
        "interval": 10,
        "timeout": TIMEOUT,
        "failureThreshold": 1,
    }
    if validation:
        health["validation"] = validation
    return {"healthCheck": health}


def wait_for(condition: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.2)


class TestHealthChecks:
    def test_each_fault_fails_its_check_clearly_and_the_others_are_still_checked(
        self, live: LiveApp, admin: Account, hostile: HostileTarget
    ) -> None:
        json_ok = {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}}
        faulty = {
            "hang": create(live, admin, "hangs", **checked(hostile.url("/hang"))),
            "trickle": create(live, admin, "trickles", **checked(hostile.url("/trickle"))),
            "huge": create(live, admin, "floods", **checked(hostile.url("/huge"), **json_ok)),
            "loop": create(live, admin, "loops", **checked(hostile.url("/loop"))),
        }
        neighbours = [
            create(live, admin, f"neighbour-{n}", **checked(hostile.url("/ok"), **json_ok))
            for n in range(HEALTHY_NEIGHBOURS)
        ]

        def statuses() -> dict[str, dict[str, Any]] | None:
            found = {
                env["id"]: env["status"]
                for env in api(live, admin, "GET", "/environments", params={"limit": 200})[
                    "environments"
                ]
            }
            wanted = [*faulty.values(), *neighbours]
            return found if all(found[i]["lastCheck"] for i in wanted) else None

        # First checks come within 2 s of a create; each ends within its 2 s timeout.
        status = wait_for(statuses, 20, "every environment checked once")

        assert status[faulty["hang"]]["message"] == f"timed out after {TIMEOUT} s"
        assert status[faulty["trickle"]]["message"].startswith(
            f"timed out after {TIMEOUT} s reading the response body ("
        )
        assert status[faulty["huge"]]["message"] == (
            f"response is not JSON (only the first {MAX_BODY_BYTES} bytes were read: maxBodyBytes)"
        )
        assert status[faulty["huge"]]["statusCode"] == 200
        assert status[faulty["loop"]]["message"] == "more than 5 redirects"
        for env_id in faulty.values():
            assert status[env_id]["health"] == "unhealthy"
        for env_id in neighbours:
            assert status[env_id]["health"] == "healthy"
        # The redirect loop was followed five times, not forever.
        assert hostile.requests["/loop"] <= 6 * hostile.requests["/ok"]
        stats = live.services.health.stats
        assert stats.overlaps == 0

    async def test_a_10_mb_body_costs_no_more_memory_than_max_body_bytes(
        self, hostile: HostileTarget
    ) -> None:
        cap = 1_048_576  # the default health.maxBodyBytes
        http = OutboundHttp(max_connections=10, max_body_bytes=cap, max_redirects=5)
        checker = HealthChecker(http, SecretBox([bytes(32)]), lambda: datetime.now(UTC))
        config = HealthCheckConfig(
            enabled=True,
            endpoint=hostile.url("/huge"),
            timeout=10,
            validation=HealthValidation(type=ValidationType.JSON_REGEX, value="ok"),
        )
        tracemalloc.start()
        try:
            result = await checker.check(config, SecretScope(new_id()), None)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            await http.close()

        assert not result.ok
        assert len(result.body) == cap
        assert "only the first 1048576 bytes were read" in result.message
        # Everything this process allocated meanwhile (the target's side included) stays a
        # small multiple of the cap, nowhere near the 10 MB sent.
        assert peak < 4 * cap < HUGE_BYTES


class TestHttpCommands:
    def test_each_fault_ends_the_operation_clearly_and_releases_the_claim(
        self, live: LiveApp, admin: Account, hostile: HostileTarget
    ) -> None:
        envs = {
            fault: create(
                live,
                admin,
                f"command-{fault}",
                commands={
                    "type": "http",
                    "restart": {
                        "enabled": True,
                        "url": hostile.url(f"/{fault}"),
                        "method": "GET",
                        "timeout": TIMEOUT,
                    },
                },
            )
            for fault in ("hang", "trickle", "huge", "loop")
        }
        ops = {
            fault: api(live, admin, "POST", f"/environments/{env_id}/restart")["operationId"]
            for fault, env_id in envs.items()
        }

        def finished() -> dict[str, dict[str, Any]] | None:
            done = {
                fault: api(live, admin, "GET", f"/operations/{op}") for fault, op in ops.items()
            }
            return done if all(op["status"] in FINISHED for op in done.values()) else None

        op = wait_for(finished, 30, "every operation finished")

        assert op["hang"]["status"] == "timed_out"
        assert op["hang"]["error"] == {
            "code": "TIMED_OUT",
            "message": f"timed out after {TIMEOUT} s",
        }
        assert op["trickle"]["status"] == "timed_out"
        assert op["trickle"]["error"]["message"].startswith(
            f"timed out after {TIMEOUT} s reading the response body ("
        )
        # A 10 MB answer is a success (2xx) whose output keeps a short excerpt only.
        assert op["huge"]["status"] == "succeeded"
        assert op["huge"]["httpStatus"] == 200
        assert "[… response cut]" in op["huge"]["output"]
        assert len(op["huge"]["output"]) < 4096
        assert op["loop"]["status"] == "failed"
        assert op["loop"]["error"]["message"] == "more than 5 redirects"
        for env_id in envs.values():
            assert api(live, admin, "GET", f"/environments/{env_id}")["activeOperation"] is None
        entries = api(live, admin, "GET", "/logs", params={"action": "restart", "limit": 50})
        outcome: dict[str, str] = {}
        for entry in entries["logs"]:  # newest first: the outcome, then "started"
            outcome.setdefault(entry["environmentId"], entry["level"])
        assert outcome[envs["hang"]] == outcome[envs["loop"]] == "error"


async def test_the_hostile_target_really_sends_10_mb(hostile: HostileTarget) -> None:
    # The fixture's own check: a client that reads everything gets every byte.
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(hostile.url("/huge"))
    assert len(response.content) == HUGE_BYTES
    assert response.json()["status"] == "ok"
    await asyncio.sleep(0)
