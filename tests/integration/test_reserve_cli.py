"""`envdeck reserve claim` and `release` as a pipeline runs them: a subprocess against a live
Envdeck on SQLite, with an API token of a user."""

import json
import subprocess
from typing import Any

import httpx
import pytest

from envdeck.domain.clock import utc_now
from envdeck.domain.environment import HealthState, Status
from tests.integration.test_cli import run
from tests.support.live_app import (
    Account,
    LiveApp,
    account_fixture,
    admin_fixture,
    live_app_fixture,
)

live = live_app_fixture("reserve-cli")
admin = admin_fixture()
ci_user = account_fixture("ci-bot", "user")
viewer = account_fixture("watcher", "viewer")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def token(live: LiveApp, ci_user: Account) -> str:
    """An API token of the user `ci-bot`, as a pipeline holds one."""
    created = httpx.post(
        f"{live.url}/api/v1/tokens", json={"name": "pipeline"}, headers=bearer(ci_user.token)
    )
    assert created.status_code == 201, created.text
    return str(created.json()["secret"])


def add_environment(
    live: LiveApp, admin: Account, name: str, tag: str, health: HealthState = HealthState.HEALTHY
) -> dict[str, Any]:
    """Create an environment over the API and give it a health, as the health engine would."""
    created = httpx.post(
        f"{live.url}/api/v1/environments",
        json={"name": name, "environmentURL": f"https://{name}.example.test/", "tags": [tag]},
        headers=bearer(admin.token),
    )
    assert created.status_code == 201, created.text
    environment: dict[str, Any] = created.json()
    status = Status(health=health, last_check=utc_now(), since=utc_now())
    storage = live.services.storage
    live.run(storage.environments.update_status(environment["id"], status)).result(timeout=10)
    return environment


def reserve(live: LiveApp, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run(
        "reserve",
        *args,
        "--url",
        live.url,
        cwd=live.settings.data_dir.parent,
        env={"ENVDECK_TOKEN": token},
    )


def claim(live: LiveApp, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return reserve(live, token, "claim", "--for", "2h", "--purpose", "PR 123", *args)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """Return the single line a failed command printed on stderr (and nothing on stdout)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    assert lines[0].startswith("envdeck: error: ")
    return lines[0]


def test_claim_prints_the_environment_and_its_reservation_as_json(
    live: LiveApp, admin: Account, token: str
) -> None:
    environment = add_environment(live, admin, "qa-json", "json")
    result = claim(live, token, "--tag", "json")
    assert result.returncode == 0, result.stderr
    claimed = json.loads(result.stdout)
    assert claimed["environment"]["id"] == environment["id"]
    assert claimed["environment"]["environmentURL"] == "https://qa-json.example.test/"
    reservation = claimed["reservation"]
    assert reservation["environmentId"] == environment["id"]
    assert reservation["holder"]["username"] == "ci-bot"
    assert reservation["purpose"] == "PR 123"
    assert reservation["status"] == "active"


def test_a_claim_when_none_is_free_exits_3_saying_when_one_frees_up(
    live: LiveApp, admin: Account, token: str
) -> None:
    add_environment(live, admin, "qa-busy", "busy")
    first = claim(live, token, "--tag", "busy")
    assert first.returncode == 0, first.stderr
    end = json.loads(first.stdout)["reservation"]["end"]

    second = claim(live, token, "--tag", "busy")
    assert second.returncode == 3
    assert f"the next one frees up at {end}" in one_line(second)


def test_release_frees_the_environment_for_the_next_claim(
    live: LiveApp, admin: Account, token: str
) -> None:
    environment = add_environment(live, admin, "qa-release", "release")
    first = json.loads(claim(live, token, "--tag", "release").stdout)

    released = reserve(live, token, "release", first["reservation"]["id"])
    assert released.returncode == 0, released.stderr
    reservation = json.loads(released.stdout)
    assert reservation["id"] == first["reservation"]["id"]
    assert reservation["releasedAt"] is not None
    assert reservation["releasedBy"]["username"] == "ci-bot"

    again = claim(live, token, "--tag", "release")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["environment"]["id"] == environment["id"]


def test_releasing_a_reservation_over_already_prints_it_with_a_note(
    live: LiveApp, admin: Account, token: str
) -> None:
    add_environment(live, admin, "qa-twice", "twice")
    reservation_id = json.loads(claim(live, token, "--tag", "twice").stdout)["reservation"]["id"]
    assert reserve(live, token, "release", reservation_id).returncode == 0

    again = reserve(live, token, "release", reservation_id)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "released"
    assert again.stderr == "envdeck: note: the reservation was over already (released)\n"


def test_claim_passes_over_an_unhealthy_environment_unless_allowed(
    live: LiveApp, admin: Account, token: str
) -> None:
    add_environment(live, admin, "qa-down", "down", HealthState.UNHEALTHY)
    refused = claim(live, token, "--tag", "down")
    assert refused.returncode == 3
    one_line(refused)

    allowed = claim(live, token, "--tag", "down", "--allow-unhealthy")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["environment"]["name"] == "qa-down"


def test_claim_takes_one_of_the_environments_named_by_id(
    live: LiveApp, admin: Account, token: str
) -> None:
    add_environment(live, admin, "qa-by-id-1", "by-id")
    wanted = add_environment(live, admin, "qa-by-id-2", "by-id")
    result = claim(live, token, "--environment", wanted["id"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["environment"]["id"] == wanted["id"]


def test_a_bad_token_is_one_line_and_exit_2(live: LiveApp) -> None:
    result = claim(live, "edk_not-a-token", "--tag", "json")
    assert result.returncode == 2
    assert "(HTTP 401)" in one_line(result)


def test_a_viewer_is_refused_in_one_line_with_exit_2(live: LiveApp, viewer: Account) -> None:
    result = claim(live, viewer.token, "--tag", "json")
    assert result.returncode == 2
    assert "(HTTP 403)" in one_line(result)


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["claim", "--for", "soon", "--purpose", "PR 1", "--tag", "json"], 422),
        (["release", "no-such-reservation"], 404),
    ],
)
def test_a_refused_request_is_one_line_and_exit_2(
    live: LiveApp, token: str, args: list[str], status: int
) -> None:
    result = reserve(live, token, *args)
    assert result.returncode == 2
    assert f"(HTTP {status})" in one_line(result)


def test_an_id_that_could_change_the_path_is_refused_as_not_an_id(
    live: LiveApp, token: str
) -> None:
    result = reserve(live, token, "release", "../../health")
    assert result.returncode == 2
    assert one_line(result) == "envdeck: error: '../../health' is not a reservation id"


def test_a_server_that_does_not_answer_is_one_line_and_exit_4(live: LiveApp, token: str) -> None:
    result = run(
        "reserve",
        "release",
        "any",
        "--url",
        "http://127.0.0.1:9",
        "--token",
        token,
        cwd=live.settings.data_dir.parent,
    )
    assert result.returncode == 4
    assert "cannot reach http://127.0.0.1:9" in one_line(result)
