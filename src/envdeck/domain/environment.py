"""The Environment entity (the seed's field names) and its validation rules."""

import re
from enum import StrEnum
from typing import Any, Literal

import jsonpath
import regex
from pydantic import (
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from envdeck.domain.base import (
    DomainModel,
    JsonObject,
    JsonValue,
    PageOptions,
    SearchText,
    UtcDatetime,
)
from envdeck.domain.command_kinds import (
    CommandType,
    HttpCommand,
    HttpMethod,
    SshCommand,
    command_of,
)
from envdeck.domain.operation import OperationType
from envdeck.domain.reservation import ReservationPolicy

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"
_STATUS_CLASS = re.compile(r"^[1-5]xx$")


class HealthState(StrEnum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    UNKNOWN = "unknown"


# Sort rank for "health": problems first.
HEALTH_RANK = {HealthState.UNHEALTHY: 0, HealthState.UNKNOWN: 1, HealthState.HEALTHY: 2}


class HostKeyPolicy(StrEnum):
    TOFU = "tofu"
    PIN = "pin"
    OFF = "off"


class CredentialKind(StrEnum):
    KEY = "key"
    PASSWORD = "password"  # noqa: S105 (a kind of credential, not a secret)


class ValidationType(StrEnum):
    STATUS_CODE = "statusCode"
    JSON_REGEX = "jsonRegex"
    JSON_PATH = "jsonPath"


def compile_regex(pattern: str) -> str:
    """Return pattern unchanged if it compiles, else raise ValueError naming the problem."""
    try:
        regex.compile(pattern)  # the engine that runs it (services/health/validation.py)
    except regex.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from exc
    except (ValueError, OverflowError):
        raise ValueError("invalid regular expression") from None
    except RecursionError:
        raise ValueError("invalid regular expression: groups nested too deeply") from None
    return pattern


def compile_jsonpath(path: str) -> str:
    """Return path unchanged if it is valid RFC 9535 JSONPath, else raise ValueError."""
    try:
        jsonpath.compile(path)
    except jsonpath.JSONPathError as exc:
        raise ValueError(f"invalid JSONPath expression: {exc}") from exc
    return path


class Target(DomainModel):
    host: str = Field(default="", max_length=253)
    port: int = Field(default=22, ge=1, le=65535)
    domain: str = Field(default="", max_length=253)
    host_key_policy: HostKeyPolicy = HostKeyPolicy.TOFU
    host_key: str = Field(default="", max_length=16384)


class CredentialRef(DomainModel):
    type: CredentialKind = CredentialKind.KEY
    username: str = Field(default="", max_length=100)
    key_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")


class JsonPathRule(DomainModel):
    path: str
    equals: JsonValue = None
    matches: str | None = None

    @field_validator("path")
    @classmethod
    def _path_compiles(cls, value: str) -> str:
        return compile_jsonpath(value)

    @field_validator("matches")
    @classmethod
    def _matches_compiles(cls, value: str | None) -> str | None:
        return None if value is None else compile_regex(value)

    @model_validator(mode="after")
    def _one_comparison(self) -> "JsonPathRule":
        # A dumped rule spells the comparison it does not use as null, so equals=None beside
        # matches counts as absent: otherwise a stored "matches" rule could not be read back.
        if self.matches is None and "equals" not in self.model_fields_set:
            raise ValueError("give exactly one of 'equals' or 'matches'")
        if self.matches is not None and self.equals is not None:
            raise ValueError("give exactly one of 'equals' or 'matches'")
        return self


class HealthValidation(DomainModel):
    """How a health-check response is judged (DESIGN §4)."""

    type: ValidationType
    value: int | list[int | str] | str | JsonPathRule

    @model_validator(mode="after")
    def _value_fits_type(self) -> "HealthValidation":
        value = self.value
        if self.type is ValidationType.STATUS_CODE:
            codes = value if isinstance(value, list) else [value]
            for code in codes:
                if isinstance(code, int) and 100 <= code <= 599:
                    continue
                if isinstance(code, str) and _STATUS_CLASS.match(code):
                    continue
                raise ValueError("statusCode takes a code (100-599), a list of codes, or '2xx'")
        elif self.type is ValidationType.JSON_REGEX:
            if not isinstance(value, str):
                raise ValueError("jsonRegex takes a regular expression")
            compile_regex(value)
        elif not isinstance(value, JsonPathRule):
            raise ValueError("jsonPath takes {'path': ..., 'equals' | 'matches': ...}")
        return self


_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def _http_url(url: str) -> str:
    """Return url as a normalised http(s) URL, or raise ValueError saying why it is not one."""
    try:
        return str(_HTTP_URL.validate_python(url))
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"] if exc.errors() else "not a URL"
        raise ValueError(f"{url[:200]!r} is not a valid http(s) URL ({reason})") from None


def _text(url: HttpUrl | None) -> str | None:
    return None if url is None else str(url)


def resolve_endpoint(endpoint: str, base: str | None) -> str:
    """Return the URL a health check endpoint names, by the seed's rule: a value containing
    "://" is used as it is; any other value is a path, joined to base (the environment's
    environmentURL) with one slash between them ("/" is base itself).

    Raise ValueError saying why when that names no http(s) URL (a path without a base).
    """
    if "://" in endpoint:
        _http_url(endpoint)
        return endpoint
    if not base:
        raise ValueError(
            f"{endpoint[:200]!r} is a path, resolved against environmentURL, which is not set:"
            " set environmentURL or give a full http(s) URL"
        )
    path = endpoint.lstrip("/")
    url = f"{base.rstrip('/')}/{path}" if path else base.rstrip("/")
    _http_url(url)
    return url


class HealthCheckConfig(DomainModel):
    enabled: bool = False
    # A full http(s) URL, or a path resolved against environmentURL (resolve_endpoint).
    endpoint: str | None = Field(default=None, max_length=2048)
    method: HttpMethod = HttpMethod.GET
    interval: int = Field(default=60, ge=10, le=3600)
    timeout: int = Field(default=10, ge=1, le=60)
    headers: dict[str, str] = Field(default_factory=dict)
    body: JsonValue = None
    validation: HealthValidation | None = None
    failure_threshold: int = Field(default=1, ge=1, le=100)
    version_json_path: str | None = None
    tls_verify: bool = True

    @field_validator("version_json_path")
    @classmethod
    def _version_path_compiles(cls, value: str | None) -> str | None:
        return None if value is None else compile_jsonpath(value)

    @model_validator(mode="before")
    @classmethod
    def _ignore_resolved_endpoint(cls, data: Any) -> Any:
        # The API shows the URL it checks as resolvedEndpoint (read-only): a configuration
        # read and sent back carries it, and it is ignored like the server-set fields.
        if isinstance(data, dict) and "resolvedEndpoint" in data:
            data = {key: value for key, value in data.items() if key != "resolvedEndpoint"}
        return data

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_url_or_path(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # nothing given: no endpoint
        if "://" in value:
            return _http_url(value)  # normalised, as a URL always was
        if not value.isprintable():
            raise ValueError("a path endpoint takes no control characters")
        return value  # a path: stored as given, resolved against environmentURL

    @model_validator(mode="after")
    def _consistent(self) -> "HealthCheckConfig":
        if self.timeout >= self.interval:
            raise ValueError("timeout must be shorter than interval")
        if self.enabled and self.endpoint is None:
            raise ValueError("an enabled health check needs an endpoint")
        return self


class Status(DomainModel):
    health: HealthState = HealthState.UNKNOWN
    last_check: UtcDatetime | None = None
    message: str = ""
    response_time: float | None = None
    status_code: int | None = None
    since: UtcDatetime | None = None
    consecutive_failures: int = 0


class SystemInfo(DomainModel):
    os_version: str = ""
    app_version: str = ""
    last_updated: UtcDatetime | None = None
    # From the SSH system-info probe (`uname -r`, /proc/uptime at `last_updated`).
    kernel: str = ""
    uptime: float | None = None  # seconds
    # app_version is an upgrade's target that the environment never reported back.
    version_unverified: bool = False


class Timestamps(DomainModel):
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    last_restart_at: UtcDatetime | None = None
    last_upgrade_at: UtcDatetime | None = None
    last_healthy_at: UtcDatetime | None = None


class CommandDetails(DomainModel):
    enabled: bool = False
    command: str = Field(default="", max_length=65536)
    url: HttpUrl | None = None
    method: HttpMethod = HttpMethod.POST
    headers: dict[str, str] = Field(default_factory=dict)
    body: JsonValue = None
    timeout: int = Field(default=300, ge=1, le=86400)


class CommandConfig(DomainModel):
    type: CommandType = CommandType.SSH
    restart: CommandDetails = Field(default_factory=CommandDetails)

    @model_validator(mode="after")
    def _restart_is_runnable(self) -> "CommandConfig":
        if self.restart.enabled:
            missing = self.command().missing()
            if missing is not None:
                raise ValueError(f"an enabled {self.type.name} restart needs a {missing.field}")
        return self

    def command(self) -> SshCommand | HttpCommand:
        """Return the restart command as its kind's model."""
        url = "" if self.restart.url is None else str(self.restart.url)
        return command_of(self.type, self.restart, url, "commands.restart")


class UpgradeCommand(DomainModel):
    command: str = Field(default="", max_length=65536)
    url: str = ""
    method: HttpMethod = HttpMethod.POST
    headers: dict[str, str] = Field(default_factory=dict)
    body: JsonValue = None
    timeout: int = Field(default=900, ge=1, le=86400)


class UpgradeConfig(DomainModel):
    enabled: bool = False
    type: CommandType = CommandType.SSH
    version_list_url: HttpUrl | None = Field(default=None, alias="versionListURL")
    version_list_method: HttpMethod = HttpMethod.GET
    version_list_headers: dict[str, str] = Field(default_factory=dict)
    version_list_body: JsonValue = None
    json_path_response: str | None = None
    upgrade_command: UpgradeCommand = Field(default_factory=UpgradeCommand)
    verify_timeout: int = Field(default=120, ge=10, le=3600)
    rollback_on_failure: bool = False

    @field_validator("json_path_response")
    @classmethod
    def _response_path_compiles(cls, value: str | None) -> str | None:
        return None if value is None else compile_jsonpath(value)

    @model_validator(mode="after")
    def _command_takes_version(self) -> "UpgradeConfig":
        if not self.enabled:
            return self
        command = self.command()
        if not command.takes_version():
            raise ValueError(command.version_hint())
        return self

    def command(self) -> SshCommand | HttpCommand:
        """Return the upgrade command as its kind's model."""
        return command_of(
            self.type,
            self.upgrade_command,
            self.upgrade_command.url,
            "upgradeConfig.upgradeCommand",
        )


# The timestamps an operation moves (set_operation_timestamp).
OperationTimestamp = Literal["lastRestartAt", "lastUpgradeAt"]


class ActiveOperation(DomainModel):
    id: str
    type: OperationType
    started_at: UtcDatetime
    # The version an upgrade or a rollback goes to (None for a restart), for "Upgrading to …".
    version: str | None = None


class Environment(DomainModel):
    """An application environment: where it lives, how to check it, how to operate it."""

    id: str = ""
    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(default="", max_length=2000)
    environment_url: HttpUrl | None = Field(default=None, alias="environmentURL")
    tags: list[str] = Field(default_factory=list, max_length=50)
    protected: bool = False
    # What a reservation means for restarts and upgrades (docs/reservations.md).
    reservation_policy: ReservationPolicy = ReservationPolicy.ADVISORY
    target: Target = Field(default_factory=Target)
    credentials: CredentialRef = Field(default_factory=CredentialRef)
    health_check: HealthCheckConfig = Field(default_factory=HealthCheckConfig)
    status: Status = Field(default_factory=Status)
    system_info: SystemInfo = Field(default_factory=SystemInfo)
    timestamps: Timestamps = Field(default_factory=Timestamps)
    commands: CommandConfig = Field(default_factory=CommandConfig)
    upgrade_config: UpgradeConfig = Field(default_factory=UpgradeConfig)
    active_operation: ActiveOperation | None = None
    metadata: JsonObject = Field(default_factory=dict)
    # Names (of headers, query parameters, JSON fields of bodies and metadata) this environment
    # also keeps secret, besides those that look secret (services/inventory/secret_fields.py).
    secret_names: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("health_check")
    @classmethod
    def _endpoint_resolves(
        cls, value: HealthCheckConfig, info: ValidationInfo
    ) -> HealthCheckConfig:
        # environmentURL is validated first (declared before): absent here, it was refused.
        if value.endpoint is not None and "environment_url" in info.data:
            try:
                resolve_endpoint(value.endpoint, _text(info.data["environment_url"]))
            except ValueError as exc:
                raise ValueError(f"endpoint: {exc}") from None
        return value

    def health_check_url(self) -> str | None:
        """Return the URL the health check requests (resolve_endpoint), or None without one.

        Raise ValueError when the endpoint cannot be resolved.
        """
        endpoint = self.health_check.endpoint
        if endpoint is None:
            return None
        return resolve_endpoint(endpoint, _text(self.environment_url))

    def health_check_url_or_none(self) -> str | None:
        """Return the URL the health check requests, or None without one or if unresolvable."""
        try:
            return self.health_check_url()
        except ValueError:
            return None

    @field_validator("secret_names")
    @classmethod
    def _clean_secret_names(cls, names: list[str]) -> list[str]:
        cleaned: dict[str, str] = {}  # by lower case: a name is matched in any case
        for name in names:
            name = name.strip()
            if not 1 <= len(name) <= 200 or not name.isprintable():
                raise ValueError(f"invalid secret name {name[:40]!r}: 1-200 printable characters")
            cleaned.setdefault(name.lower(), name)
        return list(cleaned.values())

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        cleaned: list[str] = []
        for tag in tags:
            tag = tag.strip()
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,49}$", tag):
                raise ValueError(f"invalid tag {tag!r}: letters, digits and ._:/- only")
            if tag not in cleaned:
                cleaned.append(tag)
        return cleaned


EnvironmentSort = Literal[
    "name", "-name", "createdAt", "-createdAt", "health", "-health", "lastCheck", "-lastCheck"
]


class EnvironmentListOptions(PageOptions):
    """Filters of the environment list (DESIGN §5), each served by an index."""

    status: HealthState | None = None
    tag: str | None = None
    q: SearchText | None = None
    sort: EnvironmentSort = "name"
    # Only these environments / none of these (the reservation filters resolve to ids).
    ids: list[str] | None = None
    exclude_ids: list[str] | None = None
