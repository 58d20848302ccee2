"""`envdeck secrets rotate-key` as an operator runs it: a subprocess over a real data dir."""

import base64
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.app import create_app
from envdeck.config import Settings, load_settings
from envdeck.domain.credential import Credential
from envdeck.domain.environment import HealthCheckConfig, UpgradeCommand, UpgradeConfig
from envdeck.domain.ids import new_id
from envdeck.keyfiles import (
    ENCRYPTION_KEY_FILE,
    NEXT_ENCRYPTION_KEY_FILE,
    begin_key_rotation,
    load_runtime_secrets,
)
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.inventory.credentials import credential_context
from envdeck.services.inventory.sealing import leaf_context
from tests.contract.factories import make_credential, make_environment
from tests.integration.test_cli import run
from tests.support.secrets import seal_at

AUTHORIZATION = ("healthCheck", "headers", "Authorization")
UPGRADE_TOKEN = ("upgradeConfig", "upgradeCommand", "headers", "X-Upgrade-Token")
ORIGINALS = {
    "key.secret": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH...",
    "key.passphrase": "tangerine-passphrase-31",
    "password.secret": "db-password-Kx9!",
    "env.Authorization": "Bearer health-token-77",
    "env.X-Upgrade-Token": "upgrade-token-55",
}


@dataclass
class Vault:
    settings: Settings

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def key(self) -> bytes:
        return load_runtime_secrets(self.settings).encryption_key

    def rotate(self) -> str:
        result = run(
            "secrets",
            "rotate-key",
            cwd=self.data_dir.parent,
            env={"ENVDECK_DATA_DIR": str(self.data_dir)},
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    async def seed(self, box: SecretBox) -> None:
        key_id, password_id, env_id = new_id(), new_id(), new_id()
        async with self.storage() as storage:
            await storage.credentials.create(
                make_credential(
                    id=key_id,
                    name="key",
                    secret=box.seal(ORIGINALS["key.secret"], credential_context(key_id, "secret")),
                    passphrase=box.seal(
                        ORIGINALS["key.passphrase"], credential_context(key_id, "passphrase")
                    ),
                )
            )
            await storage.credentials.create(
                make_credential(
                    id=password_id,
                    name="password",
                    type="password",
                    secret=box.seal(
                        ORIGINALS["password.secret"], credential_context(password_id, "secret")
                    ),
                    passphrase=None,
                )
            )
            authorization = seal_at(box, env_id, ORIGINALS["env.Authorization"], *AUTHORIZATION)
            upgrade_token = seal_at(box, env_id, ORIGINALS["env.X-Upgrade-Token"], *UPGRADE_TOKEN)
            await storage.environments.create(
                make_environment(
                    id=env_id,
                    name="env",
                    health_check=HealthCheckConfig(headers={"Authorization": authorization}),
                    upgrade_config=UpgradeConfig(
                        upgrade_command=UpgradeCommand(headers={"X-Upgrade-Token": upgrade_token})
                    ),
                )
            )

    async def sealed_values(self) -> dict[str, tuple[str, str]]:
        """Return each stored secret: its sealed value and what it is bound to."""
        async with self.storage() as storage:
            key = await storage.credentials.get_by_name("key")
            password: Credential = await storage.credentials.get_by_name("password")
            env = await storage.environments.get_by_name("env")
        assert key.passphrase is not None
        upgrade = env.upgrade_config.upgrade_command
        return {
            "key.secret": (key.secret, credential_context(key.id, "secret")),
            "key.passphrase": (key.passphrase, credential_context(key.id, "passphrase")),
            "password.secret": (password.secret, credential_context(password.id, "secret")),
            "env.Authorization": (
                env.health_check.headers["Authorization"],
                leaf_context(env.id, AUTHORIZATION),
            ),
            "env.X-Upgrade-Token": (
                upgrade.headers["X-Upgrade-Token"],
                leaf_context(env.id, UPGRADE_TOKEN),
            ),
        }

    async def opened_with(self, key: bytes) -> dict[str, str]:
        box = SecretBox(key)
        return {
            name: box.open(sealed, context)
            for name, (sealed, context) in (await self.sealed_values()).items()
        }

    @asynccontextmanager
    async def storage(self) -> AsyncIterator[SqliteStorage]:
        storage = SqliteStorage(self.settings.sqlite_path)
        await storage.open()
        try:
            yield storage
        finally:
            await storage.close()


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(load_settings(environ={"ENVDECK_DATA_DIR": str(tmp_path / "data")}))


async def test_rotate_key_reseals_every_secret_under_a_new_key(vault: Vault) -> None:
    old_key = vault.key()
    await vault.seed(SecretBox(old_key))

    output = vault.rotate()

    new_key = vault.key()
    assert new_key != old_key
    assert "re-sealed 5 secret values (2 credentials, 1 environments," in output
    assert await vault.opened_with(new_key) == ORIGINALS
    for sealed, context in (await vault.sealed_values()).values():
        with pytest.raises(SecretDecryptionError):
            SecretBox(old_key).open(sealed, context)
    key_file = vault.data_dir / ENCRYPTION_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not (vault.data_dir / NEXT_ENCRYPTION_KEY_FILE).exists()

    vault.rotate()

    assert vault.key() not in (old_key, new_key)
    assert await vault.opened_with(vault.key()) == ORIGINALS


async def test_an_interrupted_rotation_loses_nothing_and_finishes_when_run_again(
    vault: Vault,
) -> None:
    old_key = vault.key()
    await vault.seed(SecretBox(old_key))
    # As if a rotation stopped after its first record: the next key exists, one value uses it.
    next_key = begin_key_rotation(vault.data_dir)
    async with vault.storage() as storage:
        key = await storage.credentials.get_by_name("key")
        context = credential_context(key.id, "secret")
        resealed = SecretBox([next_key, old_key]).reseal(key.secret, context)
        await storage.credentials.update(key.model_copy(update={"secret": resealed}))

    # Envdeck started now opens values under either key.
    with TestClient(create_app(vault.settings, serve_ui=False)) as client:
        box = client.app.state.services.box  # type: ignore[attr-defined]
        opened = {
            name: box.open(sealed, context)
            for name, (sealed, context) in (await vault.sealed_values()).items()
        }
        assert opened == ORIGINALS

    vault.rotate()

    assert vault.key() == next_key
    assert await vault.opened_with(next_key) == ORIGINALS


def test_a_key_set_in_the_configuration_is_not_rotated(tmp_path: Path) -> None:
    key = base64.urlsafe_b64encode(bytes(range(32))).decode()

    result = run(
        "secrets",
        "rotate-key",
        cwd=tmp_path,
        env={"ENVDECK_DATA_DIR": str(tmp_path / "data"), "ENVDECK_ENCRYPTION__KEY": key},
    )

    assert result.returncode == 2
    assert "Rotate by hand" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()
