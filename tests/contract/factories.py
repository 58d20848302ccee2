"""Entities for the contract tests: valid by default, every field overridable."""

import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from envdeck.domain.credential import Credential
from envdeck.domain.environment import (
    ActiveOperation,
    CommandConfig,
    CommandDetails,
    CredentialRef,
    Environment,
    HealthCheckConfig,
    HealthValidation,
    JsonPathRule,
    Status,
    SystemInfo,
    Target,
    Timestamps,
    UpgradeCommand,
    UpgradeConfig,
)
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogEntry
from envdeck.domain.operation import (
    Operation,
    OperationError,
    OperationParams,
    OperationType,
    RequestedBy,
    Verification,
)
from envdeck.domain.user import ApiToken, User

_serial = itertools.count(1)

# A fixed instant with sub-millisecond digits: storage must keep exactly the milliseconds.
T0 = datetime(2024, 5, 1, 12, 30, 45, 123456, tzinfo=UTC)
T0_MS = T0.replace(microsecond=123000)


# Ids that name nothing: absent, or not shaped like an id at all (never an error but not found).
MISSING_IDS = [
    pytest.param(new_id(), id="absent"),
    pytest.param("nope", id="nope"),
    pytest.param("z" * 24, id="zzz"),
    pytest.param("", id="empty"),
]


def _next() -> int:
    return next(_serial)


def make_environment(**overrides: Any) -> Environment:
    fields: dict[str, Any] = {"name": f"env-{_next()}"}
    fields.update(overrides)
    return Environment(**fields)


def make_full_environment(**overrides: Any) -> Environment:
    """Return an environment with every nested field set away from its default."""
    plus_two = timezone(timedelta(hours=2))
    fields: dict[str, Any] = {
        "name": f"full-{_next()}",
        "description": "Staging: the release candidate, 100% (a+b) [eu]",
        "environment_url": "https://staging.example.com/app",
        "tags": ["staging", "eu-west", "team:core"],
        "protected": True,
        "target": Target(
            host="10.0.0.7",
            port=2222,
            domain="staging.example.com",
            host_key_policy="pin",
            host_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG",
        ),
        "credentials": CredentialRef(type="password", username="deploy", key_id=new_id()),
        "health_check": HealthCheckConfig(
            enabled=True,
            endpoint="https://staging.example.com/health",
            method="POST",
            interval=30,
            timeout=5,
            headers={"Accept": "application/json", "X-Probe": "envdeck"},
            body={"deep": True, "items": [1, 2.5, "three", None]},
            validation=HealthValidation(
                type="jsonPath", value=JsonPathRule(path="$.status", equals="ok")
            ),
            failure_threshold=3,
            version_json_path="$.version",
            tls_verify=False,
        ),
        "status": Status(
            health="healthy",
            last_check=T0,
            message="200 OK",
            response_time=12.5,
            status_code=200,
            since=T0 - timedelta(hours=1),
            consecutive_failures=0,
        ),
        "system_info": SystemInfo(
            os_version="Debian 12", app_version="2.4.1", last_updated=T0.astimezone(plus_two)
        ),
        "timestamps": Timestamps(
            last_restart_at=T0 - timedelta(days=1),
            last_upgrade_at=T0 - timedelta(days=2),
            last_healthy_at=T0,
        ),
        "commands": CommandConfig(
            type="http",
            restart=CommandDetails(
                enabled=True,
                url="https://staging.example.com/admin/restart",
                method="PUT",
                headers={"Authorization": "Bearer ciphertext"},
                body={"graceful": True},
                timeout=120,
            ),
        ),
        "upgrade_config": UpgradeConfig(
            enabled=True,
            type="ssh",
            version_list_url="https://releases.example.com/versions",
            version_list_method="POST",
            version_list_headers={"Accept": "application/json"},
            version_list_body={"channel": "stable"},
            json_path_response="$.versions[*]",
            upgrade_command=UpgradeCommand(command="deploy --version {VERSION}"),
            verify_timeout=600,
            rollback_on_failure=True,
        ),
        "active_operation": ActiveOperation(id=new_id(), type="upgrade", started_at=T0),
        "metadata": {"owner": "core", "cost": 12.75, "nested": {"list": [1, "a", False]}},
    }
    fields.update(overrides)
    return Environment(**fields)


def make_user(**overrides: Any) -> User:
    serial = _next()
    fields: dict[str, Any] = {
        "username": f"user{serial}",
        "email": f"user{serial}@example.com",
        "role": "user",
        "password_hash": "$2b$12$hash-of-secret",
    }
    fields.update(overrides)
    return User(**fields)


def make_log(**overrides: Any) -> LogEntry:
    fields: dict[str, Any] = {
        "timestamp": T0,
        "type": "action",
        "level": "info",
        "action": "restart",
        "message": f"entry {_next()}",
    }
    fields.update(overrides)
    return LogEntry(**fields)


def make_operation(**overrides: Any) -> Operation:
    fields: dict[str, Any] = {
        "environment_id": new_id(),
        "environment_name": "staging",
        "type": OperationType.RESTART,
    }
    fields.update(overrides)
    return Operation(**fields)


def make_full_operation(**overrides: Any) -> Operation:
    """Return an operation with every field set away from its default."""
    fields: dict[str, Any] = {
        "environment_id": new_id(),
        "environment_name": "staging",
        "type": "upgrade",
        "status": "failed",
        "params": OperationParams(force=True, version="2.4.1", previous_version="2.4.0"),
        "requested_by": RequestedBy(user_id=new_id(), username="alice"),
        "started_at": T0,
        "finished_at": T0 + timedelta(seconds=42),
        "duration_ms": 42000,
        "exit_code": 3,
        "http_status": 502,
        "output": "line 1\nline 2\n",
        "error": OperationError(code="VERIFY_FAILED", message="still 2.4.0"),
        "verification": Verification(
            health="unhealthy", version="2.4.0", attempts=5, verified=False, message="still 2.4.0"
        ),
        "rollback_of": new_id(),
        "rollback_operation_id": new_id(),
        "owner_instance": new_id(),
    }
    fields.update(overrides)
    return make_operation(**fields)


def make_credential(**overrides: Any) -> Credential:
    fields: dict[str, Any] = {
        "name": f"cred-{_next()}",
        "type": "key",
        "username": "deploy",
        "secret": "ciphertext-of-key",
        "passphrase": "ciphertext-of-passphrase",
        "fingerprint": "SHA256:abc",
    }
    fields.update(overrides)
    return Credential(**fields)


def make_token(**overrides: Any) -> ApiToken:
    serial = _next()
    fields: dict[str, Any] = {
        "name": f"token {serial}",
        "prefix": f"edk_{serial:04d}",
        "hash": f"sha256-of-secret-{serial}",
        "role": "user",
        "user_id": new_id(),
    }
    fields.update(overrides)
    return ApiToken(**fields)
