"""Settings: the YAML file (--config), then environment variables over it, then defaults.

Keys are camelCase as in the seed (`server.port`, `database.uri`, `jwt.expiryTime`). Environment
variables: the seed's `PORT`, `MONGODB_URI`, `MONGODB_DATABASE`, `JWT_SECRET`, and `ENVDECK_`
followed by the key path in upper snake case, `__` between levels (`ENVDECK_SERVER__HOST`,
`ENVDECK_LOG__LEVEL`, `ENVDECK_DATA_DIR`). Any invalid value stops start-up with a ConfigError
naming the key and where it came from.

The original environment manager's variables and keys (SERVER_PORT, security.allowedOrigins,
the snake_case file it shipped) are read as aliases below every Envdeck name, each with a
notice: see original_config.py.
"""

import ipaddress
import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import urlsplit

import yaml
from limits import parse as parse_limit
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from envdeck.domain.base import DomainModel
from envdeck.durations import Duration, format_duration
from envdeck.original_config import ConfigNotice, Translation, merge, translate


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and its source."""


class ServerSettings(DomainModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    read_timeout: Duration = timedelta(seconds=15)
    write_timeout: Duration = timedelta(seconds=15)
    # A graceful stop (SIGTERM): requests in flight and running operations get this long, from
    # the signal, to finish; operations still running then are `interrupted`.
    shutdown_timeout: Duration = timedelta(seconds=30)
    # Request bodies above this are refused with 413 before they are read (docs/security.md).
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=65_536, le=1024 * 1024 * 1024)
    # Where users reach this Envdeck (https://envdeck.example.com): notifications link to it.
    # Empty: messages carry no link.
    public_url: str = Field(default="", max_length=500)
    # Reverse proxies (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto are
    # believed: the client address of logins, rate limits and logs is then the real client's.
    # Empty: the headers are ignored (docs/operations.md, TLS termination).
    trusted_proxies: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, proxies: list[str]) -> list[str]:
        for proxy in proxies:
            if proxy == "*":
                continue
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"{proxy!r} is not an IP address or network (10.0.0.0/8, ::1, or *)"
                ) from None
        return proxies

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        url = url.strip().rstrip("/")
        if not url:
            return ""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL such as https://envdeck.example.com, or empty")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("must hold no query, fragment nor credentials")
        return url


class DatabaseSettings(DomainModel):
    # Empty means the embedded default: sqlite:///<dataDir>/envdeck.db
    uri: str = ""
    database: str = Field(default="envdeck", pattern=r"^[A-Za-z0-9_-]{1,63}$")

    @field_validator("uri")
    @classmethod
    def _known_scheme(cls, uri: str) -> str:
        if uri and not uri.startswith(("sqlite:///", "mongodb://", "mongodb+srv://")):
            raise ValueError(
                "unknown storage backend: use sqlite:///path/to/file.db or mongodb://host/"
            )
        return uri


class JwtSettings(DomainModel):
    # Empty means generated on first start and kept in the data dir.
    secret: str = Field(default="", repr=False)
    expiry_time: Duration = timedelta(hours=12)

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, secret: str) -> str:
        if secret and len(secret) < 32:
            raise ValueError("the JWT secret must be at least 32 characters")
        return secret


class AuthSettings(DomainModel):
    # bcrypt's work factor: 12 takes ~0.25 s a hash here; tests use 4.
    bcrypt_cost: int = Field(default=12, ge=4, le=16)
    # Failed sign-ins allowed per account from one client address within loginWindow.
    login_attempts: int = Field(default=10, ge=1, le=1000)
    login_window: Duration = timedelta(minutes=15)
    # Per account from every address: past accountDelayAfter failures each further attempt
    # waits a delay doubling from 1 s up to accountMaxDelay; accountAttempts is the ceiling.
    account_delay_after: int = Field(default=20, ge=1, le=10_000)
    account_max_delay: Duration = timedelta(seconds=60)
    account_attempts: int = Field(default=100, ge=1, le=10_000)
    # Failed sign-ins allowed from one client address across every account within loginWindow.
    client_attempts: int = Field(default=100, ge=1, le=10_000)


class EncryptionSettings(DomainModel):
    # Base64 of 32 bytes (AES-256); empty means generated on first start in the data dir.
    key: str = Field(default="", repr=False)


class LogSettings(DomainModel):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class ActivityLogSettings(DomainModel):
    flush_interval: Duration = timedelta(milliseconds=200)
    batch_size: int = Field(default=500, ge=1, le=10000)
    # Entries waiting for storage (an outage) before actions are refused with 503.
    max_pending: int = Field(default=100_000, ge=1, le=10_000_000)
    # A response waits this long for its request's entries to be stored (then goes out with
    # `Envdeck-Audit: pending`); 0 answers without waiting (docs/operations.md, Durability).
    ack_timeout: Duration = timedelta(seconds=5)


class LogsSettings(DomainModel):
    # Activity-log entries older than this are deleted (MongoDB: TTL index; SQLite: a purge).
    retention_days: int = Field(default=90, ge=1, le=36500)


class HealthSettings(DomainModel):
    """The health-check engine and its history (docs/health.md)."""

    # Run the scheduler; off leaves statuses as they are (check-now still works).
    enabled: bool = True
    # Checks in flight at once, across every environment.
    concurrency: int = Field(default=200, ge=1, le=10_000)
    # Open connections kept in the shared outbound pool (all hosts together).
    max_connections: int = Field(default=500, ge=1, le=20_000)
    # A response body is read up to this many bytes; the rest is ignored (not an error).
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=67_108_864)
    max_redirects: int = Field(default=5, ge=0, le=20)
    # Status updates and samples are written in batches this often.
    flush_interval: Duration = timedelta(seconds=1)
    # Raw samples are kept this long; hourly rollups (uptime) for rollupRetentionDays.
    raw_retention_days: int = Field(default=7, ge=1, le=365)
    rollup_retention_days: int = Field(default=400, ge=90, le=3650)


class SshSettings(DomainModel):
    """The pool of SSH connections that operations share (docs/commands.md)."""

    # TCP, key exchange and authentication together.
    connect_timeout: Duration = timedelta(seconds=10)
    # Keepalives detect dead peers between commands: one every interval, countMax unanswered.
    keepalive_interval: Duration = timedelta(seconds=15)
    keepalive_count_max: int = Field(default=3, ge=1, le=100)
    # A connection nobody used for this long is closed.
    idle_timeout: Duration = timedelta(seconds=60)
    # Connections to one host:port (all users and keys together); requests beyond wait.
    max_connections_per_host: int = Field(default=4, ge=1, le=100)
    # Concurrent sessions on one connection (OpenSSH's MaxSessions defaults to 10).
    max_sessions_per_connection: int = Field(default=8, ge=1, le=100)
    # Cancel and timeout send SIGTERM, then SIGKILL after this grace.
    kill_grace: Duration = timedelta(seconds=2)


class OperationsSettings(DomainModel):
    """Restarts and upgrades (docs/commands.md, Operations)."""

    # Health checks of the verification step are this far apart.
    verify_poll_interval: Duration = timedelta(seconds=2)
    # The stored output tail is rewritten at most this often while an operation runs.
    output_flush_interval: Duration = timedelta(seconds=1)


class RealtimeSettings(DomainModel):
    """The WebSocket hub at /ws (docs/realtime.md)."""

    # A client must authenticate (first frame) within this long.
    auth_timeout: Duration = timedelta(seconds=5)
    # Frames waiting for one client before it is closed as too slow (4008); pending status
    # updates of one environment are merged into the latest and count once.
    queue_size: int = Field(default=256, ge=8, le=100_000)
    # Client frames above this are answered with an error frame.
    max_message_bytes: int = Field(default=65_536, ge=1024, le=1_048_576)
    # Client frames allowed per connection (`limits` notation); above it: closed (4429).
    message_rate: str = "20/second"
    # Sessions are re-checked this often (tokens, revocation, deactivation), bypassing caches.
    recheck_interval: Duration = timedelta(seconds=2)
    # WebSocket pings (by uvicorn) and how long to wait for the pong before dropping a dead peer.
    ping_interval: Duration = timedelta(seconds=20)
    ping_timeout: Duration = timedelta(seconds=20)

    @field_validator("message_rate")
    @classmethod
    def _parsable_rate(cls, rate: str) -> str:
        try:
            allowed = parse_limit(rate).amount
        except ValueError:
            allowed = 0
        if allowed < 1:
            raise ValueError("use a rate such as 20/second or 100 per 10 seconds")
        return rate

    @field_validator("auth_timeout", "ping_interval", "ping_timeout")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be more than 0")
        return value

    @field_validator("recheck_interval")
    @classmethod
    def _prompt_enough(cls, value: timedelta) -> timedelta:
        # Ended sessions must lose their socket within 5 s.
        if not timedelta(milliseconds=100) <= value <= timedelta(seconds=4):
            raise ValueError("must be between 100ms and 4s")
        return value


class MetricsSettings(DomainModel):
    """Prometheus metrics at /metrics (docs/metrics.md)."""

    # When on, a scraper must send an API token or a login token (any role).
    require_token: bool = False


class OutboundSettings(DomainModel):
    """Where outbound requests may go (docs/security.md, SSRF guard)."""

    # Link-local addresses (169.254.0.0/16, fe80::/10), where clouds serve instance metadata
    # and credentials, and fd00:ec2::254 are refused unless this is on.
    allow_link_local: bool = False
    # Networks reachable even if refused above (e.g. a link-local appliance), CIDR notation.
    allowed_networks: list[IPv4Network | IPv6Network] = Field(default_factory=list)
    # More networks to refuse (e.g. 10.0.0.0/8 on an installation that must not reach inside).
    blocked_networks: list[IPv4Network | IPv6Network] = Field(default_factory=list)


class NotificationsSettings(DomainModel):
    """Alert delivery through notification channels (docs/notifications.md)."""

    # While an environment stays unhealthy, a reminder this often; 0 turns reminders off.
    reminder_interval: Duration = timedelta(hours=1)
    # At most one unhealthy/recovered pair per environment within this window; 0 turns it off.
    flap_window: Duration = timedelta(minutes=15)
    # Attempts per delivery in all (1 = no retry), with exponential backoff from retryBaseDelay.
    retry_attempts: int = Field(default=3, ge=1, le=10)
    retry_base_delay: Duration = timedelta(seconds=2)
    # Each attempt (and a channel's test) is bounded by this.
    send_timeout: Duration = timedelta(seconds=10)
    # Deliveries waiting to be sent; past this, new ones are dropped (logged, counted failed).
    queue_size: int = Field(default=10_000, ge=10, le=1_000_000)

    @field_validator("reminder_interval", "flap_window", "retry_base_delay")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("must not be negative")
        return value

    @field_validator("send_timeout")
    @classmethod
    def _sensible_timeout(cls, value: timedelta) -> timedelta:
        if not timedelta(milliseconds=100) <= value <= timedelta(minutes=5):
            raise ValueError("must be between 100ms and 5m")
        return value


class ClusterSettings(DomainModel):
    """Instances sharing one storage: the instance registry (docs/operations.md)."""

    # Share the work with other instances when storage can (a MongoDB replica set); false
    # keeps this instance alone there too (it checks everything, relays nothing).
    enabled: bool = True

    # Each instance writes its heartbeat this often.
    heartbeat_interval: Duration = timedelta(seconds=5)
    # An instance not seen for this long, and not stopped, is listed as lost.
    instance_ttl: Duration = timedelta(seconds=15)
    # How long a lease (a shard of the health checks, a singleton job) is held without renewal;
    # an instance renews its leases every third of it. A killed instance's work is taken over
    # within about 1.3 leases.
    lease_duration: Duration = timedelta(seconds=10)

    @model_validator(mode="after")
    def _ttl_outlasts_two_heartbeats(self) -> Self:
        if self.heartbeat_interval < timedelta(milliseconds=100):
            raise ValueError("heartbeatInterval must be at least 100ms")
        if not timedelta(seconds=1) <= self.lease_duration <= timedelta(minutes=5):
            raise ValueError("leaseDuration must be between 1s and 5m")
        if self.instance_ttl <= 2 * self.heartbeat_interval:
            raise ValueError(
                f"instanceTtl ({format_duration(self.instance_ttl)}) must be more than twice"
                f" heartbeatInterval ({format_duration(self.heartbeat_interval)})"
            )
        return self


class ReservationsSettings(DomainModel):
    """Reservations of environments (docs/reservations.md)."""

    # The longest a reservation may last (from its start to its end).
    max_duration: Duration = timedelta(days=7)
    # The holder is reminded this long before the end (event reservation.expiring).
    reminder_before: Duration = timedelta(minutes=15)
    # How often the expiry job looks for reservations ending or due a reminder.
    expiry_interval: Duration = timedelta(seconds=5)

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.max_duration < timedelta(minutes=1):
            raise ValueError("maxDuration must be at least 1m")
        if not timedelta(milliseconds=100) <= self.expiry_interval <= timedelta(minutes=5):
            raise ValueError("expiryInterval must be between 100ms and 5m")
        return self


class PromotionsSettings(DomainModel):
    """Promotions through pipelines (docs/promotions.md)."""

    # Lets an admin approve their own promotion (a single-admin install); each such approval
    # is a warning in the activity log.
    allow_self_approval: bool = False


class Settings(BaseSettings):
    """The effective configuration of one Envdeck process."""

    model_config = SettingsConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    data_dir: Path = Path("data")
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    jwt: JwtSettings = Field(default_factory=JwtSettings)
    encryption: EncryptionSettings = Field(default_factory=EncryptionSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    allow_origins: list[str] = Field(default_factory=list)
    log: LogSettings = Field(default_factory=LogSettings)
    activity_log: ActivityLogSettings = Field(default_factory=ActivityLogSettings)
    logs: LogsSettings = Field(default_factory=LogsSettings)
    realtime: RealtimeSettings = Field(default_factory=RealtimeSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    ssh: SshSettings = Field(default_factory=SshSettings)
    operations: OperationsSettings = Field(default_factory=OperationsSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    notifications: NotificationsSettings = Field(default_factory=NotificationsSettings)
    outbound: OutboundSettings = Field(default_factory=OutboundSettings)
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    reservations: ReservationsSettings = Field(default_factory=ReservationsSettings)
    promotions: PromotionsSettings = Field(default_factory=PromotionsSettings)
    # Unattended installs: the first admin, created at start-up while no user exists
    # (ENVDECK_ADMIN_USERNAME, ENVDECK_ADMIN_PASSWORD); ignored once a user exists.
    admin_username: str | None = None
    admin_password: SecretStr | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: init arguments (tests), environment, the YAML file, the
        # original's names in either, defaults.
        # The original environment manager's names come last: an Envdeck name always wins.
        return (
            init_settings,
            _EnvironmentSource(settings_cls),
            _YamlSource(settings_cls),
            _OriginalNamesSource(settings_cls),
        )

    @property
    def storage_uri(self) -> str:
        """Return database.uri, or the embedded SQLite file in the data dir."""
        return self.database.uri or f"sqlite:///{self.data_dir / 'envdeck.db'}"

    @property
    def storage_backend(self) -> str:
        return "sqlite" if self.storage_uri.startswith("sqlite:") else "mongodb"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.storage_uri.removeprefix("sqlite:///"))


_config_file: ContextVar[Path | None] = ContextVar("config_file", default=None)
_environ: ContextVar[Mapping[str, str]] = ContextVar("environ", default=os.environ)

# The seed's variable names; everything else is ENVDECK_<PATH>.
_SEED_VARIABLES = {
    "PORT": ("server", "port"),
    "MONGODB_URI": ("database", "uri"),
    "MONGODB_DATABASE": ("database", "database"),
    "JWT_SECRET": ("jwt", "secret"),
}
_LIST_KEYS: set[tuple[str, ...]] = {
    ("allowOrigins",),
    ("server", "trustedProxies"),
    ("outbound", "allowedNetworks"),
    ("outbound", "blockedNetworks"),
}


def _known_paths(model: type[Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for name, info in model.model_fields.items():
        path = (*prefix, info.alias or to_camel(name))
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, DomainModel):
            paths |= _known_paths(annotation, path)
        else:
            paths.add(path)
    return paths


def _env_path(variable: str) -> tuple[str, ...]:
    return tuple(to_camel(part.lower()) for part in variable.removeprefix("ENVDECK_").split("__"))


def _set(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = value


def _environment_values(
    environ: Mapping[str, str], known: set[tuple[str, ...]]
) -> dict[tuple[str, ...], tuple[str, Any]]:
    """Return each key set by an Envdeck variable: its path -> (variable, value)."""
    values: dict[tuple[str, ...], tuple[str, Any]] = {}
    for variable, seed_path in _SEED_VARIABLES.items():
        if variable in environ:
            values[seed_path] = (variable, environ[variable])
    # Other ENVDECK_* variables (the tests') are not configuration keys.
    for variable, value in environ.items():
        path = _env_path(variable)
        if variable.startswith("ENVDECK_") and path in known:
            parsed = [v.strip() for v in value.split(",") if v.strip()]
            values[path] = (variable, parsed if path in _LIST_KEYS else value)
    return values


def _read_config_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())  # PyYAML's messages span lines: one line here
        if isinstance(exc, yaml.MarkedYAMLError) and exc.problem and exc.problem_mark:
            mark = exc.problem_mark
            detail = f"{exc.problem} (line {mark.line + 1}, column {mark.column + 1})"
        raise ConfigError(f"config file {path} is not valid YAML: {detail}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of keys at the top")
    return data


@dataclass
class _Inputs:
    """The environment and the config file of one load, the original's names taken out."""

    environment: dict[tuple[str, ...], tuple[str, Any]]
    file: dict[str, Any]
    original: Translation


