"""The original environment manager's config.yaml, read from disk, and `envdeck config convert`.

files/original-config.yaml is shaped exactly like the snake_case file the original shipped
(backend/config/config.yaml); files/original-config-camel.yaml holds the camelCase keys its
loader read, with its defaults.
"""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from envdeck.config import ConfigError, load_settings, load_settings_with_notices
from tests.integration.test_cli import run

FILES = Path(__file__).parent / "files"
SHIPPED = FILES / "original-config.yaml"
CAMEL = FILES / "original-config-camel.yaml"


def leaf_keys(data: dict[str, object], prefix: str = "") -> list[str]:
    keys = []
    for key, value in data.items():
        if isinstance(value, dict):
            keys += leaf_keys(value, f"{prefix}{key}.")
        else:
            keys.append(f"{prefix}{key}")
    return keys


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_the_shipped_snake_case_file_loads_with_a_notice_per_original_key() -> None:
    settings, notices = load_settings_with_notices(SHIPPED, environ={})
    assert settings.server.host == "0.0.0.0"  # noqa: S104 (the shipped file's value)
    assert settings.server.read_timeout == timedelta(seconds=30)
    assert settings.server.shutdown_timeout == timedelta(seconds=10)
    assert settings.database.uri == "mongodb://localhost:27017"
    assert settings.database.database == "app-env-manager"
    assert settings.ssh.connect_timeout == timedelta(seconds=30)
    assert settings.allow_origins == [
        "http://localhost",
        "http://localhost:3000",
        "http://localhost:80",
    ]
    # Ignored keys change nothing: the original never read them. Its logging level and format
    # mean what Envdeck's do, so they are read.
    assert settings.auth.bcrypt_cost == 12
    assert (settings.log.level, settings.log.format) == ("info", "json")
    envdeck_keys = {"server.host", "server.port", "database.uri"}
    original_keys = set(leaf_keys(yaml.safe_load(SHIPPED.read_text()))) - envdeck_keys
    assert sorted(n.name for n in notices) == sorted(original_keys)
    assert all(n.source == "config file" for n in notices)
    assert {n.name: n.use for n in notices if n.applied} == {
        "server.read_timeout": "server.readTimeout",
        "server.write_timeout": "server.writeTimeout",
        "server.shutdown_timeout": "server.shutdownTimeout",
        "database.name": "database.database",
        "ssh.connection_timeout": "ssh.connectTimeout",
        "security.allowed_origins": "allowOrigins",
        "logging.level": "log.level",
        "logging.format": "log.format",
    }
    logging_output = next(n for n in notices if n.name == "logging.output")
    assert logging_output.message == (
        "logging.output (config file) is ignored: the original never read it"
    )


def test_the_camel_case_file_of_the_original_loads_with_notices() -> None:
    settings, notices = load_settings_with_notices(CAMEL, environ={})
    assert settings.ssh.connect_timeout == timedelta(seconds=30)
    assert settings.allow_origins == ["http://localhost:3000"]
    assert settings.jwt.expiry_time == timedelta(hours=12)  # tokenExpiration was never read
    applied = {n.name for n in notices if n.applied}
    assert applied == {"ssh.connectionTimeout", "security.allowedOrigins"}
    ignored = {n.name for n in notices if n.kind == "ignored"}
    assert {"security.allowedHosts", "health.checkInterval", "websocket.pingInterval"} <= ignored
    # Keys that are Envdeck's too (server.readTimeout, database.database) raise no notice.
    assert not {n.name for n in notices} & {"server.readTimeout", "database.database"}


def test_an_envdeck_key_in_the_file_wins_over_its_alias(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "allowOrigins: [https://new.example]\nsecurity:\n  allowed_origins: [http://old]\n",
    )
    settings, notices = load_settings_with_notices(config, environ={})
    assert settings.allow_origins == ["https://new.example"]
    (notice,) = notices
    assert "not used: allowOrigins in the config file is set too and wins" in notice.message


