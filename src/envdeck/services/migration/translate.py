"""The original's documents (SEED.md's entities, as its MongoDB holds them) as Envdeck entities.

Pure: no I/O. Each translator takes one document and notes in the report what it renamed,
changed or could not carry. Ids are kept: the original's ObjectIds are Envdeck's id shape, so
a second run finds what the first one wrote.
"""

import base64
import contextlib
import json
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import HttpUrl, TypeAdapter, ValidationError

from envdeck.domain.base import DomainModel
from envdeck.domain.command_kinds import CommandType, HttpMethod
from envdeck.domain.environment import (
    NAME_PATTERN,
    CommandConfig,
    CommandDetails,
    CredentialRef,
    Environment,
    HealthCheckConfig,
    HealthState,
    HealthValidation,
    Status,
    SystemInfo,
    Target,
    Timestamps,
    UpgradeConfig,
)
from envdeck.domain.log import ACTION_PATTERN, LogEntry, LogLevel, LogType
from envdeck.domain.user import USERNAME_PATTERN, Role, User
from envdeck.services.migration.report import MigrationReport

M = TypeVar("M", bound=DomainModel)
Document = dict[str, Any]

_URL = TypeAdapter(HttpUrl)
_NAME = re.compile(NAME_PATTERN)
_MAX_MESSAGE = 4000


def plain(value: Any) -> Any:
    """Return a BSON value as JSON data (ObjectId and other BSON types as text)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def utc(value: datetime) -> datetime:
    # PyMongo hands back naive UTC times unless told otherwise.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _time(value: Any) -> datetime | None:
    if isinstance(value, str):  # sent as JSON (source.as_json)
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    at = utc(value)
    return None if at.year < 1971 else at  # Go's zero time (0001-01-01) means "never"


def object_id(value: Any) -> str | None:
    """Return an ObjectId (or its 24-hex text) as Envdeck's id, None for anything else."""
    text = str(value).lower() if value is not None else ""
    return text if re.fullmatch(r"[0-9a-f]{24}", text) else None


# ---- environments ------------------------------------------------------------------------


def valid_name(name: str, taken: set[str]) -> str:
    """Return name if Envdeck takes it and it is free, else the closest free name it takes."""
    if _NAME.match(name) and name.lower() not in taken:
        return name
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-._")[:50] or "environment"
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: 50 - len(suffix)] + suffix
    return candidate


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(plain(v)) for k, v in value.items()}


def _method(value: Any, default: HttpMethod) -> str:
    text = str(value or "").upper()
    return text if text in HttpMethod.__members__.values() else default.value


