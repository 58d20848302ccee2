"""Re-sealing every stored secret under a new key, on every backend."""

import pytest

from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.domain.environment import CommandConfig, CommandDetails, HealthCheckConfig, Status
from envdeck.domain.log import LogListOptions, LogType
from envdeck.repositories.base import Storage
from envdeck.services.inventory.key_rotation import reseal_all

from .factories import make_credential, make_environment

OLD = SecretBox(bytes(range(32)))
NEW = SecretBox(bytes(range(100, 132)))
ROTATING = SecretBox([bytes(range(100, 132)), bytes(range(32))])


async def store_secrets(storage: Storage, box: SecretBox = OLD) -> tuple[str, str, str]:
    """Store a key with a passphrase, a password and an environment with a sealed header."""
    key = await storage.credentials.create(
        make_credential(name="key", secret=box.seal("KEY"), passphrase=box.seal("PASS"))
    )
    password = await storage.credentials.create(
        make_credential(name="pw", type="password", secret=box.seal("PW"), passphrase=None)
    )
    env = await storage.environments.create(
        make_environment(
            health_check=HealthCheckConfig(
                headers={"Authorization": box.seal("Bearer HC"), "Accept": "enc:v1:plain"}
            ),
            commands=CommandConfig(
                restart=CommandDetails(headers={"X-Api-Key": box.seal("RESTART")})
            ),
        )
    )
    return key.id, password.id, env.id


async def test_reseals_credentials_and_header_secrets_under_the_new_key(storage: Storage) -> None:
    key_id, password_id, env_id = await store_secrets(storage)
    await storage.environments.create(make_environment(name="no-secrets"))

    result = await reseal_all(storage, ROTATING)

    assert (result.credentials, result.environments, result.values) == (2, 1, 5)
    key = await storage.credentials.get_by_id(key_id)
    password = await storage.credentials.get_by_id(password_id)
    env = await storage.environments.get_by_id(env_id)
    assert key.passphrase is not None
    assert [NEW.open(v) for v in (key.secret, key.passphrase, password.secret)] == [
        "KEY",
        "PASS",
        "PW",
    ]
    assert password.passphrase is None
    assert NEW.open(env.health_check.headers["Authorization"]) == "Bearer HC"
    assert NEW.open(env.commands.restart.headers["X-Api-Key"]) == "RESTART"
    # A header that is not secret is left alone, even when it looks sealed.
    assert env.health_check.headers["Accept"] == "enc:v1:plain"
    with pytest.raises(SecretDecryptionError):
        OLD.open(key.secret)


async def test_a_half_done_rotation_completes_when_run_again(storage: Storage) -> None:
    await store_secrets(storage, OLD)
    await storage.credentials.create(
        make_credential(name="done", secret=NEW.seal("DONE"), passphrase=None)
    )

    result = await reseal_all(storage, ROTATING)

    assert result.values == 6
    done = await storage.credentials.get_by_name("done")
    assert NEW.open(done.secret) == "DONE"


async def test_keeps_the_status_that_health_checks_own(storage: Storage) -> None:
    _, _, env_id = await store_secrets(storage)
    await storage.environments.update_status(env_id, Status(health="healthy", message="ok"))

    await reseal_all(storage, ROTATING)

    assert (await storage.environments.get_by_id(env_id)).status.message == "ok"


async def test_a_value_no_key_opens_stops_the_rotation_naming_it(storage: Storage) -> None:
    stranger = SecretBox(bytes(range(200, 232)))
    await storage.credentials.create(make_credential(name="lost", secret=stranger.seal("x")))

    with pytest.raises(SecretDecryptionError, match="credential lost: secret"):
        await reseal_all(storage, ROTATING)


async def test_records_the_rotation_in_the_activity_log(storage: Storage) -> None:
    await store_secrets(storage)

    await reseal_all(storage, ROTATING)

    entries, _ = await storage.logs.list(LogListOptions(type=LogType.SYSTEM))
    assert [(e.action, e.details["values"]) for e in entries] == [("rotate_key", 5)]
