"""One operation at a time per environment, many environments at once: the real server
(uvicorn on loopback) taking simultaneous requests, the demo fleet taking the commands."""

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.live_app import (
    Account,
    LiveApp,
    account_fixture,
    admin_fixture,
    live_app_fixture,
)
from tests.support.operations import FINISHED, fleet_environment, operation_settings

FLEET_SIZE = 50
fleet = fleet_fixture(FLEET_SIZE, scope="module")


live = live_app_fixture("ops", operation_settings)
admin = admin_fixture()
operator = account_fixture("olive", "user")


@pytest.fixture(scope="module")
def environment_ids(live: LiveApp, admin: Account, fleet: FleetProcess) -> list[str]:
    ids = []
    for state in fleet.states():
        config = fleet_environment(fleet, state["name"])
        response = httpx.post(
            f"{live.url}/api/v1/environments",
            json=config,
            headers={"Authorization": f"Bearer {admin.token}"},
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def auth(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


async def wait_all(
    client: httpx.AsyncClient, account: Account, op_ids: list[str], seconds: float = 120
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    done: dict[str, dict[str, Any]] = {}
    while len(done) < len(op_ids):
        for op_id in op_ids:
            if op_id in done:
                continue
            body = (await client.get(f"/api/v1/operations/{op_id}", headers=auth(account))).json()
            if body["status"] in FINISHED:
                done[op_id] = body
        if time.monotonic() > deadline:
            pytest.fail(f"{len(op_ids) - len(done)} operations still running")
        await asyncio.sleep(0.2)
    return [done[op_id] for op_id in op_ids]


async def test_of_simultaneous_restarts_of_one_environment_exactly_one_starts(
    live: LiveApp, operator: Account, admin: Account, environment_ids: list[str]
) -> None:
    env_id = environment_ids[0]
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        responses = await asyncio.gather(
            *(
                client.post(f"/api/v1/environments/{env_id}/restart", headers=auth(who))
                for who in (operator, admin, operator, admin, operator, admin)
            )
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [202, 409, 409, 409, 409, 409]
        (started,) = [r.json() for r in responses if r.status_code == 202]
        for refused in (r for r in responses if r.status_code == 409):
            error = refused.json()["error"]
            assert error["code"] == "CONFLICT"
            assert error["details"]["operationId"] == started["operationId"]
        (op,) = await wait_all(client, admin, [started["operationId"]])
        assert op["status"] == "succeeded"
        listed = await client.get(
            "/api/v1/operations", params={"environmentId": env_id}, headers=auth(admin)
        )
        assert listed.json()["pagination"]["total"] == 1


async def test_operations_on_fifty_environments_in_parallel_all_complete(
    live: LiveApp, operator: Account, environment_ids: list[str], fleet: FleetProcess
) -> None:
    healthy = {s["name"] for s in fleet.states() if s["behaviour"] in ("healthy", "slow")}
    async with httpx.AsyncClient(base_url=live.url, timeout=60) as client:
        names = {}
        for env_id in environment_ids:
            body = await client.get(f"/api/v1/environments/{env_id}", headers=auth(operator))
            names[env_id] = body.json()["name"]
        responses = await asyncio.gather(
            *(
                client.post(f"/api/v1/environments/{env_id}/restart", headers=auth(operator))
                for env_id in environment_ids
            )
        )
        assert [r.status_code for r in responses] == [202] * FLEET_SIZE
        op_ids = [r.json()["operationId"] for r in responses]
        ops = await wait_all(client, operator, op_ids)

    assert len({op["id"] for op in ops}) == FLEET_SIZE
    for op in ops:
        assert op["status"] in ("succeeded", "failed"), op
        assert op["httpStatus"] == 200
        # Verification decides: healthy environments succeed, those the fleet keeps down
        # or flapping may fail it, and say why.
        if names[op["environmentId"]] in healthy:
            assert op["status"] == "succeeded", op
        else:
            assert op["status"] == "succeeded" or op["error"]["code"] == "VERIFICATION_FAILED"
    assert fleet.stats()["overlaps"] == 0
