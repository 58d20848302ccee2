"""Configuration without a file: defaults, environment variables, clear errors, masking.

Reading YAML files from disk is specified in tests/integration/test_config_files.py.
"""

from datetime import timedelta
from pathlib import Path

import pytest

from envdeck.config import ConfigError, load_settings, mask_uri, masked


def test_runs_with_no_configuration_at_all() -> None:
    settings = load_settings(environ={})
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 8080
    assert settings.storage_backend == "sqlite"
    assert settings.sqlite_path == Path("data/envdeck.db")
    assert settings.jwt.expiry_time == timedelta(hours=12)


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


def test_cluster_heartbeats_every_5s_and_loses_an_instance_after_15s_by_default() -> None:
    cluster = load_settings(environ={}).cluster
    assert cluster.heartbeat_interval == timedelta(seconds=5)
    assert cluster.instance_ttl == timedelta(seconds=15)


def test_cluster_settings_come_from_envdeck_cluster_variables() -> None:
    cluster = load_settings(
        environ={
            "ENVDECK_CLUSTER__HEARTBEAT_INTERVAL": "200ms",
            "ENVDECK_CLUSTER__INSTANCE_TTL": "1s",
        }
    ).cluster
    assert cluster.heartbeat_interval == timedelta(milliseconds=200)
    assert cluster.instance_ttl == timedelta(seconds=1)


@pytest.mark.parametrize(
    "environ",
    [
        {"ENVDECK_CLUSTER__INSTANCE_TTL": "10s"},
        {"ENVDECK_CLUSTER__HEARTBEAT_INTERVAL": "8s"},
        {"ENVDECK_CLUSTER__HEARTBEAT_INTERVAL": "1m", "ENVDECK_CLUSTER__INSTANCE_TTL": "1m"},
    ],
)
def test_refuses_an_instance_ttl_within_two_heartbeats_in_one_line(
    environ: dict[str, str],
) -> None:
    with pytest.raises(ConfigError, match=r"cluster: .*instanceTtl .* more than twice") as raised:
        load_settings(environ=environ)
    assert "\n" not in str(raised.value)


def test_refuses_a_heartbeat_interval_below_100ms() -> None:
    with pytest.raises(ConfigError, match="heartbeatInterval must be at least 100ms"):
        load_settings(environ={"ENVDECK_CLUSTER__HEARTBEAT_INTERVAL": "10ms"})
