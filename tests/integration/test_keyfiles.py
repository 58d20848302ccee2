"""Secrets generated on first start: kept in the data dir, mode 0600, stable afterwards."""

import base64
import stat
from pathlib import Path

import pytest

from envdeck.config import load_settings
from envdeck.keyfiles import (
    ENCRYPTION_KEY_FILE,
    JWT_SECRET_FILE,
    NEXT_ENCRYPTION_KEY_FILE,
    begin_key_rotation,
    finish_key_rotation,
    load_runtime_secrets,
)


def test_generates_secrets_readable_only_by_the_owner(tmp_path: Path) -> None:
    settings = load_settings(environ={"ENVDECK_DATA_DIR": str(tmp_path / "data")})
    secrets = load_runtime_secrets(settings)
    assert len(secrets.encryption_key) == 32
    assert len(secrets.jwt_secret) >= 32
    for name in (JWT_SECRET_FILE, ENCRYPTION_KEY_FILE):
        mode = stat.S_IMODE((tmp_path / "data" / name).stat().st_mode)
        assert mode == 0o600


def test_keeps_the_same_secrets_across_restarts(tmp_path: Path) -> None:
    settings = load_settings(environ={"ENVDECK_DATA_DIR": str(tmp_path)})
    assert load_runtime_secrets(settings) == load_runtime_secrets(settings)


def test_uses_configured_secrets_without_writing_files(tmp_path: Path) -> None:
    key = base64.urlsafe_b64encode(bytes(range(32))).decode()
    settings = load_settings(
        environ={
            "ENVDECK_DATA_DIR": str(tmp_path),
            "JWT_SECRET": "x" * 40,
            "ENVDECK_ENCRYPTION__KEY": key,
        }
    )
    secrets = load_runtime_secrets(settings)
    assert secrets.jwt_secret == "x" * 40
    assert secrets.encryption_key == bytes(range(32))
    assert not (tmp_path / JWT_SECRET_FILE).exists()


def test_rejects_a_configured_key_of_the_wrong_size(tmp_path: Path) -> None:
    short = base64.urlsafe_b64encode(b"too short").decode()
    settings = load_settings(
        environ={"ENVDECK_DATA_DIR": str(tmp_path), "ENVDECK_ENCRYPTION__KEY": short}
    )
    with pytest.raises(ValueError, match="32 bytes"):
        load_runtime_secrets(settings)


def test_a_rotation_writes_the_next_key_beside_the_key_readable_only_by_the_owner(
    tmp_path: Path,
) -> None:
    settings = load_settings(environ={"ENVDECK_DATA_DIR": str(tmp_path)})
    current = load_runtime_secrets(settings).encryption_key

    next_key = begin_key_rotation(tmp_path)

    assert len(next_key) == 32
    assert next_key != current
    assert stat.S_IMODE((tmp_path / NEXT_ENCRYPTION_KEY_FILE).stat().st_mode) == 0o600
    assert load_runtime_secrets(settings).encryption_keys == (next_key, current)


def test_an_interrupted_rotation_reuses_its_next_key(tmp_path: Path) -> None:
    assert begin_key_rotation(tmp_path) == begin_key_rotation(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [NEXT_ENCRYPTION_KEY_FILE]


def test_finishing_a_rotation_makes_the_next_key_the_key(tmp_path: Path) -> None:
    settings = load_settings(environ={"ENVDECK_DATA_DIR": str(tmp_path)})
    load_runtime_secrets(settings)
    next_key = begin_key_rotation(tmp_path)

    finish_key_rotation(tmp_path)

    assert load_runtime_secrets(settings).encryption_keys == (next_key,)
    assert not (tmp_path / NEXT_ENCRYPTION_KEY_FILE).exists()
