"""Configuration: YAML, then environment variables over it, then defaults; clear errors."""

from datetime import timedelta
from pathlib import Path

import pytest

from envdeck.config import ConfigError, load_settings, mask_uri, masked


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_runs_with_no_configuration_at_all() -> None:
    settings = load_settings(environ={})
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 8080
    assert settings.storage_backend == "sqlite"
    assert settings.sqlite_path == Path("data/envdeck.db")
    assert settings.jwt.expiry_time == timedelta(hours=12)


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


def test_ignores_envdeck_variables_that_are_not_settings() -> None:
    settings = load_settings(environ={"ENVDECK_TEST_MONGODB_URI": "mongodb://x/"})
    assert settings.storage_backend == "sqlite"


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"PORT": "eighty"}, "server.port"),
        ({"PORT": "70000"}, "server.port"),
        ({"PORT": "0"}, "server.port"),
        ({"MONGODB_URI": "postgres://db/"}, "database.uri"),
        ({"ENVDECK_SERVER__READ_TIMEOUT": "soon"}, "server.readTimeout"),
        ({"JWT_SECRET": "short"}, "jwt.secret"),
        ({"ENVDECK_LOG__LEVEL": "loud"}, "log.level"),
    ],
)
def test_rejects_an_invalid_environment_value_naming_the_key(
    environ: dict[str, str], key: str
) -> None:
    with pytest.raises(ConfigError, match=rf"{key}:"):
        load_settings(environ=environ)


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


def test_masks_every_secret() -> None:
    settings = load_settings(
        environ={"JWT_SECRET": "j" * 40, "MONGODB_URI": "mongodb://ops:hunter2@db:27017/"}
    )
    shown = str(masked(settings))
    assert "hunter2" not in shown
    assert "j" * 40 not in shown
    assert masked(settings)["database"]["uri"] == "mongodb://ops:********@db:27017/"


def test_mask_uri_leaves_uris_without_password_alone() -> None:
    assert mask_uri("sqlite:///data/envdeck.db") == "sqlite:///data/envdeck.db"
