"""The health history API: charts, uptime, recent checks, sparklines; samples recorded through
the repository (no engine needed: the environments here have no health check)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from envdeck.domain.clock import utc_now
from envdeck.domain.environment import HealthState
from envdeck.domain.health import HealthSample
from tests.integration.conftest import Personas

ABSENT_ID = "6b05a2c33c0ca6934944ef1e"


def create_environment(personas: Personas, name: str = "shop-prod") -> str:
    response = personas.client.post(
        "/api/v1/environments", json={"name": name}, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def services(personas: Personas) -> Any:
    return personas.client.app.state.services  # type: ignore[attr-defined]


def record(personas: Personas, samples: list[HealthSample]) -> None:
    assert personas.client.portal is not None
    personas.client.portal.call(services(personas).storage.health_samples.record, samples)


def samples(
    environment_id: str, start: datetime, count: int, healthy: int, step: timedelta
) -> list[HealthSample]:
    return [
        HealthSample(
            environment_id=environment_id,
            timestamp=start + n * step,
            health=HealthState.HEALTHY if n < healthy else HealthState.UNHEALTHY,
            response_time=10.0 * (n + 1),
            status_code=200 if n < healthy else 503,
            message="" if n < healthy else "HTTP 503",
        )
        for n in range(count)
    ]


def get(personas: Personas, path: str, **params: Any) -> Any:
    return personas.client.get(f"/api/v1{path}", params=params, headers=personas.viewer.headers())


@pytest.mark.parametrize(
    "path",
    [
        "/environments/{id}/health/history",
        "/environments/{id}/uptime",
        "/environments/{id}/health/checks",
    ],
)
def test_an_unknown_environment_is_not_found(personas: Personas, path: str) -> None:
    for environment_id in (ABSENT_ID, "not-an-id"):
        response = get(personas, path.format(id=environment_id))
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "NOT_FOUND"


def test_history_refuses_an_unknown_range(personas: Personas) -> None:
    environment_id = create_environment(personas)

    response = get(personas, f"/environments/{environment_id}/health/history", range="2h")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_history_of_the_last_hour_buckets_raw_samples(personas: Personas) -> None:
    environment_id = create_environment(personas)
    start = utc_now() - timedelta(minutes=30)
    record(personas, samples(environment_id, start, 10, 8, timedelta(minutes=1)))

    response = get(personas, f"/environments/{environment_id}/health/history", range="1h")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["range"], body["bucketSeconds"]) == ("1h", 12)
    points = body["points"]
    # One sample a minute, 12 s buckets: a point each.
    assert len(points) == 10
    assert [p["checks"] for p in points] == [1] * 10
    assert [p["healthyChecks"] for p in points] == [1] * 8 + [0] * 2
    assert points[0]["responseTimeAvg"] == 10.0
    assert points[-1]["responseTimeMax"] == 100.0
    assert set(points[0]) == {
        "timestamp",
        "checks",
        "healthyChecks",
        "responseTimeAvg",
        "responseTimeMax",
    }
    assert points[0]["timestamp"].endswith("Z")


def test_history_of_a_week_comes_from_hourly_rollups(personas: Personas) -> None:
    environment_id = create_environment(personas)
    now = utc_now()
    record(personas, samples(environment_id, now - timedelta(days=3), 6, 6, timedelta(minutes=20)))

    response = get(personas, f"/environments/{environment_id}/health/history", range="7d")

    body = response.json()
    assert body["bucketSeconds"] == 3600
    assert sum(p["checks"] for p in body["points"]) == 6
    assert 2 <= len(body["points"]) <= 3  # six checks 20 minutes apart span two or three hours
    for point in body["points"]:
        stamp = datetime.fromisoformat(point["timestamp"].replace("Z", "+00:00"))
        assert (stamp.minute, stamp.second) == (0, 0)


def test_uptime_gives_every_window(personas: Personas) -> None:
    environment_id = create_environment(personas)
    now = utc_now()
    # In this hour: 9 healthy of 10 (the 24 h window always holds the current hour).
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    record(personas, samples(environment_id, this_hour, 10, 9, (now - this_hour) / 11))
    record(personas, samples(environment_id, now - timedelta(days=10), 10, 0, timedelta(minutes=1)))

    response = get(personas, f"/environments/{environment_id}/uptime")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "windows": [
            {"range": "24h", "uptime": 90.0, "checks": 10, "healthyChecks": 9},
            {"range": "7d", "uptime": 90.0, "checks": 10, "healthyChecks": 9},
            {"range": "30d", "uptime": 45.0, "checks": 20, "healthyChecks": 9},
            {"range": "90d", "uptime": 45.0, "checks": 20, "healthyChecks": 9},
        ]
    }


def test_uptime_without_checks_is_null(personas: Personas) -> None:
    environment_id = create_environment(personas)

    windows = get(personas, f"/environments/{environment_id}/uptime").json()["windows"]

    assert [(w["range"], w["uptime"], w["checks"]) for w in windows] == [
        ("24h", None, 0),
        ("7d", None, 0),
        ("30d", None, 0),
        ("90d", None, 0),
    ]


def test_recent_checks_are_newest_first_and_limited(personas: Personas) -> None:
    environment_id = create_environment(personas)
    start = utc_now() - timedelta(minutes=10)
    record(personas, samples(environment_id, start, 5, 3, timedelta(minutes=1)))

    response = get(personas, f"/environments/{environment_id}/health/checks", limit=2)

    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert [(c["health"], c["statusCode"], c["message"]) for c in checks] == [
        ("unhealthy", 503, "HTTP 503"),
        ("unhealthy", 503, "HTTP 503"),
    ]
    assert checks[0]["environmentId"] == environment_id
    assert checks[0]["timestamp"] > checks[1]["timestamp"]
    assert len(get(personas, f"/environments/{environment_id}/health/checks").json()["checks"]) == 5


@pytest.mark.parametrize("limit", [0, 101, "x"])
def test_recent_checks_refuse_a_bad_limit(personas: Personas, limit: object) -> None:
    environment_id = create_environment(personas)

    response = get(personas, f"/environments/{environment_id}/health/checks", limit=limit)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_sparklines_of_several_environments(personas: Personas) -> None:
    first = create_environment(personas, "shop-dev")
    second = create_environment(personas, "shop-qa")
    record(personas, samples(first, utc_now() - timedelta(minutes=9), 4, 4, timedelta(minutes=2)))

    response = get(personas, "/sparklines", ids=f"{first},{second},{ABSENT_ID}")

    assert response.status_code == 200, response.text
    sparklines = response.json()["sparklines"]
    assert set(sparklines) == {first, second, ABSENT_ID}
    assert sum(p["checks"] for p in sparklines[first]) == 4
    assert sparklines[second] == sparklines[ABSENT_ID] == []


@pytest.mark.parametrize(
    "ids",
    ["not-an-id", f"{ABSENT_ID},zz", ",".join([ABSENT_ID[:-3] + f"{n:03x}" for n in range(201)])],
)
def test_sparklines_refuse_bad_or_too_many_ids(personas: Personas, ids: str) -> None:
    response = get(personas, "/sparklines", ids=ids)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_deleting_an_environment_forgets_its_samples(personas: Personas) -> None:
    environment_id = create_environment(personas)
    record(
        personas,
        samples(environment_id, utc_now() - timedelta(minutes=3), 3, 3, timedelta(minutes=1)),
    )
    repository = services(personas).storage.health_samples
    assert personas.client.portal is not None

    personas.client.delete(
        f"/api/v1/environments/{environment_id}", headers=personas.admin.headers()
    ).raise_for_status()
    personas.client.portal.call(services(personas).bus.drain)

    assert personas.client.portal.call(repository.latest, environment_id, 10) == []
    since = datetime(2000, 1, 1, tzinfo=UTC)
    assert personas.client.portal.call(repository.uptime, environment_id, since) == (0, 0)
