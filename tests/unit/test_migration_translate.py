"""The original's documents as Envdeck entities: names, quirks, users, logs (no I/O)."""

from datetime import UTC, datetime

from bson import ObjectId

from envdeck.domain.environment import CredentialKind, HostKeyPolicy
from envdeck.domain.log import LogLevel, LogType
from envdeck.services.inventory.seed_metadata import split_seed_metadata
from envdeck.services.migration.environments import translate_environment, valid_name
from envdeck.services.migration.logs import translate_audit, translate_log
from envdeck.services.migration.report import MigrationReport
from envdeck.services.migration.users import translate_user

AT = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
HASH = "$2a$10$umK.VpFKXBcwqKXeongxLulDYIUVohcSrk7t2ynxGoA1chPF00bpC"


def environment(**fields: object) -> dict[str, object]:
    return {"_id": ObjectId(), "name": "qa", "target": {"host": "qa.example", "port": 22}} | fields


def test_a_name_envdeck_refuses_gets_the_closest_free_one() -> None:
    taken = {"staging-api"}

    assert valid_name("qa-1", taken) == "qa-1"
    assert valid_name("Staging API", set()) == "Staging-API"
    assert valid_name("Staging API", taken) == "Staging-API-2"
    assert valid_name("Büro / Zürich", set()) == "Buro-Zurich"
    assert valid_name("///", set()) == "environment"
    assert len(valid_name("x y" * 40, set())) == 50


def test_the_originals_defaults_are_carried_as_it_sent_them() -> None:
    report = MigrationReport()
    doc = environment(
        environmentURL="https://qa.example",
        healthCheck={"enabled": True, "endpoint": "/health", "interval": 5, "timeout": 0},
        commands={"type": "http", "restart": {"enabled": True, "url": "https://qa.example/r"}},
    )

    env = translate_environment(doc, set(), report)

    assert env.health_check.method == "GET"
    assert env.health_check.endpoint == "/health"
    assert (env.health_check.interval, env.health_check.timeout) == (10, 9)
    assert env.commands.restart.method == "POST"
    assert report.changed == [
        "environment qa.healthCheck.interval 5 -> 10 s",
        "environment qa.healthCheck.timeout 0 -> 9 s (the original's 0: its default)",
    ]


def test_a_path_without_an_environment_url_is_resolved_as_the_original_did() -> None:
    report = MigrationReport()
    doc = environment(healthCheck={"enabled": True, "endpoint": "/health", "interval": 60})

    env = translate_environment(doc, set(), report)

    assert env.health_check.endpoint == "http://qa.example:22/health"
    expected = "environment qa.healthCheck.endpoint /health -> http://qa.example:22/health"
    assert expected in report.changed


def test_what_cannot_run_is_disabled_and_reported() -> None:
    report = MigrationReport()
    doc = environment(
        healthCheck={
            "enabled": True,
            "endpoint": "https://qa.example",
            "interval": 60,
            "timeout": 5,
            "validation": {"type": "xml", "value": "<ok/>"},
        },
        commands={"type": "ssh", "restart": {"enabled": True, "command": ""}},
        upgradeConfig={"enabled": True, "type": "ssh", "upgradeCommand": {"command": "upgrade"}},
        metadata={"tags": "eu, prod,  bad tag!"},
    )

    env = translate_environment(doc, set(), report)

    assert env.health_check.validation is None
    assert env.commands.restart.enabled is False
    assert env.upgrade_config.enabled is False
    assert env.tags == ["eu", "prod"]
    assert env.metadata == {}
    assert [line.split(" (")[0] for line in report.not_carried] == [
        "environment qa.metadata.tags: 'bad tag!' is not a valid tag",
        "environment qa.healthCheck.validation",
        "environment qa.commands.restart",
        "environment qa.upgradeConfig",
    ]


def test_metadata_secrets_follow_the_credential_type_and_the_rest_is_reported() -> None:
    doc = environment(
        credentials={"type": "key", "username": "ops"},
        metadata={"password": "pw-1", "privateKey": "KEY", "insecureSkipHostKeyVerification": True},
    )
    env = translate_environment(doc, set(), MigrationReport())

    cleaned, seed = split_seed_metadata(env)

    assert seed.secret is not None
    assert (seed.secret.kind, seed.secret.secret) == (CredentialKind.KEY, "KEY")
    assert seed.dropped == ("password",)
    assert cleaned.metadata == {}
    assert cleaned.target.host_key_policy is HostKeyPolicy.OFF