def _url(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return str(_URL.validate_python(text)) if "{VERSION}" not in text else text
    except ValidationError:
        return None


def _target(doc: Document) -> Target:
    target = doc.get("target") or {}
    port = target.get("port")
    return Target(
        host=str(target.get("host") or "")[:253],
        port=port if isinstance(port, int) and 1 <= port <= 65535 else 22,
        domain=str(target.get("domain") or "")[:253],
    )


def _validation(value: Any, where: str, report: MigrationReport) -> HealthValidation | None:
    if not isinstance(value, dict) or not value.get("type"):
        return None
    data = plain(value)
    if isinstance(data.get("value"), float) and data["value"].is_integer():
        data["value"] = int(data["value"])  # JSON numbers came back doubles
    try:
        return HealthValidation.model_validate(data)
    except ValidationError:
        report.not_carried.append(
            f"{where}.healthCheck.validation ({json.dumps(data)[:200]}): not a rule Envdeck"
            " knows; the check accepts any 2xx answer"
        )
        return None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def resolve_endpoint(endpoint: str, env_url: str | None, target: Target) -> str:
    """Return the URL the original checked for an endpoint (its checker's rule)."""
    if "://" in endpoint:
        return endpoint
    if env_url:
        path = endpoint.lstrip("/")
        return f"{env_url.rstrip('/')}/{path}" if path else env_url
    scheme = "https" if target.port == 443 else "http"
    return f"{scheme}://{target.domain or target.host}:{target.port}{endpoint}"


def _health_check(
    doc: Document, env_url: str | None, target: Target, where: str, report: MigrationReport
) -> HealthCheckConfig:
    hc = doc.get("healthCheck") or {}
    enabled = hc.get("enabled") is True
    endpoint = str(hc.get("endpoint") or "").strip()
    interval = _int(hc.get("interval"))
    timeout = _int(hc.get("timeout"))
    new_interval = min(max(interval, 10), 3600) if interval else 60
    if interval and new_interval != interval:
        report.changed.append(f"{where}.healthCheck.interval {interval} -> {new_interval} s")
    new_timeout = min(max(timeout, 1), 60) if timeout > 0 else 10
    new_timeout = min(new_timeout, new_interval - 1)
    if new_timeout != timeout:
        why = " (the original's 0: its default)" if timeout == 0 else ""
        report.changed.append(f"{where}.healthCheck.timeout {timeout} -> {new_timeout} s{why}")
    if endpoint and "://" not in endpoint and not env_url:
        # A path with no environmentURL: the original checked the target's host and port.
        resolved = resolve_endpoint(endpoint, None, target)
        report.changed.append(f"{where}.healthCheck.endpoint {endpoint} -> {resolved}")
        endpoint = resolved
    data: Document = {
        "enabled": enabled,
        "endpoint": endpoint or None,
        "method": _method(hc.get("method"), HttpMethod.GET),
        "interval": new_interval,
        "timeout": new_timeout,
        "headers": _headers(hc.get("headers")),
        "validation": _validation(hc.get("validation"), where, report),
    }
    try:
        return HealthCheckConfig.model_validate(data)
    except ValidationError:
        pass
    if endpoint:
        # An Envdeck that takes no path: the URL the original checked, stored as a URL.
        resolved = resolve_endpoint(endpoint, env_url, target)
        try:
            config = HealthCheckConfig.model_validate(data | {"endpoint": resolved})
        except ValidationError:
            pass
        else:
            report.changed.append(f"{where}.healthCheck.endpoint {endpoint} -> {resolved}")
            return config
    fallback = HealthCheckConfig.model_validate(data | {"enabled": False, "endpoint": None})
    if enabled:
        report.not_carried.append(
            f"{where}.healthCheck.endpoint ({endpoint!r}): no URL to check; health check disabled"
        )
    return fallback


def _command_details(data: Any, default_method: HttpMethod) -> Document:
    data = data if isinstance(data, dict) else {}
    return {
        "command": str(data.get("command") or ""),
        "url": _url(data.get("url")),
        "method": _method(data.get("method"), default_method),
        "headers": _headers(data.get("headers")),
        "body": plain(data.get("body")) if data.get("body") not in (None, {}) else None,
    }


def _command_type(value: Any, details: Document) -> CommandType:
    text = str(value or "").lower()
    if text in ("ssh", "http"):
        return CommandType(text)
    return (
        CommandType.HTTP if details.get("url") and not details.get("command") else CommandType.SSH
    )


def _commands(doc: Document, where: str, report: MigrationReport) -> CommandConfig:
    commands = doc.get("commands") or {}
    restart = commands.get("restart") or {}
    details = _command_details(restart, HttpMethod.POST)
    raw_url = str(restart.get("url") or "")
    if raw_url and details["url"] is None:
        report.not_carried.append(f"{where}.commands.restart.url: not an http(s) URL")
    kind = _command_type(commands.get("type"), details)
    data = {"type": kind, "restart": CommandDetails.model_validate(details)}
    enabled = restart.get("enabled") is True or bool(details["command"] or details["url"])
    try:
        return CommandConfig.model_validate(data | {"restart": details | {"enabled": enabled}})
    except ValidationError as exc:
        report.not_carried.append(
            f"{where}.commands.restart ({_first_error(exc)}): restart disabled"
        )
        return CommandConfig.model_validate(data)


def _first_error(exc: ValidationError) -> str:
    return str(exc.errors(include_url=False)[0]["msg"])


def _upgrade(doc: Document, where: str, report: MigrationReport) -> UpgradeConfig:
    upgrade = doc.get("upgradeConfig") or {}
    if not upgrade:
        return UpgradeConfig()
    command = _command_details(upgrade.get("upgradeCommand"), HttpMethod.POST)
    command["url"] = command["url"] or ""
    body = upgrade.get("versionListBody")
    if isinstance(body, str) and body.strip():
        with contextlib.suppress(ValueError):  # else sent as it was written
            body = json.loads(body)
    data: Document = {
        "enabled": upgrade.get("enabled") is True,
        "type": _command_type(upgrade.get("type"), command),
        "versionListURL": _url(upgrade.get("versionListURL")),
        "versionListMethod": _method(upgrade.get("versionListMethod"), HttpMethod.GET),
        "versionListHeaders": _headers(upgrade.get("versionListHeaders")),
        "versionListBody": plain(body) if body not in (None, "") else None,
        "jsonPathResponse": str(upgrade.get("jsonPathResponse") or "") or None,
        "upgradeCommand": command,
    }
    try:
        return UpgradeConfig.model_validate(data)
    except ValidationError as exc:
        problem = _first_error(exc)
    try:
        config = UpgradeConfig.model_validate(data | {"enabled": False})
    except ValidationError:
        config = UpgradeConfig.model_validate(data | {"enabled": False, "jsonPathResponse": None})
        problem += f"; jsonPathResponse {data['jsonPathResponse']!r} dropped"
    report.not_carried.append(f"{where}.upgradeConfig ({problem}): upgrade disabled")
    return config


def _tags(metadata: Document, where: str, report: MigrationReport) -> list[str]:
    raw = metadata.get("tags")
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    tags: list[str] = []
    for item in items:
        tag = str(item).strip()
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,49}", tag):
            tags.append(tag)
        elif tag:
            report.not_carried.append(f"{where}.metadata.tags: {tag[:60]!r} is not a valid tag")
    return tags[:50]


