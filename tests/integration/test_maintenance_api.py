"""Maintenance windows over HTTP: admins plan them, viewers read them, bad input is refused."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx2
import pytest

from envdeck.domain.environment import Environment
from envdeck.domain.log import LogEntry, LogListOptions
from envdeck.services.container import Services
from tests.integration.conftest import Personas

URL = "/api/v1/maintenance-windows"
ABSENT_ID = "6b05a2c33c0ca6934944ef1e"

T = TypeVar("T")

ONE_OFF: dict[str, Any] = {
    "name": "db upgrade",
    "reason": "PostgreSQL 17",
    "scope": {"tags": ["prod"]},
    "kind": "one-off",
    "start": "2026-05-01T22:00:00Z",
    "end": "2026-05-02T02:00:00Z",
}
RECURRING: dict[str, Any] = {
    "name": "nightly restart",
    "scope": {"tags": ["qa"]},
    "kind": "recurring",
    "cron": "30 2 * * *",
    "durationMinutes": 60,
    "timezone": "Europe/Berlin",
}


def services(personas: Personas) -> Services:
    services: Services = personas.client.app.state.services  # type: ignore[attr-defined]
    return services


def call(personas: Personas, function: Callable[..., Awaitable[T]], *args: Any) -> T:
    assert personas.client.portal is not None
    return personas.client.portal.call(function, *args)


def post(personas: Personas, body: dict[str, Any], url: str = URL) -> httpx2.Response:
    return personas.client.post(url, json=body, headers=personas.admin.headers())


def create(personas: Personas, **fields: Any) -> dict[str, Any]:
    response = post(personas, ONE_OFF | fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_validation_error(response: httpx2.Response, text: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert text in error["message"]


def test_viewers_read_but_may_not_create(personas: Personas) -> None:
    created = create(personas)
    viewer = personas.viewer.headers()

    assert personas.client.get(URL).status_code == 401
    assert personas.client.post(URL, json=ONE_OFF, headers=viewer).status_code == 403
    assert personas.client.get(f"{URL}/{created['id']}", headers=viewer).json() == created
    assert personas.client.get(f"{URL}/{ABSENT_ID}", headers=viewer).status_code == 404


def test_creates_lists_and_gets_a_window_with_its_creator(personas: Personas) -> None:
    created = create(personas)
    recurring = post(personas, RECURRING).json()

    listed = personas.client.get(URL, headers=personas.viewer.headers()).json()

    assert created["createdBy"]["username"] == personas.admin.username
    assert created["start"] == "2026-05-01T22:00:00.000Z"
    assert created["enabled"] is True
    assert [w["name"] for w in listed["maintenanceWindows"]] == ["db upgrade", "nightly restart"]
    assert listed["pagination"]["total"] == 2
    assert recurring["cron"] == "30 2 * * *"
    assert recurring["start"] is None


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        (
            {
                "kind": "recurring",
                "start": None,
                "end": None,
                "cron": "not a cron",
                "durationMinutes": 30,
            },
            "invalid cron",
        ),
        (
            {
                "kind": "recurring",
                "start": None,
                "end": None,
                "cron": "0 2 * * *",
                "durationMinutes": 30,
                "timezone": "Europe/Atlantis",
            },
            "unknown time zone",
        ),
        ({"end": "2026-05-01T22:00:00Z"}, "end must be after start"),
        ({"end": "2026-05-01T21:00:00Z"}, "end must be after start"),
        ({"scope": {"environmentIds": [], "tags": []}}, "at least one environment id or tag"),
        ({"scope": {"environmentIds": ["not-an-id"]}}, "invalid environment id"),
        (
            {
                "kind": "recurring",
                "start": None,
                "end": None,
                "cron": "0 2 * * *",
                "durationMinutes": 10081,
            },
            "durationMinutes",
        ),
        ({"extra": 1}, "extra"),
    ],
)
def test_rejects_invalid_windows_in_the_error_envelope(
    personas: Personas, fields: dict[str, Any], text: str
) -> None:
    assert_validation_error(post(personas, ONE_OFF | fields), text)


def test_put_replaces_and_patch_changes_part_of_a_window(personas: Personas) -> None:
    created = create(personas)
    url, headers = f"{URL}/{created['id']}", personas.admin.headers()

    replaced = personas.client.put(url, json=RECURRING, headers=headers).json()
    patched = personas.client.patch(url, json={"durationMinutes": 90}, headers=headers).json()
    switched = personas.client.patch(url, json=ONE_OFF | {"name": "back"}, headers=headers)

    assert replaced["kind"] == "recurring"
    assert replaced["start"] is None
    assert replaced["createdAt"] == created["createdAt"]
    assert replaced["createdBy"] == created["createdBy"]
    assert patched["durationMinutes"] == 90
    assert patched["cron"] == "30 2 * * *"
    assert switched.status_code == 200, switched.text
    assert switched.json()["cron"] is None
    assert switched.json()["name"] == "back"


def test_a_patch_that_leaves_an_invalid_window_is_refused(personas: Personas) -> None:
    created = create(personas)

    response = personas.client.patch(
        f"{URL}/{created['id']}",
        json={"end": "2026-04-01T00:00:00Z"},
        headers=personas.admin.headers(),
    )

    assert_validation_error(response, "end must be after start")


def test_deletes_a_window(personas: Personas) -> None:
    created = create(personas)
    url, headers = f"{URL}/{created['id']}", personas.admin.headers()

    assert personas.client.delete(url, headers=headers).status_code == 204
    assert personas.client.get(url, headers=headers).status_code == 404
    assert personas.client.delete(url, headers=headers).status_code == 404


def test_previews_the_next_runs_of_a_saved_and_an_unsaved_window(personas: Personas) -> None:
    saved = post(personas, RECURRING).json()
    schedule = {k: v for k, v in RECURRING.items() if k not in {"name", "scope"}}

    of_saved = personas.client.get(
        f"{URL}/{saved['id']}/preview?count=3", headers=personas.viewer.headers()
    )
    unsaved = post(personas, schedule, f"{URL}/preview?count=7")
    bad = post(personas, schedule | {"cron": "* * *"}, f"{URL}/preview")

    runs = of_saved.json()["occurrences"]
    assert len(runs) == 3
    assert all(run["start"].endswith(("00:30:00.000Z", "01:30:00.000Z")) for run in runs)
    assert len(unsaved.json()["occurrences"]) == 7
    assert_validation_error(bad, "invalid cron")
    too_many = post(personas, schedule, f"{URL}/preview?count=51")
    assert too_many.status_code == 422


def test_changes_are_in_the_activity_log(personas: Personas) -> None:
    created = create(personas)
    personas.client.patch(
        f"{URL}/{created['id']}", json={"enabled": False}, headers=personas.admin.headers()
    )
    personas.client.delete(f"{URL}/{created['id']}", headers=personas.admin.headers())

    call(personas, services(personas).activity.flush)
    entries: list[LogEntry]
    entries, _ = call(personas, services(personas).storage.logs.list, LogListOptions(limit=200))

    actions = sorted(e.action for e in entries if e.action.startswith("maintenance_"))
    assert actions == ["maintenance_create", "maintenance_delete", "maintenance_update"]


def test_tells_whether_an_environment_is_in_maintenance(personas: Personas) -> None:
    maintenance = services(personas).maintenance
    env = call(
        personas,
        services(personas).storage.environments.create,
        Environment(name="shop-prod", tags=["prod"]),
    )
    other = call(
        personas, services(personas).storage.environments.create, Environment(name="shop-qa")
    )
    create(personas)
    create(personas, name="by id", scope={"environmentIds": [other.id]}, enabled=False)

    during = datetime(2026, 5, 1, 23, tzinfo=UTC)
    after = datetime(2026, 5, 2, 2, tzinfo=UTC)

    assert call(personas, maintenance.in_maintenance, env, during) is True
    assert call(personas, maintenance.in_maintenance, env, after) is False
    # The window naming `other` is disabled: it silences nothing.
    assert call(personas, maintenance.in_maintenance, other, during) is False


def test_lists_the_windows_running_now_with_their_current_run(personas: Personas) -> None:
    now = datetime.now(UTC)
    running = create(
        personas,
        name="running one-off",
        reason="disk swap",
        start=(now - timedelta(hours=1)).isoformat(),
        end=(now + timedelta(hours=1)).isoformat(),
    )
    create(
        personas,
        name="later",
        start=(now + timedelta(days=1)).isoformat(),
        end=(now + timedelta(days=2)).isoformat(),
    )
    create(
        personas,
        name="disabled",
        enabled=False,
        start=(now - timedelta(hours=1)).isoformat(),
        end=(now + timedelta(hours=1)).isoformat(),
    )
    # Every minute for a day: always running.
    always = post(
        personas,
        RECURRING | {"name": "always", "cron": "* * * * *", "durationMinutes": 1440},
    ).json()

    response = personas.client.get(f"{URL}/active", headers=personas.viewer.headers())

    assert response.status_code == 200, response.text
    windows = response.json()["windows"]
    assert [w["name"] for w in windows] == ["always", "running one-off"]
    assert windows[1] == {
        "id": running["id"],
        "name": "running one-off",
        "reason": "disk swap",
        "scope": {"environmentIds": [], "tags": ["prod"]},
        "start": running["start"],
        "end": running["end"],
    }
    assert windows[0]["id"] == always["id"]
    start = datetime.fromisoformat(windows[0]["start"])
    end = datetime.fromisoformat(windows[0]["end"])
    assert start <= now < end
    assert end - start == timedelta(days=1)


def test_active_is_not_read_as_a_window_id(personas: Personas) -> None:
    assert personas.client.get(f"{URL}/active").status_code == 401
    response = personas.client.get(f"{URL}/active", headers=personas.viewer.headers())

    assert response.json() == {"windows": []}