def test_a_password_alone_is_used_whatever_the_type_says() -> None:
    env = translate_environment(
        environment(credentials={"type": "key"}, metadata={"password": "pw-1"}),
        set(),
        MigrationReport(),
    )

    cleaned, seed = split_seed_metadata(env)

    assert seed.secret is not None
    assert seed.secret.kind is CredentialKind.PASSWORD
    assert cleaned.credentials.type is CredentialKind.PASSWORD


def test_users_keep_their_hash_and_are_checked_at_first_sign_in() -> None:
    report = MigrationReport()
    user_id = ObjectId()
    doc = {
        "_id": user_id,
        "username": "bob",
        "passwordHash": HASH,
        "role": "operator",
        "active": True,
        "email": "not-an-email",
        "lastLoginAt": AT,
    }

    user = translate_user(doc, report)

    assert user is not None
    assert (user.id, user.password_hash, user.role, user.email) == (
        str(user_id),
        HASH,
        "viewer",
        None,
    )
    assert user.last_login == AT
    assert user.password_unchecked is True
    assert report.changed == ["user bob.role 'operator' -> viewer"]
    assert report.not_carried == ["user bob.email ('not-an-email'): not an email address"]


def test_a_user_without_a_bcrypt_hash_is_not_carried() -> None:
    report = MigrationReport()

    user = translate_user({"_id": ObjectId(), "username": "eve", "passwordHash": "plain"}, report)

    assert user is None
    assert report.not_carried == ["user eve: the password hash is not bcrypt; user not migrated"]


def test_logs_get_envdeck_actions() -> None:
    report = MigrationReport()
    failed_login = {
        "_id": ObjectId(),
        "timestamp": AT,
        "type": "auth",
        "level": "error",
        "action": "login",
        "message": "Invalid password",
        "username": "x",
    }
    check = {
        "_id": ObjectId(),
        "timestamp": AT,
        "type": "health_check",
        "level": "warning",
        "message": "down",
    }
    odd = {"_id": ObjectId(), "timestamp": AT, "type": "metrics", "level": "debug", "message": "?"}

    entries = [translate_log(doc, report) for doc in (failed_login, check, odd)]

    assert [(e.type, e.level, e.action) for e in entries if e] == [
        (LogType.AUTH, LogLevel.ERROR, "login_failed"),
        (LogType.HEALTH_CHECK, LogLevel.WARNING, "check_health"),
        (LogType.SYSTEM, LogLevel.INFO, "system"),
    ]
    assert entries[2] is not None
    assert entries[2].details == {"originalType": "metrics"}


def test_audit_events_other_than_restart_and_upgrade_are_left() -> None:
    base = {
        "_id": ObjectId(),
        "timestamp": AT,
        "environmentName": "qa",
        "actor": {"type": "user", "id": str(ObjectId()), "name": "alice"},
    }

    upgrade = translate_audit(
        base
        | {
            "type": "upgrade",
            "severity": "error",
            "action": {"operation": "upgrade", "status": "failed", "error": "exit 1"},
        },
        MigrationReport(),
    )
    update = translate_audit(base | {"type": "config_update"}, MigrationReport())

    assert update is None
    assert upgrade is not None
    assert (upgrade.type, upgrade.level, upgrade.action) == (
        LogType.ACTION,
        LogLevel.ERROR,
        "upgrade",
    )
    assert upgrade.message == "alice: upgrade of qa failed"
    assert upgrade.details["error"] == "exit 1"


def test_a_secret_in_log_details_is_masked_and_reported() -> None:
    report = MigrationReport()
    log_id = ObjectId()
    doc = {
        "_id": log_id,
        "timestamp": AT,
        "type": "action",
        "level": "info",
        "action": "update",
        "message": "updated",
        "details": {"metadata": {"password": "pw-9"}, "port": 22},
    }

    entry = translate_log(doc, report)

    assert entry is not None
    assert entry.details == {"metadata": {"password": "********"}, "port": 22}
    assert report.changed == [
        f"log {log_id}.details.metadata.password masked (no secret in the log)"
    ]
