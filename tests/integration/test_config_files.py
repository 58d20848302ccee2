"""Configuration files: YAML read from disk, environment variables over it, clear errors.

The tests that need no file (defaults, environment values, masking) are in tests/unit.
"""

from datetime import timedelta
from pathlib import Path

import pytest

from envdeck.config import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_reads_camel_case_yaml_keys(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "server:\n  port: 9000\n  readTimeout: 1m30s\n"
        "database:\n  uri: mongodb://db.example:27017/\n  database: ops\n"
        "jwt:\n  expiryTime: 2h\nallowOrigins: [http://localhost:5173]\n",
    )
    settings = load_settings(config, environ={})
    assert settings.server.port == 9000
    assert settings.server.read_timeout == timedelta(seconds=90)
    assert settings.storage_backend == "mongodb"
    assert settings.database.database == "ops"
    assert settings.jwt.expiry_time == timedelta(hours=2)
    assert settings.allow_origins == ["http://localhost:5173"]


def test_environment_variables_win_over_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, "server:\n  port: 9000\n  host: 0.0.0.0\n")
    environ = {
        "PORT": "9100",
        "MONGODB_URI": "mongodb://other:27017/",
        "MONGODB_DATABASE": "envdeck_prod",
        "JWT_SECRET": "s" * 40,
        "ENVDECK_SERVER__HOST": "127.0.0.2",
        "ENVDECK_ALLOW_ORIGINS": "https://a.example, https://b.example",
        "ENVDECK_LOGS__RETENTION_DAYS": "30",
    }
    settings = load_settings(config, environ=environ)
    assert settings.server.port == 9100
    assert settings.server.host == "127.0.0.2"
    assert settings.storage_uri == "mongodb://other:27017/"
    assert settings.database.database == "envdeck_prod"
    assert settings.jwt.secret == "s" * 40
    assert settings.allow_origins == ["https://a.example", "https://b.example"]
    assert settings.logs.retention_days == 30


def test_rejects_an_unknown_key_in_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, "server:\n  prot: 9000\n")
    with pytest.raises(ConfigError, match=r"server\.prot: unknown key"):
        load_settings(config, environ={})


def test_rejects_malformed_yaml(tmp_path: Path) -> None:
    config = write(tmp_path, "server: [port: 1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(config, environ={})


def test_rejects_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    config = write(tmp_path, "- just\n- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_settings(config, environ={})


def test_rejects_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "missing.yaml", environ={})


def test_an_empty_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, ""), environ={}).server.port == 8080
