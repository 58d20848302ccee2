"""Entity validation rules (DESIGN §4)."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from envdeck.domain.environment import (
    CommandConfig,
    Environment,
    HealthCheckConfig,
    HealthValidation,
    UpgradeConfig,
)
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.log import LogEntry, LogFilter
from envdeck.domain.user import User


@pytest.mark.parametrize("name", ["prod", "qa-1", "Staging.eu_2", "a" * 50])
def test_accepts_valid_environment_names(name: str) -> None:
    assert Environment(name=name).name == name


@pytest.mark.parametrize("name", ["", "-prod", "has space", "a" * 51, "prod/eu", "ümlaut"])
def test_rejects_invalid_environment_names(name: str) -> None:
    with pytest.raises(ValidationError, match="name"):
        Environment(name=name)


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_rejects_ports_out_of_range(port: int) -> None:
    with pytest.raises(ValidationError, match="port"):
        Environment.model_validate({"name": "x", "target": {"host": "h", "port": port}})


@pytest.mark.parametrize(
    ("interval", "timeout"), [(9, 5), (3601, 5), (60, 0), (60, 61), (10, 10), (20, 30)]
)
def test_rejects_bad_interval_and_timeout(interval: int, timeout: int) -> None:
    with pytest.raises(ValidationError):
        HealthCheckConfig(interval=interval, timeout=timeout)


def test_an_enabled_health_check_needs_an_endpoint() -> None:
    with pytest.raises(ValidationError, match="endpoint"):
        HealthCheckConfig(enabled=True)


@pytest.mark.parametrize("value", [200, [200, 204], "2xx", ["2xx", 301]])
def test_accepts_status_code_validation_forms(value: Any) -> None:
    HealthValidation.model_validate({"type": "statusCode", "value": value})


@pytest.mark.parametrize("value", [99, 600, "6xx", "ok", [200, "nope"]])
def test_rejects_bad_status_code_validation(value: Any) -> None:
    with pytest.raises(ValidationError):
        HealthValidation.model_validate({"type": "statusCode", "value": value})


@pytest.mark.parametrize(
    "pattern",
    [
        "(unclosed",
        "a{99999999999999999999}",
        "{0d<<#9",  # the regex package fails this one with a plain ValueError
        "(" * 1000 + ")" * 1000,  # and this one by running out of stack
    ],
)
def test_rejects_a_regex_that_does_not_compile(pattern: str) -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        HealthValidation.model_validate({"type": "jsonRegex", "value": pattern})


def test_compiles_jsonpath_rules_at_save_time() -> None:
    rule = {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}}
    HealthValidation.model_validate(rule)
    with pytest.raises(ValidationError, match="JSONPath"):
        HealthValidation.model_validate({"type": "jsonPath", "value": {"path": "$[", "equals": 1}})


def test_a_jsonpath_rule_takes_exactly_one_comparison() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        HealthValidation.model_validate({"type": "jsonPath", "value": {"path": "$.a"}})


def test_an_enabled_ssh_upgrade_needs_the_version_placeholder() -> None:
    with pytest.raises(ValidationError, match="VERSION"):
        UpgradeConfig(enabled=True, upgrade_command={"command": "deploy latest"})
    UpgradeConfig(enabled=True, upgrade_command={"command": "deploy {VERSION}"})


def test_an_enabled_ssh_restart_needs_a_command() -> None:
    with pytest.raises(ValidationError, match="command"):
        CommandConfig(type="ssh", restart={"enabled": True})


def test_uses_the_seeds_json_field_names() -> None:
    env = Environment.model_validate(
        {
            "name": "qa",
            "environmentURL": "https://qa.example/",
            "upgradeConfig": {"versionListURL": "https://qa.example/versions"},
        }
    )
    data = env.model_dump(mode="json", by_alias=True)
    assert data["environmentURL"] == "https://qa.example/"
    assert data["upgradeConfig"]["versionListURL"] == "https://qa.example/versions"
    assert "healthCheck" in data
    assert "failureThreshold" in data["healthCheck"]


def test_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Environment.model_validate({"name": "qa", "colour": "red"})


def test_deduplicates_and_validates_tags() -> None:
    assert Environment(name="qa", tags=["eu", "eu", "team:core"]).tags == ["eu", "team:core"]
    with pytest.raises(ValidationError, match="tag"):
        Environment(name="qa", tags=["has space"])


def test_times_are_utc_milliseconds_in_fixed_width_json() -> None:
    local = timezone(timedelta(hours=2))
    entry = LogEntry(
        timestamp=datetime(2026, 1, 2, 5, 4, 5, 123456, tzinfo=local),
        type="system",
        action="start",
        message="m",
    )
    assert entry.timestamp == datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    whole_second = entry.model_copy(update={"timestamp": datetime(2026, 1, 2, tzinfo=UTC)})
    assert '"timestamp":"2026-01-02T03:04:05.123Z"' in entry.model_dump_json(by_alias=True)
    assert '"timestamp":"2026-01-02T00:00:00.000Z"' in whole_second.model_dump_json(by_alias=True)


def test_a_log_filter_refuses_an_inverted_date_range() -> None:
    with pytest.raises(ValidationFailed, match="startDate"):
        LogFilter(
            start_date=datetime(2026, 2, 1, tzinfo=UTC), end_date=datetime(2026, 1, 1, tzinfo=UTC)
        )


def test_a_user_never_serialises_with_unknown_roles() -> None:
    with pytest.raises(ValidationError, match="role"):
        User(username="alice", role="root")
