"""The activity log over HTTP: filters, counts, one entry, exports, the unread marker, and the
refusal of changes while the log cannot keep their entries."""

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.clock import utc_now
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogEntry, LogLevel, LogType
from tests.integration.conftest import ADMIN_PASSWORD, Personas, read_setup_token

LOGS = "/api/v1/logs"
# Entries the tests store are stamped ahead of those the app records while the test runs
# (setup, logins): they come first, newest first, and are easy to tell apart.
FUTURE = utc_now() + timedelta(days=1)


def entry(minutes: int = 0, **fields: Any) -> LogEntry:
    values: dict[str, Any] = {
        "timestamp": FUTURE + timedelta(minutes=minutes),
        "type": LogType.ACTION,
        "level": LogLevel.INFO,
        "action": "restart",
        "message": f"entry at {minutes}",
    }
    return LogEntry(**(values | fields))


def store(personas: Personas, entries: list[LogEntry]) -> list[LogEntry]:
    services = personas.client.app.state.services  # type: ignore[attr-defined]
    assert personas.client.portal is not None
    stored: list[LogEntry] = personas.client.portal.call(services.storage.logs.create_many, entries)
    return stored


def flush(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(services.activity.flush)


def get(personas: Personas, path: str, **params: Any) -> Any:
    response = personas.client.get(path, params=params, headers=personas.viewer.headers())
    assert response.status_code == 200, response.text
    return response.json()


def messages(body: dict[str, Any]) -> list[str]:
    return [item["message"] for item in body["logs"]]


def test_lists_newest_first_with_pagination(personas: Personas) -> None:
    store(personas, [entry(i) for i in range(5)])

    first = get(personas, LOGS, limit=2)
    second = get(personas, LOGS, limit=2, page=2)

    assert messages(first) == ["entry at 4", "entry at 3"]
    assert messages(second) == ["entry at 2", "entry at 1"]
    assert first["pagination"]["page"] == 1
    assert first["pagination"]["limit"] == 2
    total = first["pagination"]["total"]
    assert total >= 5
    assert first["pagination"]["totalPages"] == -(-total // 2)
    item = first["logs"][0]
    assert set(item) == {
        "id",
        "timestamp",
        "environmentId",
        "environmentName",
        "userId",
        "username",
        "type",
        "level",
        "action",
        "message",
        "details",
        "attention",
    }
    assert item["timestamp"].endswith("Z")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "auth"}, ["auth entry"]),
        ({"level": "error"}, ["error entry"]),
        ({"action": "upgrade"}, ["upgrade entry"]),
        ({"environmentId": "64b7f0c2a1b2c3d4e5f60718"}, ["environment entry"]),
        ({"userId": "64b7f0c2a1b2c3d4e5f60719"}, ["user entry"]),
        ({"q": "STAGING-eu"}, ["environment entry"]),
        ({"q": "olive"}, ["user entry"]),
        ({"type": "action", "level": "error"}, ["error entry"]),
    ],
)
def test_filters_by_each_parameter(
    personas: Personas, params: dict[str, str], expected: list[str]
) -> None:
    store(
        personas,
        [
            entry(1, type=LogType.AUTH, action="login_marker", message="auth entry"),
            entry(2, level=LogLevel.ERROR, message="error entry"),
            entry(3, action="upgrade", message="upgrade entry"),
            entry(
                4,
                environment_id="64b7f0c2a1b2c3d4e5f60718",
                environment_name="staging-eu",
                message="environment entry",
            ),
            entry(5, user_id="64b7f0c2a1b2c3d4e5f60719", username="olive-x", message="user entry"),
        ],
    )
    start = (FUTURE - timedelta(seconds=1)).isoformat()

    body = get(personas, LOGS, startDate=start, **params)

    assert messages(body) == expected
    assert body["pagination"]["total"] == len(expected)


