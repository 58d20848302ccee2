"""Secrets outside headers over HTTP (issue 16, item 7): URL passwords, secret query
parameters, body fields and metadata keys are sealed at rest, shown as "********" in every
answer, export and activity-log diff, kept when the mask comes back, opened only in the request
that sends them, and sealed in place when they were stored in clear."""

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml
from fastapi.testclient import TestClient

from envdeck.adapters.secret_box import MASK, PREFIX
from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.environment import Environment, HealthCheckConfig
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogListOptions, LogType
from envdeck.repositories.sqlite import SqliteStorage
from tests.integration.conftest import Personas
from tests.support.targets import Target

URL_PASSWORD = "leak-url-password-7101"
QUERY_TOKEN = "leak-query-token-7102"
BODY_KEY = "leak-body-apikey-7103"
NESTED = "leak-nested-password-7104"
META_PASSWORD = "leak-meta-password-7105"
MARKED = "leak-marked-pin-7106"
SIGNATURE = "leak-restart-signature-7107"
UPGRADE_PASSWORD = "leak-upgrade-password-7108"
LIST_KEY = "leak-versions-apikey-7109"
SECRETS = [
    URL_PASSWORD,
    QUERY_TOKEN,
    BODY_KEY,
    NESTED,
    META_PASSWORD,
    MARKED,
    SIGNATURE,
    UPGRADE_PASSWORD,
    LIST_KEY,
]


@pytest.fixture
def target() -> Iterator[Target]:
    running = Target().start()
    running.reply("/versions", json_body=["1.0.0", "2.0.0"])
    yield running
    running.stop()


def with_password(target: Target, path: str) -> str:
    return target.url(path).replace("http://", f"http://probe:{URL_PASSWORD}@")


def config(target: Target) -> dict[str, Any]:
    return {
        "name": "shop",
        "secretNames": ["pin"],
        "metadata": {"dbPassword": META_PASSWORD, "owner": "team-a", "pin": MARKED},
        "healthCheck": {
            "endpoint": with_password(target, f"/health?token={QUERY_TOKEN}&region=eu"),
            "method": "POST",
            "body": {"apiKey": BODY_KEY, "auth": [{"password": NESTED}], "note": "visible"},
        },
        "commands": {
            "type": "http",
            "restart": {"enabled": True, "url": target.url(f"/restart?signature={SIGNATURE}")},
        },
        "upgradeConfig": {
            "enabled": True,
            "type": "http",
            "versionListURL": target.url(f"/versions?api_key={LIST_KEY}"),
            "upgradeCommand": {
                "url": target.url("/upgrade"),
                "body": {"version": "{VERSION}", "password": UPGRADE_PASSWORD},
            },
        },
    }


def admin(personas: Personas) -> dict[str, str]:
    return personas.admin.headers()


