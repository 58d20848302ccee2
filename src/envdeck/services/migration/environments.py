"""The original's environments (SEED.md's entity, as its MongoDB holds them) as Envdeck's.

Pure: no I/O. Each field is carried as the original used it; what Envdeck takes in another
form, or cannot take, is noted in the report. Ids are kept: the original's ObjectIds are
Envdeck's id shape, so a second run finds what the first one wrote.
"""

import contextlib
import json
import re
import unicodedata
from typing import Any

from pydantic import HttpUrl, TypeAdapter, ValidationError

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
from envdeck.services.migration.report import MigrationReport
from envdeck.services.migration.values import Document, mapping, object_id, plain, time_of

_URL = TypeAdapter(HttpUrl)
_NAME = re.compile(NAME_PATTERN)


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
    target = mapping(doc.get("target"))
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
    hc = mapping(doc.get("healthCheck"))
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
    commands = mapping(doc.get("commands"))
    restart = mapping(commands.get("restart"))
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
    upgrade = mapping(doc.get("upgradeConfig"))
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
    status = mapping(doc.get("status"))
    health = str(status.get("health") or "unknown")
    response_time = status.get("responseTime")
    return Status(
        health=HealthState(health) if health in HealthState.__members__.values() else "unknown",
        last_check=time_of(status.get("lastCheck")),
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
    credentials = mapping(doc.get("credentials"))
    kind = str(credentials.get("type") or "key")
    description = str(doc.get("description") or "")
    if len(description) > 2000:
        report.changed.append(f"{where}.description cut to 2000 characters")
    system_info = mapping(doc.get("systemInfo"))
    timestamps = mapping(doc.get("timestamps"))
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
            last_updated=time_of(system_info.get("lastUpdated")),
        ),
        timestamps=Timestamps(
            created_at=time_of(timestamps.get("createdAt")),
            updated_at=time_of(timestamps.get("updatedAt")),
            last_restart_at=time_of(timestamps.get("lastRestartAt")),
            last_upgrade_at=time_of(timestamps.get("lastUpgradeAt")),
            last_healthy_at=time_of(timestamps.get("lastHealthyAt")),
        ),
        commands=_commands(doc, where, report),
        upgrade_config=_upgrade(doc, where, report),
        metadata=metadata,
    )