# Set by load_settings so that the sources share one reading and it sees the notices.
_inputs_of_load: ContextVar[_Inputs | None] = ContextVar("inputs_of_load", default=None)


def _read_inputs(settings_cls: type[BaseSettings]) -> _Inputs:
    inputs = _inputs_of_load.get()
    if inputs is not None:
        return inputs
    environ = _environ.get()
    known = _known_paths(settings_cls)
    environment = _environment_values(environ, known)
    file_data = _read_config_file(_config_file.get())
    set_by_environment = {path: variable for path, (variable, _) in environment.items()}
    original = translate(environ, file_data, known, set_by_environment)
    if original.unknown:
        problems = "; ".join(f"{key}: unknown key" for key in original.unknown)
        raise ConfigError(f"invalid configuration (config file {_config_file.get()}): {problems}")
    return _Inputs(environment, file_data, original)


class _EnvironmentSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ builds the whole tree at once

    def __call__(self) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        for path, (_, value) in _read_inputs(self.settings_cls).environment.items():
            _set(tree, path, value)
        return tree


class _YamlSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError

    def __call__(self) -> dict[str, Any]:
        return _read_inputs(self.settings_cls).file


class _OriginalNamesSource(PydanticBaseSettingsSource):
    """The original environment manager's names (original_config.py), below Envdeck's."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError

    def __call__(self) -> dict[str, Any]:
        return _read_inputs(self.settings_cls).original.tree


def _describe(error: Mapping[str, Any], origins: Mapping[tuple[str, ...], str]) -> str:
    loc = tuple(str(part) for part in error["loc"])
    key = ".".join(loc)
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    for path, name in origins.items():
        if loc[: len(path)] == path:
            # The value came under the original's name: say which, or the user cannot find it.
            return f"{name} (the original's name for {key}): {error['msg']}"
    return f"{key}: {error['msg']}"


def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Return the effective settings, or raise ConfigError naming each invalid key."""
    return load_settings_with_notices(config_file, environ)[0]