def _status(doc: Document) -> Status:
    status = doc.get("status") or {}
    health = str(status.get("health") or "unknown")
    response_time = status.get("responseTime")
    return Status(
        health=HealthState(health) if health in HealthState.__members__.values() else "unknown",
        last_check=_time(status.get("lastCheck")),
        message=str(status.get("message") or ""),
        response_time=float(response_time) if isinstance(response_time, int | float) else None,
    )


def translate_environment(doc: Document, taken: set[str], report: MigrationReport) -> Environment:
    """Return the Envdeck environment of one original environment document (its secrets in
    clear, as the API would take them); taken holds the lower-case names already used."""
    original = str(doc.get("name") or "")
    name = valid_name(original, taken)
    taken.add(name.lower())
    where = f"environment {name}"
    if name != original:
        report.renamed.append(f"{original!r} -> {name}")
    env_url = _url(doc.get("environmentURL"))
    if doc.get("environmentURL") and env_url is None:
        report.not_carried.append(f"{where}.environmentURL: not an http(s) URL")
    target = _target(doc)
    raw_metadata = doc.get("metadata")
    metadata = plain(raw_metadata) if isinstance(raw_metadata, dict) else {}
    tags = _tags(metadata, where, report)
    if tags:
        metadata.pop("tags", None)
    credentials = doc.get("credentials") or {}
    kind = str(credentials.get("type") or "key")
    description = str(doc.get("description") or "")
    if len(description) > 2000:
        report.changed.append(f"{where}.description cut to 2000 characters")
    system_info = doc.get("systemInfo") or {}
    timestamps = doc.get("timestamps") or {}
    return Environment(
        id=object_id(doc.get("_id")) or "",
        name=name,
        description=description[:2000],
        environment_url=env_url,
        tags=tags,
        target=target,
        credentials=CredentialRef(
            type=kind if kind in ("key", "password") else "key",
            username=str(credentials.get("username") or "")[:100],
        ),
        health_check=_health_check(doc, env_url, target, where, report),
        status=_status(doc),
        system_info=SystemInfo(
            os_version=str(system_info.get("osVersion") or ""),
            app_version=str(system_info.get("appVersion") or ""),
            last_updated=_time(system_info.get("lastUpdated")),
        ),
        timestamps=Timestamps(
            created_at=_time(timestamps.get("createdAt")),
            updated_at=_time(timestamps.get("updatedAt")),
            last_restart_at=_time(timestamps.get("lastRestartAt")),
            last_upgrade_at=_time(timestamps.get("lastUpgradeAt")),
            last_healthy_at=_time(timestamps.get("lastHealthyAt")),
        ),
        commands=_commands(doc, where, report),
        upgrade_config=_upgrade(doc, where, report),
        metadata=metadata,
    )