def create(personas: Personas, target: Target) -> dict[str, Any]:
    response = personas.client.post(
        "/api/v1/environments", json=config(target), headers=admin(personas)
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def stored(personas: Personas, environment_id: str) -> Environment:
    services = personas.client.app.state.services  # type: ignore[attr-defined]
    assert personas.client.portal is not None
    env: Environment = personas.client.portal.call(
        services.storage.environments.get_by_id, environment_id
    )
    return env


def assert_no_secret(text: str) -> None:
    assert [secret for secret in SECRETS if secret in text] == []


def test_they_are_sealed_at_rest_and_masked_in_every_answer(
    personas: Personas, target: Target
) -> None:
    created = create(personas, target)
    env_id = created["id"]
    viewer = personas.viewer.headers()

    answers = [
        personas.client.get(f"/api/v1/environments/{env_id}", headers=viewer).text,
        personas.client.get("/api/v1/environments", headers=viewer).text,
        personas.client.get("/api/v1/environments/export", headers=viewer).text,
        personas.client.get(
            f"/api/v1/environments/{env_id}/commands/preview?kind=restart", headers=viewer
        ).text,
    ]

    for text in [str(created), *answers]:
        assert_no_secret(text)
    check = created["healthCheck"]
    assert check["endpoint"] == target.url(f"/health?token={MASK}&region=eu").replace(
        "http://", f"http://probe:{MASK}@"
    )
    assert check["body"] == {"apiKey": MASK, "auth": [{"password": MASK}], "note": "visible"}
    assert created["metadata"] == {"dbPassword": MASK, "owner": "team-a", "pin": MASK}
    exported = yaml.safe_load(answers[2])["environments"][0]
    assert exported["upgradeConfig"]["upgradeCommand"]["body"]["password"] == MASK
    assert_no_secret(stored(personas, env_id).model_dump_json())
    raw = stored(personas, env_id)
    assert raw.metadata["dbPassword"].startswith(PREFIX)
    assert f"signature={PREFIX}" in str(raw.commands.restart.url)


def test_the_masks_sent_back_keep_them_and_requests_carry_the_real_values(
    personas: Personas, target: Target
) -> None:
    created = create(personas, target)
    env_id = created["id"]
    edited = dict(created, description="edited in the form")
    replaced = personas.client.put(
        f"/api/v1/environments/{env_id}", json=edited, headers=admin(personas)
    )
    assert replaced.status_code == 200, replaced.text

    checked = personas.client.post(
        f"/api/v1/environments/{env_id}/check-health", headers=admin(personas)
    )
    versions = personas.client.get(
        f"/api/v1/environments/{env_id}/versions", headers=admin(personas)
    )
    restart = personas.client.post(
        f"/api/v1/environments/{env_id}/restart", headers=admin(personas)
    )

    assert checked.json()["health"] == "healthy", checked.text
    health = target.stats_of("/health")
    assert parse_qs(health.queries[-1]) == {"token": [QUERY_TOKEN], "region": ["eu"]}
    assert health.headers[-1]["Authorization"].startswith("Basic ")  # the URL's user-info
    assert health.bodies[-1] == (
        b'{"apiKey": "'
        + BODY_KEY.encode()
        + b'", "auth": [{"password": "'
        + NESTED.encode()
        + b'"}], "note": "visible"}'
    )
    assert versions.status_code == 200, versions.text
    assert parse_qs(target.stats_of("/versions").queries[-1]) == {"api_key": [LIST_KEY]}
    assert restart.status_code == 202, restart.text
    deadline = time.monotonic() + 10
    while not target.stats_of("/restart").queries and time.monotonic() < deadline:
        time.sleep(0.05)
    assert parse_qs(target.stats_of("/restart").queries[-1]) == {"signature": [SIGNATURE]}


def test_the_activity_log_shows_a_changed_secret_as_masked(
    personas: Personas, target: Target
) -> None:
    created = create(personas, target)
    patch = {"metadata": {"dbPassword": "leak-meta-password-rotated"}}
    response = personas.client.patch(
        f"/api/v1/environments/{created['id']}", json=patch, headers=admin(personas)
    )
    assert response.status_code == 200, response.text

    logs = personas.client.get(
        f"/api/v1/environments/{created['id']}/logs", headers=personas.viewer.headers()
    ).json()["logs"]
    changes = logs[0]["details"]["changes"]
    assert changes == {"metadata.dbPassword": {"before": MASK, "after": MASK}}
    assert "rotated" not in str(logs)


async def test_secrets_stored_in_clear_are_sealed_when_envdeck_starts(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(ENVDECK_HEALTH__ENABLED="false")
    env_id = new_id()
    storage = SqliteStorage(settings.sqlite_path)
    await storage.open()
    try:
        await storage.environments.create(
            Environment(
                id=env_id,
                name="old",
                metadata={"apiKey": META_PASSWORD},
                health_check=HealthCheckConfig(
                    endpoint=f"https://probe:{URL_PASSWORD}@shop.example.com/?token={QUERY_TOKEN}",
                    body={"password": NESTED},
                ),
            )
        )
    finally:
        await storage.close()

    with TestClient(create_app(settings, serve_ui=False)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        assert client.portal is not None
        env = client.portal.call(services.storage.environments.get_by_id, env_id)
        entries, _ = client.portal.call(
            services.storage.logs.list, LogListOptions(type=LogType.SYSTEM)
        )

    assert_no_secret(env.model_dump_json())
    assert [(e.action, e.details["values"]) for e in entries] == [("migrate_secrets", 4)]
    database = "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in settings.data_dir.glob("envdeck.db*")
    )
    assert_no_secret(database)