def load_settings_with_notices(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, list[ConfigNotice]]:
    """Return the effective settings and one notice per name of the original met in them.

    Raise ConfigError naming each invalid key, as load_settings does.
    """
    file_token = _config_file.set(config_file)
    env_token = _environ.set(os.environ if environ is None else environ)
    try:
        inputs = _read_inputs(Settings)
        inputs_token = _inputs_of_load.set(inputs)
        try:
            return Settings(), inputs.original.notices
        except ValidationError as exc:
            origins = inputs.original.origins
            problems = "; ".join(_describe(error, origins) for error in exc.errors())
            source = f" (config file {config_file} and environment)" if config_file else ""
            raise ConfigError(f"invalid configuration{source}: {problems}") from exc
        finally:
            _inputs_of_load.reset(inputs_token)
    finally:
        _config_file.reset(file_token)
        _environ.reset(env_token)


def convert_config_file(path: Path) -> tuple[dict[str, Any], list[ConfigNotice]]:
    """Return the Envdeck equivalent of a config file, and the notices about its keys.

    The original environment manager's keys are renamed or, when ignored, left out; Envdeck's
    keys stay as they are. Raise ConfigError if the file would not load.
    """
    load_settings(path, environ={})  # every value valid, or the error names it
    data = _read_config_file(path)
    original = translate({}, data, _known_paths(Settings), {})
    return merge(data, original.tree), original.notices


def mask_uri(uri: str) -> str:
    """Return uri with any password replaced by ********."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = parts.netloc.replace(f":{parts.password}@", ":********@", 1)
    return parts._replace(netloc=netloc).geturl()


def masked(settings: Settings) -> dict[str, Any]:
    """Return the settings as camelCase JSON-ready data with every secret masked."""
    data = settings.model_dump(mode="json", by_alias=True)
    data["database"]["uri"] = mask_uri(settings.storage_uri)
    data["jwt"]["secret"] = "********" if settings.jwt.secret else "(kept in the data dir)"
    data["encryption"]["key"] = "********" if settings.encryption.key else "(kept in the data dir)"
    data["adminPassword"] = "********" if settings.admin_password is not None else None
    return data