def test_an_envdeck_key_in_the_file_wins_over_an_original_variable(tmp_path: Path) -> None:
    config = write(tmp_path, "server:\n  port: 9000\n")
    settings, notices = load_settings_with_notices(config, environ={"SERVER_PORT": "9100"})
    assert settings.server.port == 9000
    assert "server.port in the config file is set too and wins" in notices[0].message


def test_an_original_variable_wins_over_an_original_file_key(tmp_path: Path) -> None:
    config = write(tmp_path, "security:\n  allowedOrigins: [http://file]\n")
    settings, _ = load_settings_with_notices(config, environ={"ALLOWED_ORIGINS": "http://env"})
    assert settings.allow_origins == ["http://env"]


def test_a_bad_value_under_an_original_key_names_it(tmp_path: Path) -> None:
    config = write(tmp_path, "ssh:\n  connection_timeout: soon\n")
    with pytest.raises(ConfigError, match=r"ssh\.connection_timeout \(the original's name for"):
        load_settings(config, environ={})


def test_an_unknown_key_in_a_section_of_the_original_is_still_refused(tmp_path: Path) -> None:
    config = write(tmp_path, "security:\n  allowed_origin: [http://x]\n")
    with pytest.raises(ConfigError, match=r"security\.allowed_origin: unknown key"):
        load_settings(config, environ={})


def test_config_convert_prints_the_envdeck_file_with_its_notes(tmp_path: Path) -> None:
    result = run("config", "convert", str(SHIPPED), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    notes = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert "#   security.allowed_origins -> allowOrigins" in notes
    assert "#   database.name -> database.database" in notes
    assert (
        "#   ME_PASSWORD" not in result.stdout  # variables are not the file's business
    )
    assert any(line.startswith("#   audit.flush_interval: ignored: ") for line in notes)
    converted = yaml.safe_load(result.stdout)
    assert converted == {
        "server": {
            "host": "0.0.0.0",  # noqa: S104
            "port": 8080,
            "readTimeout": "30s",
            "writeTimeout": "30s",
            "shutdownTimeout": "10s",
        },
        "database": {"uri": "mongodb://localhost:27017", "database": "app-env-manager"},
        "ssh": {"connectTimeout": "30s"},
        "allowOrigins": ["http://localhost", "http://localhost:3000", "http://localhost:80"],
        "log": {"level": "info", "format": "json"},
    }
    # The converted file means what the original one did, and raises no notice of its own.
    new = write(tmp_path, result.stdout)
    settings, notices = load_settings_with_notices(new, environ={})
    assert settings == load_settings(SHIPPED, environ={})
    assert notices == []


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "cannot read config file"),
        ("server:\n  port: [1\n", "is not valid YAML"),
        ("- a\n- b\n", "must hold a mapping"),
        ("security:\n  allowed_origins: 5\n", "security.allowed_origins (the original's name"),
        ("server:\n  prot: 1\n", "server.prot: unknown key"),
    ],
)
def test_config_convert_refuses_a_bad_file_in_one_line(
    tmp_path: Path, content: str | None, error: str
) -> None:
    if content is not None:
        write(tmp_path, content)
    result = run("config", "convert", "config.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("envdeck: error: ")
    assert error in result.stderr


def test_check_config_warns_once_per_original_name(tmp_path: Path) -> None:
    result = run(
        "check-config",
        cwd=tmp_path,
        env={"SERVER_PORT": "9000", "MONGO_ROOT_PASSWORD": "admin123"},
    )
    assert result.returncode == 0, result.stderr
    assert '"port": 9000' in result.stdout
    assert result.stderr.splitlines() == [
        "envdeck: warning: SERVER_PORT (environment) is the original's name for server.port,"
        " read as such; use PORT instead",
        "envdeck: warning: MONGO_ROOT_PASSWORD (environment) is ignored: only the original's"
        " docker-compose.yml used it (not the server)",
    ]
