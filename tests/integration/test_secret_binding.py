"""Sealed values are bound to their record and field: a ciphertext copied in storage to another
environment, another field or another credential does not open there, and values stored before
the binding are re-sealed bound when Envdeck starts (issue 16, item 9)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from envdeck.adapters.secret_box import PREFIX
from envdeck.app import create_app
from envdeck.config import Settings
from envdeck.domain.environment import CommandConfig, CommandDetails, HealthCheckConfig
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogListOptions, LogType
from envdeck.keyfiles import load_runtime_secrets
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.inventory.credentials import credential_context
from envdeck.services.notifications.delivery import channel_url_context
from tests.contract.factories import make_credential, make_environment
from tests.contract.test_notification_channels import make_channel
from tests.integration.conftest import Personas
from tests.support.secrets import legacy_seal, open_at
from tests.support.targets import Target

AUTH = ("healthCheck", "headers", "Authorization")
RESTART_KEY = ("commands", "restart", "headers", "X-Api-Key")
HEALTH_SECRET = "Bearer binding-health-secret-4411"
RESTART_SECRET = "binding-restart-secret-4412"


@pytest.fixture
def target() -> Iterator[Target]:
    running = Target().start()
    yield running
    running.stop()


def call(personas: Personas, function: Callable[..., Any], *args: Any) -> Any:
    assert personas.client.portal is not None
    return personas.client.portal.call(function, *args)


def services(personas: Personas) -> Any:
    return personas.client.app.state.services  # type: ignore[attr-defined]


def create(personas: Personas, name: str, health_url: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "healthCheck": {
            "endpoint": health_url,
            "headers": {"Authorization": f"{HEALTH_SECRET}-{name}"},
        },
        **fields,
    }
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def check_health(personas: Personas, environment_id: str) -> dict[str, Any]:
    response = personas.client.post(
        f"/api/v1/environments/{environment_id}/check-health", headers=personas.admin.headers()
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def copy_into(personas: Personas, environment_id: str, **sub_models: Any) -> None:
    """Write sealed values into an environment's stored document, as someone with write access
    to the database could."""
    storage = services(personas).storage
    stored = call(personas, storage.environments.get_by_id, environment_id)
    call(personas, storage.environments.update, stored.model_copy(update=sub_models))


def test_a_header_copied_to_another_environment_is_not_sent(
    personas: Personas, target: Target
) -> None:
    alpha = create(personas, "alpha", target.reply("/alpha"))
    beta = create(personas, "beta", target.reply("/beta"))
    storage = services(personas).storage
    sealed = call(personas, storage.environments.get_by_id, alpha["id"]).health_check.headers
    beta_check = call(personas, storage.environments.get_by_id, beta["id"]).health_check
    copy_into(personas, beta["id"], health_check=beta_check.model_copy(update={"headers": sealed}))

    result = check_health(personas, beta["id"])

    assert result["health"] == "unhealthy"
    assert "cannot be decrypted" in result["message"]
    assert target.stats_of("/beta").requests == 0
    check_health(personas, alpha["id"])  # its own environment still opens it
    assert target.stats_of("/alpha").headers[-1]["Authorization"] == f"{HEALTH_SECRET}-alpha"


def test_a_value_copied_to_another_field_of_the_same_environment_is_not_sent(
    personas: Personas, target: Target
) -> None:
    restart = {"url": target.url("/restart"), "headers": {"X-Api-Key": RESTART_SECRET}}
    env = create(
        personas, "gamma", target.reply("/gamma"), commands={"type": "http", "restart": restart}
    )
    storage = services(personas).storage
    stored = call(personas, storage.environments.get_by_id, env["id"])
    moved = {"Authorization": stored.commands.restart.headers["X-Api-Key"]}
    copy_into(
        personas, env["id"], health_check=stored.health_check.model_copy(update={"headers": moved})
    )

    result = check_health(personas, env["id"])

    assert result["health"] == "unhealthy"
    assert target.stats_of("/gamma").requests == 0


def test_a_credential_secret_copied_to_another_credential_does_not_open(
    personas: Personas,
) -> None:
    box = services(personas).box
    storage = services(personas).storage
    owner_id, thief_id = new_id(), new_id()
    sealed = box.seal("the owner's password", credential_context(owner_id, "secret"))
    call(
        personas,
        storage.credentials.create,
        make_credential(id=owner_id, type="password", secret=sealed, passphrase=None),
    )
    call(
        personas,
        storage.credentials.create,
        make_credential(id=thief_id, type="password", secret=sealed, passphrase=None),
    )
    env = make_environment(
        id=new_id(),
        target={"host": "127.0.0.1"},
        credentials={"type": "password", "username": "deploy", "keyId": thief_id},
    )

    with pytest.raises(ValidationFailed, match="cannot be decrypted"):
        call(personas, services(personas).ssh_access.endpoint, env)
    owner = env.model_copy(
        update={"credentials": env.credentials.model_copy(update={"key_id": owner_id})}
    )
    _target, credential = call(personas, services(personas).ssh_access.endpoint, owner)
    assert credential.password == "the owner's password"


async def test_values_sealed_before_the_binding_are_bound_when_envdeck_starts(
    make_settings: Callable[..., Settings], target: Target
) -> None:
    settings = make_settings(ENVDECK_HEALTH__ENABLED="false")
    key = load_runtime_secrets(settings).encryption_key  # made on first use, kept in the data dir
    key_id, env_id, channel_id = new_id(), new_id(), new_id()
    storage = SqliteStorage(settings.sqlite_path)
    await storage.open()
    try:
        await storage.credentials.create(
            make_credential(
                id=key_id, type="password", secret=legacy_seal(key, "pw"), passphrase=None
            )
        )
        await storage.environments.create(
            make_environment(
                id=env_id,
                name="legacy",
                health_check=HealthCheckConfig(
                    endpoint=target.reply("/legacy"),
                    headers={
                        "Authorization": legacy_seal(key, HEALTH_SECRET),
                        "X-Api-Key": "in clear",
                    },
                ),
                commands=CommandConfig(restart=CommandDetails(headers={"Accept": "enc:v1:text"})),
            )
        )
        await storage.notification_channels.create(
            make_channel(id=channel_id, url=legacy_seal(key, "json://hooks.example.com/x"))
        )
    finally:
        await storage.close()

    for _start in range(2):  # the second start finds nothing to do
        with TestClient(create_app(settings, serve_ui=False)) as client:
            services_ = client.app.state.services  # type: ignore[attr-defined]
            box, storage_ = services_.box, services_.storage
            assert client.portal is not None
            credential = client.portal.call(storage_.credentials.get_by_id, key_id)
            env = client.portal.call(storage_.environments.get_by_id, env_id)
            channel = client.portal.call(storage_.notification_channels.get_by_id, channel_id)
            entries, _ = client.portal.call(storage_.logs.list, LogListOptions(type=LogType.SYSTEM))
            checked = client.portal.call(services_.health.check_now, env_id)

        headers = env.health_check.headers
        assert all(
            v.startswith(PREFIX) for v in (credential.secret, channel.url, *headers.values())
        )
        assert box.open(credential.secret, credential_context(key_id, "secret")) == "pw"
        assert open_at(box, env_id, headers["Authorization"], *AUTH) == HEALTH_SECRET
        key_path = ("healthCheck", "headers", "X-Api-Key")
        assert open_at(box, env_id, headers["X-Api-Key"], *key_path) == "in clear"
        assert (
            box.open(channel.url, channel_url_context(channel_id)) == "json://hooks.example.com/x"
        )
        # Text that only looks sealed, where nothing is secret, is left as it is.
        assert env.commands.restart.headers["Accept"] == "enc:v1:text"
        assert [(e.action, e.details["values"]) for e in entries] == [("migrate_secrets", 4)]
        assert checked.ok
        assert target.stats_of("/legacy").headers[-1]["Authorization"] == HEALTH_SECRET