# ---- users -------------------------------------------------------------------------------

_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")


def translate_user(doc: Document, report: MigrationReport) -> User | None:
    """Return the Envdeck user of one original user document (bcrypt hash kept), or None
    (reported) if it cannot be carried."""
    username = str(doc.get("username") or "")
    where = f"user {username or doc.get('_id')}"
    user_id = object_id(doc.get("_id"))
    password_hash = str(doc.get("passwordHash") or "")
    if user_id is None or not re.fullmatch(USERNAME_PATTERN, username):
        report.not_carried.append(f"{where}: not a username Envdeck takes (3-50 of A-Za-z0-9._-)")
        return None
    if not _BCRYPT.match(password_hash):
        report.not_carried.append(f"{where}: the password hash is not bcrypt; user not migrated")
        return None
    role = str(doc.get("role") or "")
    if role not in Role.__members__.values():
        report.changed.append(f"{where}.role {role!r} -> viewer")
        role = Role.VIEWER.value
    email = doc.get("email") or None
    data: Document = {
        "id": user_id,
        "username": username,
        "email": email,
        "role": role,
        "active": doc.get("active") is not False,
        "last_login": _time(doc.get("lastLogin") or doc.get("lastLoginAt")),
        "created_at": _time(doc.get("createdAt")),
        "updated_at": _time(doc.get("updatedAt")),
        "password_hash": password_hash,
        "password_unchecked": True,
    }
    try:
        return User.model_validate(data)
    except ValidationError:
        report.not_carried.append(f"{where}.email ({str(email)[:80]!r}): not an email address")
        return User.model_validate(data | {"email": None})


# ---- logs --------------------------------------------------------------------------------

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


def translate_log(doc: Document, report: MigrationReport) -> LogEntry | None:
    """Return the Envdeck log entry of one original `logs` document, or None (reported)."""
    log_id = object_id(doc.get("_id"))
    timestamp = _time(doc.get("timestamp"))
    if log_id is None or timestamp is None:
        report.not_carried.append(f"log {doc.get('_id')}: no id or timestamp")
        return None
    type_ = _enum(LogType, doc.get("type"), LogType.SYSTEM)
    level = _enum(LogLevel, doc.get("level"), LogLevel.INFO)
    details = plain(doc.get("details")) if isinstance(doc.get("details"), dict) else {}
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
    timestamp = _time(doc.get("timestamp"))
    kind = str(doc.get("type") or "")
    if log_id is None or timestamp is None or kind not in AUDITED_OPERATIONS:
        return None
    actor = doc.get("actor") or {}
    action = doc.get("action") or {}
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
    payload = doc.get("payload") or {}
    if isinstance(payload, dict) and payload:
        details["payload"] = plain(payload)
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
