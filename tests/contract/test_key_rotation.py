"""Re-sealing every stored secret under a new key, on every backend."""

import pytest

from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.domain.environment import CommandConfig, CommandDetails, HealthCheckConfig, Status
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogListOptions, LogType
from envdeck.domain.notification import NotificationChannelListOptions
from envdeck.repositories.base import Storage
from envdeck.services.inventory.credentials import credential_context
from envdeck.services.inventory.key_rotation import reseal_all
from envdeck.services.notifications.delivery import channel_url_context
from tests.support.secrets import legacy_seal, open_at, seal_at

from .factories import make_credential, make_environment
from .test_notification_channels import make_channel

OLD_KEY = bytes(range(32))
OLD = SecretBox(OLD_KEY)
NEW = SecretBox(bytes(range(100, 132)))
ROTATING = SecretBox([bytes(range(100, 132)), bytes(range(32))])
AUTH = ("healthCheck", "headers", "Authorization")
API_KEY = ("commands", "restart", "headers", "X-Api-Key")


async def store_secrets(storage: Storage, box: SecretBox = OLD) -> tuple[str, str, str]:
    """Store a key with a passphrase, a password, an environment with sealed headers (one
    still unbound, as stored before binding) and a notification channel."""
    key_id, password_id, env_id, channel_id = new_id(), new_id(), new_id(), new_id()
    await storage.credentials.create(
        make_credential(
            id=key_id,
            name="key",
            secret=box.seal("KEY", credential_context(key_id, "secret")),
            passphrase=box.seal("PASS", credential_context(key_id, "passphrase")),
        )
    )
    await storage.credentials.create(
        make_credential(
            id=password_id,
            name="pw",
            type="password",
            secret=box.seal("PW", credential_context(password_id, "secret")),
            passphrase=None,
        )
    )
    await storage.environments.create(
        make_environment(
            id=env_id,
            health_check=HealthCheckConfig(
                headers={
                    "Authorization": seal_at(box, env_id, "Bearer HC", *AUTH),
                    "Accept": "enc:v1:plain",
                }
            ),
            commands=CommandConfig(
                restart=CommandDetails(headers={"X-Api-Key": legacy_seal(OLD_KEY, "RESTART")})
            ),
        )
    )
    await storage.notification_channels.create(
        make_channel(id=channel_id, url=box.seal("json://hook", channel_url_context(channel_id)))
    )
    return key_id, password_id, env_id


async def test_reseals_credentials_environments_and_channels_under_the_new_key(
    storage: Storage,
) -> None:
    key_id, password_id, env_id = await store_secrets(storage)
    await storage.environments.create(make_environment(name="no-secrets"))

    result = await reseal_all(storage, ROTATING)

    assert (result.credentials, result.environments, result.channels, result.values) == (
        2,
        1,
        1,
        6,
    )
    key = await storage.credentials.get_by_id(key_id)
    password = await storage.credentials.get_by_id(password_id)
    env = await storage.environments.get_by_id(env_id)
    (channel,), _ = await storage.notification_channels.list(NotificationChannelListOptions())
    assert key.passphrase is not None
    assert [
        NEW.open(key.secret, credential_context(key_id, "secret")),
        NEW.open(key.passphrase, credential_context(key_id, "passphrase")),
        NEW.open(password.secret, credential_context(password_id, "secret")),
    ] == ["KEY", "PASS", "PW"]
    assert password.passphrase is None
    assert open_at(NEW, env_id, env.health_check.headers["Authorization"], *AUTH) == "Bearer HC"
    # The unbound value is bound now, too.
    restart = env.commands.restart.headers["X-Api-Key"]
    assert open_at(NEW, env_id, restart, *API_KEY) == "RESTART"
    assert NEW.open(channel.url, channel_url_context(channel.id)) == "json://hook"
    # A header that is not secret is left alone, even when it looks sealed.
    assert env.health_check.headers["Accept"] == "enc:v1:plain"
    with pytest.raises(SecretDecryptionError):
        OLD.open(key.secret, credential_context(key_id, "secret"))


async def test_a_half_done_rotation_completes_when_run_again(storage: Storage) -> None:
    await store_secrets(storage, OLD)
    done_id = new_id()
    await storage.credentials.create(
        make_credential(
            id=done_id,
            name="done",
            secret=NEW.seal("DONE", credential_context(done_id, "secret")),
            passphrase=None,
        )
    )

    result = await reseal_all(storage, ROTATING)

    assert result.values == 7
    done = await storage.credentials.get_by_name("done")
    assert NEW.open(done.secret, credential_context(done_id, "secret")) == "DONE"


async def test_keeps_the_status_that_health_checks_own(storage: Storage) -> None:
    _, _, env_id = await store_secrets(storage)
    await storage.environments.update_status(env_id, Status(health="healthy", message="ok"))

    await reseal_all(storage, ROTATING)

    assert (await storage.environments.get_by_id(env_id)).status.message == "ok"


async def test_a_value_no_key_opens_stops_the_rotation_naming_it(storage: Storage) -> None:
    stranger = SecretBox(bytes(range(200, 232)))
    lost_id = new_id()
    await storage.credentials.create(
        make_credential(
            id=lost_id,
            name="lost",
            secret=stranger.seal("x", credential_context(lost_id, "secret")),
        )
    )

    with pytest.raises(SecretDecryptionError, match="credential lost: secret"):
        await reseal_all(storage, ROTATING)


async def test_a_value_copied_from_another_record_stops_the_rotation_naming_it(
    storage: Storage,
) -> None:
    key_id, _, _ = await store_secrets(storage)
    key = await storage.credentials.get_by_id(key_id)
    copy_id = new_id()
    await storage.credentials.create(
        make_credential(id=copy_id, name="copy", secret=key.secret, passphrase=None)
    )

    with pytest.raises(SecretDecryptionError, match="credential copy: secret"):
        await reseal_all(storage, ROTATING)


async def test_records_the_rotation_in_the_activity_log(storage: Storage) -> None:
    await store_secrets(storage)

    await reseal_all(storage, ROTATING)

    entries, _ = await storage.logs.list(LogListOptions(type=LogType.SYSTEM))
    assert [(e.action, e.details["values"]) for e in entries] == [("rotate_key", 6)]
