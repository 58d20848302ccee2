"""The original environment manager's variables, read as aliases of Envdeck's settings.

Its config.yaml files are specified in tests/integration/test_config_original.py.
"""

from datetime import timedelta

import pytest

from envdeck.config import ConfigError, load_settings_with_notices
from envdeck.original_config import ENVIRONMENT, FILE, Ignore, Rename

# What the original's server read (config.go's applyEnvOverrides), and what its .env.example,
# README and docker-compose.yml list besides.
ORIGINAL_READS = {
    "SERVER_HOST",
    "SERVER_PORT",
    "MONGODB_URI",
    "MONGODB_DATABASE",
    "JWT_SECRET",
    "SSH_KEY_ENCRYPTION_KEY",
    "ALLOWED_ORIGINS",
    "ALLOWED_HOSTS",
}
ORIGINAL_LISTS = {
    "MONGO_ROOT_USER",
    "MONGO_ROOT_PASSWORD",
    "MONGO_DATABASE",
    "MONGO_PORT",
    "BACKEND_PORT",
    "JWT_EXPIRY",
    "FRONTEND_PORT",
    "FRONTEND_HTTPS_PORT",
    "VITE_API_URL",
    "VITE_WS_URL",
    "LOG_LEVEL",
    "SESSION_TIMEOUT",
    "HEALTH_CHECK_INTERVAL",
    "HEALTH_CHECK_TIMEOUT",
    "SSH_CONNECTION_TIMEOUT",
    "SSH_COMMAND_TIMEOUT",
    "WS_READ_BUFFER_SIZE",
    "WS_WRITE_BUFFER_SIZE",
    "ME_USERNAME",
    "ME_PASSWORD",
    "ME_PORT",
}
ENVDECK_ALREADY = {"MONGODB_URI", "MONGODB_DATABASE", "JWT_SECRET"}


def test_every_variable_of_the_original_is_read_or_reported() -> None:
    assert set(ENVIRONMENT) == (ORIGINAL_READS | ORIGINAL_LISTS) - ENVDECK_ALREADY


def test_no_original_name_means_no_notice() -> None:
    _, notices = load_settings_with_notices(environ={"PORT": "9000"})
    assert notices == []


def test_server_port_is_read_as_server_port_with_one_notice() -> None:
    settings, notices = load_settings_with_notices(environ={"SERVER_PORT": "9000"})
    assert settings.server.port == 9000
    assert [str(n) for n in notices] == [
        "SERVER_PORT (environment) is the original's name for server.port, read as such;"
        " use PORT instead"
    ]
    assert notices[0].applied


def test_server_host_and_allowed_origins_are_read_as_envdeck_keys() -> None:
    settings, notices = load_settings_with_notices(
        environ={"SERVER_HOST": "10.1.2.3", "ALLOWED_ORIGINS": "https://a.example, ,http://b:3000"}
    )
    assert settings.server.host == "10.1.2.3"
    assert settings.allow_origins == ["https://a.example", "http://b:3000"]
    assert {n.name: n.use for n in notices} == {
        "SERVER_HOST": "ENVDECK_SERVER__HOST",
        "ALLOWED_ORIGINS": "ENVDECK_ALLOW_ORIGINS",
    }


def test_an_envdeck_variable_wins_over_its_alias_and_the_notice_says_so() -> None:
    settings, notices = load_settings_with_notices(environ={"SERVER_PORT": "9000", "PORT": "9100"})
    assert settings.server.port == 9100
    (notice,) = notices
    assert not notice.applied
    assert "not used: PORT is set too and wins" in notice.message


def test_a_bad_value_under_an_original_variable_names_it() -> None:
    with pytest.raises(ConfigError, match=r"SERVER_PORT \(the original's name for server\.port\)"):
        load_settings_with_notices(environ={"SERVER_PORT": "eighty"})


def test_a_port_out_of_range_under_an_original_variable_names_it() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings_with_notices(environ={"SERVER_PORT": "70000"})
    assert "SERVER_PORT" in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "reason"),
    [
        ("MONGO_ROOT_USER", "docker-compose.yml"),
        ("ME_PASSWORD", "docker-compose.yml"),
        ("VITE_API_URL", "UI build"),
        ("WS_READ_BUFFER_SIZE", "never read it"),
    ],
)
def test_compose_ui_and_unread_variables_are_reported_ignored(variable: str, reason: str) -> None:
    value = "s3cret-value-never-shown"
    settings, notices = load_settings_with_notices(environ={variable: value})
    assert settings == load_settings_with_notices(environ={})[0]
    (notice,) = notices
    assert notice.kind == "ignored"
    assert notice.message.startswith(f"{variable} (environment) is ignored: ")
    assert reason in notice.message
    assert value not in notice.message


def test_variables_the_original_never_read_name_the_envdeck_key_instead() -> None:
    settings, notices = load_settings_with_notices(
        environ={"JWT_EXPIRY": "1h", "LOG_LEVEL": "debug"}
    )
    # The original's tokens lasted 24h and it logged at info whatever these said.
    assert settings.jwt.expiry_time == timedelta(hours=12)
    assert settings.log.level == "info"
    assert {n.name: n.use for n in notices} == {
        "JWT_EXPIRY": "ENVDECK_JWT__EXPIRY_TIME",
        "LOG_LEVEL": "ENVDECK_LOG__LEVEL",
    }


def test_the_ssh_key_encryption_key_is_not_taken_as_the_encryption_key() -> None:
    settings, notices = load_settings_with_notices(
        environ={"SSH_KEY_ENCRYPTION_KEY": "b8536dd217d95787bb51602dc807b9ac"}
    )
    assert settings.encryption.key == ""
    (notice,) = notices
    assert "formats differ" in notice.message
    assert "b8536dd2" not in notice.message


def test_allowed_hosts_is_reported_as_not_needed() -> None:
    settings, notices = load_settings_with_notices(environ={"ALLOWED_HOSTS": "test-environment-1"})
    assert settings.outbound.allowed_networks == []
    (notice,) = notices
    assert "not needed" in notice.message
    assert "private addresses" in notice.message


def test_every_file_alias_names_an_envdeck_key() -> None:
    from envdeck.config import Settings, _known_paths

    known = _known_paths(Settings)
    renames = [o for o in [*ENVIRONMENT.values(), *FILE.values()] if isinstance(o, Rename)]
    assert renames
    assert all(rename.to in known for rename in renames)
    assert all(reason.reason for reason in FILE.values() if isinstance(reason, Ignore))