def test_filters_by_an_inclusive_date_range(personas: Personas) -> None:
    stored = store(personas, [entry(i) for i in range(5)])
    start, end = stored[1].timestamp, stored[3].timestamp

    body = get(personas, LOGS, startDate=start.isoformat(), endDate=end.isoformat())

    assert messages(body) == ["entry at 3", "entry at 2", "entry at 1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"page": 0}, "page"),
        ({"type": "bogus"}, "type"),
        ({"level": "fatal"}, "level"),
        ({"action": "Not-An-Action"}, "action"),
        ({"environmentId": "xyz"}, "environmentId"),
        ({"userId": "64B7F0C2A1B2C3D4E5F60719"}, "userId"),
        ({"q": ""}, "q"),
        ({"q": "ab"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"startDate": "yesterday"}, "startDate"),
        ({"startDate": "2026-02-01T00:00:00Z", "endDate": "2026-01-01T00:00:00Z"}, "startDate"),
    ],
)
def test_rejects_invalid_filters_with_the_error_envelope(
    personas: Personas, params: dict[str, Any], field: str
) -> None:
    for path in (LOGS, f"{LOGS}/count", f"{LOGS}/export"):
        response = personas.client.get(path, params=params, headers=personas.viewer.headers())
        if path != LOGS and field in {"limit", "page"}:
            continue  # only the list pages
        assert response.status_code == 422, (path, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert [f["field"] for f in error["details"]["fields"]] == [field]


def test_rejects_an_unknown_export_format(personas: Personas) -> None:
    response = personas.client.get(
        f"{LOGS}/export", params={"format": "xml"}, headers=personas.viewer.headers()
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "format"


def test_counts_in_all_by_type_and_by_level(personas: Personas) -> None:
    env = new_id()
    store(
        personas,
        [
            entry(1, environment_id=env, type=LogType.AUTH, level=LogLevel.SUCCESS),
            entry(2, environment_id=env, level=LogLevel.ERROR),
            entry(3, environment_id=env, level=LogLevel.ERROR),
        ],
    )

    body = get(personas, f"{LOGS}/count", environmentId=env)
    errors = get(personas, f"{LOGS}/count", environmentId=env, level="error")

    assert body == {
        "total": 3,
        "byType": {"health_check": 0, "action": 2, "system": 0, "error": 0, "auth": 1},
        "byLevel": {"info": 0, "warning": 0, "error": 2, "success": 1},
    }
    assert errors["total"] == 2
    assert get(personas, f"{LOGS}/count")["total"] >= 3


def test_gets_one_entry_or_the_not_found_envelope(personas: Personas) -> None:
    [stored] = store(personas, [entry(details={"version": "2.4.1"})])

    body = get(personas, f"{LOGS}/{stored.id}")
    missing = personas.client.get(f"{LOGS}/{new_id()}", headers=personas.viewer.headers())
    malformed = personas.client.get(f"{LOGS}/nope", headers=personas.viewer.headers())

    assert body["id"] == stored.id
    assert body["details"] == {"version": "2.4.1"}
    assert missing.status_code == malformed.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"


def test_an_environment_keeps_its_log_after_it_is_deleted(personas: Personas) -> None:
    client, admin = personas.client, personas.admin.headers()
    created = client.post(
        "/api/v1/environments",
        json={"name": "ledger-qa", "environmentURL": "https://ledger.example.com/"},
        headers=admin,
    ).json()
    url = f"/api/v1/environments/{created['id']}"
    client.patch(url, json={"description": "QA for the ledger"}, headers=admin)
    assert client.delete(url, headers=admin).status_code == 204
    flush(client)

    body = get(personas, f"{url}/logs")
    deletes = get(personas, f"{url}/logs", action="delete")

    assert [item["action"] for item in body["logs"]] == ["delete", "update", "create"]
    assert {item["environmentId"] for item in body["logs"]} == {created["id"]}
    assert body["pagination"]["total"] == 3
    assert [item["action"] for item in deletes["logs"]] == ["delete"]
    bad = client.get("/api/v1/environments/not-an-id/logs", headers=personas.viewer.headers())
    assert bad.status_code == 422


def test_exports_csv_with_a_header_row_and_json_details(personas: Personas) -> None:
    env = new_id()
    store(
        personas,
        [
            entry(1, environment_id=env, environment_name="shop", message="plain, with comma"),
            entry(
                2,
                environment_id=env,
                username="=HYPERLINK(evil)",
                message='said "hi"\nthen left',
                details={"version": "2.4.1", "steps": ["stop", "start"]},
            ),
        ],
    )

    response = personas.client.get(
        f"{LOGS}/export", params={"environmentId": env}, headers=personas.viewer.headers()
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="envdeck-activity-')
    assert disposition.endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "timestamp",
        "level",
        "type",
        "action",
        "environmentName",
        "environmentId",
        "username",
        "userId",
        "message",
        "details",
    ]
    assert len(rows) == 3
    newest, oldest = rows[1], rows[2]
    assert newest[8] == 'said "hi"\nthen left'
    assert newest[6] == "'=HYPERLINK(evil)"  # a formula is defused for spreadsheets
    assert json.loads(newest[9]) == {"steps": ["stop", "start"], "version": "2.4.1"}
    assert oldest[4:6] == ["shop", env]
    assert oldest[8] == "plain, with comma"


def test_exports_every_matching_entry_as_ndjson_across_batches(personas: Personas) -> None:
    env = new_id()
    store(personas, [entry(i, environment_id=env, message=f"m{i}") for i in range(2345)])

    response = personas.client.get(
        f"{LOGS}/export",
        params={"format": "ndjson", "environmentId": env},
        headers=personas.viewer.headers(),
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["content-disposition"].endswith('.ndjson"')
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["message"] for line in lines] == [f"m{i}" for i in reversed(range(2345))]
    assert len({line["id"] for line in lines}) == 2345


def test_an_export_of_nothing_is_a_header_alone(personas: Personas) -> None:
    response = personas.client.get(
        f"{LOGS}/export", params={"q": "matches-nothing"}, headers=personas.viewer.headers()
    )
    assert response.status_code == 200
    assert response.text.splitlines() == [
        "timestamp,level,type,action,environmentName,environmentId,username,userId,message,details"
    ]


def failed(minutes: int = 0, **fields: Any) -> LogEntry:
    """A failed restart: an entry that needs a person (the bell counts it)."""
    return entry(minutes, level=LogLevel.ERROR, **fields)


def test_unread_counts_what_needs_a_person_that_others_did_since_the_marker(
    personas: Personas,
) -> None:
    client, viewer = personas.client, personas.viewer
    flush(client)
    assert client.post(f"{LOGS}/read", headers=viewer.headers()).status_code == 204
    marked = get(personas, f"{LOGS}/unread")
    assert marked["count"] == 0
    assert marked["since"] is not None

    store(
        personas,
        [
            failed(1, user_id=personas.admin.user_id, username="admin"),
            failed(2, user_id=viewer.user_id, username=viewer.username),  # the viewer's own
            failed(3),  # no user: a system entry
            entry(4),  # a restart started: routine, in the Activity page only
            entry(5, type=LogType.HEALTH_CHECK, action="check_health", level=LogLevel.SUCCESS),
            entry(6, type=LogType.HEALTH_CHECK, action="check_health", level=LogLevel.ERROR),
            entry(7, action="reservation_ended"),
        ],
    )

    assert get(personas, f"{LOGS}/unread") == {"count": 4, "since": marked["since"]}
    admin_view = client.get(f"{LOGS}/unread", headers=personas.admin.headers()).json()
    assert admin_view["count"] >= 3  # the admin's own entry is not theirs to read
    assert client.post(f"{LOGS}/read", headers=viewer.headers()).status_code == 204
    store(personas, [failed(10 + i) for i in range(3)] + [entry(20)])
    # The entries stored above are stamped in the future, after the new marker too.
    assert get(personas, f"{LOGS}/unread")["count"] == 7


def test_unread_count_is_capped(personas: Personas) -> None:
    store(personas, [failed(i) for i in range(1005)])
    assert get(personas, f"{LOGS}/unread")["count"] == 1000


def test_lists_only_what_needs_a_person_when_asked_and_flags_each_entry(
    personas: Personas,
) -> None:
    store(
        personas,
        [
            failed(1, message="restart failed"),
            entry(2, message="restart started"),
            entry(
                3,
                type=LogType.HEALTH_CHECK,
                action="check_health",
                level=LogLevel.ERROR,
                message="shop is unhealthy",
            ),
        ],
    )

    needed = get(personas, LOGS, attention="true", limit=2)
    assert messages(needed) == ["shop is unhealthy", "restart failed"]
    assert [item["attention"] for item in needed["logs"]] == [True, True]
    every = get(personas, LOGS, limit=3)
    assert messages(every) == ["shop is unhealthy", "restart started", "restart failed"]
    assert [item["attention"] for item in every["logs"]] == [True, False, True]


def test_a_failed_login_is_an_error_entry(personas: Personas) -> None:
    client = personas.client
    client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong-pass-123"})
    flush(client)

    # (Admins only: tests/integration/test_admin_only_logs.py.)
    body = client.get(
        LOGS, params={"action": "login_failed"}, headers=personas.admin.headers()
    ).json()

    assert [(item["level"], item["type"]) for item in body["logs"]] == [("error", "auth")]


def test_changes_are_refused_while_the_activity_log_is_full(
    make_settings: Callable[..., Settings],
) -> None:
    # No timed flush, and a bound below the batch size: entries stay pending until flushed.
    settings = make_settings(
        ENVDECK_ACTIVITY_LOG__FLUSH_INTERVAL="1h", ENVDECK_ACTIVITY_LOG__MAX_PENDING="3"
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        setup = client.post(
            "/api/v1/setup",
            json={
                "token": read_setup_token(settings),
                "username": "admin",
                "password": ADMIN_PASSWORD,
            },
        )
        assert setup.status_code == 201, setup.text
        headers = {"Authorization": f"Bearer {setup.json()['token']}"}
        services = client.app.state.services  # type: ignore[attr-defined]
        assert client.portal is not None

        def fill() -> None:
            while services.activity.has_room:
                services.activity.record(type=LogType.SYSTEM, action="start", message="filler")

        client.portal.call(fill)
        new_user = {"username": "dora", "role": "viewer", "password": "ember-falcon-tundra-35"}

        refused = client.post("/api/v1/users", json=new_user, headers=headers)
        reads = client.get("/api/v1/users", headers=headers)

        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "UNAVAILABLE"
        assert int(refused.headers["Retry-After"]) >= 1
        assert reads.status_code == 200
        assert [user["username"] for user in reads.json()["users"]] == ["admin"]
        client.portal.call(services.activity.flush)
        assert client.post("/api/v1/users", json=new_user, headers=headers).status_code == 201
