"""The original's `logs` and its `audit_log` restart and upgrade events as Envdeck log entries.

Pure: no I/O. Types and levels are the same words; an entry without an action gets its type's,
a failed login is Envdeck's `login_failed`, and a secret-looking value in details is masked.
"""

import re
from collections.abc import Callable
from typing import Any

from envdeck.adapters.secret_box import MASK
from envdeck.domain.log import ACTION_PATTERN, LogEntry, LogLevel, LogType
from envdeck.services.inventory.secret_fields import Leaf, dotted, map_json, sealable
from envdeck.services.migration.report import MigrationReport
from envdeck.services.migration.values import Document, mapping, object_id, plain, time_of

_MAX_MESSAGE = 4000

# The original's actions with no action set, by type (Envdeck's entries always have one).
_DEFAULT_ACTIONS = {
    LogType.HEALTH_CHECK: "check_health",
    LogType.ACTION: "action",
    LogType.SYSTEM: "system",
    LogType.ERROR: "error",
    LogType.AUTH: "login",
}
_SEVERITY_LEVELS = {
    "info": LogLevel.INFO,
    "warning": LogLevel.WARNING,
    "error": LogLevel.ERROR,
    "critical": LogLevel.ERROR,
}


def _enum(enum: Callable[[str], Any], value: Any, default: Any) -> Any:
    try:
        return enum(str(value))
    except ValueError:
        return default


def _action(type_: LogType, level: LogLevel, value: Any) -> str:
    action = str(value or "").lower() or _DEFAULT_ACTIONS[type_]
    if type_ is LogType.AUTH and action == "login" and level is LogLevel.ERROR:
        return "login_failed"  # Envdeck's name: such entries are for admins only
    return action if re.match(ACTION_PATTERN, action) else _DEFAULT_ACTIONS[type_]


def _message(text: Any, where: str, report: MigrationReport) -> str:
    message = str(text or "")
    if len(message) > _MAX_MESSAGE:
        report.changed.append(f"{where}: message cut to {_MAX_MESSAGE} characters")
    return message[:_MAX_MESSAGE]


def _safe_details(details: Document, where: str, report: MigrationReport) -> Document:
    """Return details with each value under a secret-looking name masked (and reported): the
    activity log never keeps a secret."""

    def mask(leaf: Leaf) -> Any:
        if leaf.secret and sealable(leaf.value, json=True):
            report.changed.append(f"{where}.{dotted(leaf.path)} masked (no secret in the log)")
            return MASK
        return leaf.value

    masked: Document = map_json(details, ("details",), frozenset(), mask)
    return masked


def translate_log(doc: Document, report: MigrationReport) -> LogEntry | None:
    """Return the Envdeck log entry of one original `logs` document, or None (reported)."""
    log_id = object_id(doc.get("_id"))
    timestamp = time_of(doc.get("timestamp"))
    if log_id is None or timestamp is None:
        report.not_carried.append(f"log {doc.get('_id')}: no id or timestamp")
        return None
    type_ = _enum(LogType, doc.get("type"), LogType.SYSTEM)
    level = _enum(LogLevel, doc.get("level"), LogLevel.INFO)
    details = plain(doc.get("details")) if isinstance(doc.get("details"), dict) else {}
    details = _safe_details(details, f"log {log_id}", report)
    if str(doc.get("type")) != type_.value:
        details["originalType"] = plain(doc.get("type"))
    return LogEntry(
        id=log_id,
        timestamp=timestamp,
        environment_id=object_id(doc.get("environmentId")),
        environment_name=doc.get("environmentName") or None,
        user_id=object_id(doc.get("userId")),
        username=doc.get("username") or None,
        type=type_,
        level=level,
        action=_action(type_, level, doc.get("action")),
        message=_message(doc.get("message"), f"log {log_id}", report),
        details=details,
    )


AUDITED_OPERATIONS = ("restart", "upgrade")


def translate_audit(doc: Document, report: MigrationReport) -> LogEntry | None:
    """Return the Envdeck log entry of one `audit_log` restart or upgrade event, or None."""
    log_id = object_id(doc.get("_id"))
    timestamp = time_of(doc.get("timestamp"))
    kind = str(doc.get("type") or "")
    if log_id is None or timestamp is None or kind not in AUDITED_OPERATIONS:
        return None
    actor = mapping(doc.get("actor"))
    action = mapping(doc.get("action"))
    status = str(action.get("status") or "")
    level = _SEVERITY_LEVELS.get(str(doc.get("severity")), LogLevel.INFO)
    if status == "failed":
        level = LogLevel.ERROR
    elif status == "completed" and level is LogLevel.INFO:
        level = LogLevel.SUCCESS
    is_user = actor.get("type") == "user"
    who = str(actor.get("name") or actor.get("type") or "system")
    env_name = str(doc.get("environmentName") or "")
    details: Document = {"source": "audit_log", "status": status}
    for key in ("operation", "duration", "error"):
        if action.get(key) not in (None, ""):
            details[key] = plain(action[key])
    payload = mapping(doc.get("payload"))
    if isinstance(payload, dict) and payload:
        details["payload"] = plain(payload)
    details = _safe_details(details, f"log {log_id}", report)
    return LogEntry(
        id=log_id,
        timestamp=timestamp,
        environment_id=object_id(doc.get("environmentId")),
        environment_name=env_name or None,
        user_id=object_id(actor.get("id")) if is_user else None,
        username=who if is_user else None,
        type=LogType.ACTION,
        level=level,
        action=kind,
        message=_message(f"{who}: {kind} of {env_name} {status}".strip(), f"log {log_id}", report),
        details=details,
    )
