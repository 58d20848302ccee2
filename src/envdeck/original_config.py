"""The original environment manager's configuration names, read as aliases of Envdeck's keys.

Its users come with a `.env` or a docker-compose `environment:` block (`SERVER_PORT`,
`ALLOWED_ORIGINS`, …) and a `config.yaml`: camelCase keys as its loader read them
(`security.allowedOrigins`), or the snake_case file it shipped (`security.allowed_origins`,
`health_check.default_interval`), whose keys its case-sensitive loader mostly never matched.

The rule: a name that sets something the original used, and that Envdeck has with the same
meaning, is read as that Envdeck key with one notice naming the key to use instead. So is the
snake_case spelling of any Envdeck key (`server.read_timeout`). Every other name of the
original is reported as ignored, with the reason (the original never read it, only its
docker-compose file or its UI build did, or Envdeck has no such setting) and, where Envdeck has
a related key, that key. An Envdeck name set alongside an alias wins over it.
docs/configuration.md ("Coming from the original") lists every name.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Path = tuple[str, ...]


@dataclass(frozen=True)
class Rename:
    """The original's name for an Envdeck key."""

    to: Path
    # The Envdeck variable for `to` (environment aliases only): the name the notice suggests.
    variable: str = ""
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Ignore:
    """A name of the original that Envdeck does not read, and why."""

    reason: str
    # A related Envdeck key, if any: where to set what the name meant.
    use: str | None = None


Outcome = Rename | Ignore
Source = Literal["environment", "config file"]


@dataclass(frozen=True)
class ConfigNotice:
    """One line about a name of the original met in the configuration."""

    name: str  # as written: SERVER_PORT, security.allowed_origins
    source: Source
    kind: Literal["renamed", "ignored"]
    use: str | None  # the Envdeck key (or variable) to use instead, if any
    detail: str  # what became of it: "ignored: …", "the original's name for …"
    applied: bool = False  # its value was read (a renamed name no Envdeck name overrode)

    @property
    def message(self) -> str:
        return f"{self.name} ({self.source}) is {self.detail}"

    def __str__(self) -> str:
        return self.message


@dataclass
class Translation:
    """What the original's names in one configuration amount to."""

    tree: dict[str, Any] = field(default_factory=dict)  # values for Envdeck keys (camelCase)
    notices: list[ConfigNotice] = field(default_factory=list)
    # Envdeck path -> the original's name that supplied its value (errors name it).
    origins: dict[Path, str] = field(default_factory=dict)
    # Keys under a section only the original had (security, logging…) that it had not either.
    unknown: list[str] = field(default_factory=list)


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


_NEVER_READ = "the original never read it"
_COMPOSE_ONLY = "only the original's docker-compose.yml used it (not the server)"
_UI_BUILD_ONLY = "only the original's UI build read it; Envdeck's UI calls the server it came from"
_PRIVATE_REACHABLE = (
    "not needed: the original exempted these hostnames from its private-address check, and "
    "Envdeck reaches loopback and private addresses (Docker container names among them) without "
    "it; only link-local and cloud-metadata addresses are refused (outbound.allowLinkLocal, "
    "outbound.allowedNetworks)"
)
_ENCRYPTION_KEY = (
    "the original required it but encrypted nothing with it, and the formats differ (32 "
    "characters there; Envdeck's encryption.key is base64 of 32 random bytes, generated into the "
    "data dir when unset, ENVDECK_ENCRYPTION__KEY to pin it)"
)
_PER_ENVIRONMENT_INTERVAL = (
    "the original used it only for environments without their own interval; every Envdeck "
    "environment has healthCheck.interval (default 60s)"
)
_PER_ENVIRONMENT_TIMEOUT = (
    "the original's checker timeout; every Envdeck environment has healthCheck.timeout "
    "(default 10s)"
)
_PER_COMMAND_TIMEOUT = (
    "Envdeck has no global command timeout: each restart or upgrade command has its own "
    "timeout (default 300s)"
)
_SSH_TOTAL = (
    "Envdeck has no overall limit: it limits connections per host (ssh.maxConnectionsPerHost)"
)
_POOL = "Envdeck has no such key: put maxPoolSize/minPoolSize in database.uri (mongodb://…/?maxPoolSize=100)"
_DB_TIMEOUT = (
    "Envdeck has no such key: put connectTimeoutMS/serverSelectionTimeoutMS in database.uri"
)


def _never(use: str | None = None, fact: str = "") -> Ignore:
    return Ignore(f"{_NEVER_READ} ({fact})" if fact else _NEVER_READ, use)


# Variables, from the original's config.go (read), its .env.example, README and compose file.
ENVIRONMENT: dict[str, Outcome] = {
    "SERVER_HOST": Rename(("server", "host"), "ENVDECK_SERVER__HOST"),
    "SERVER_PORT": Rename(("server", "port"), "PORT"),
    "ALLOWED_ORIGINS": Rename(("allowOrigins",), "ENVDECK_ALLOW_ORIGINS", _comma_list),
    "ALLOWED_HOSTS": Ignore(_PRIVATE_REACHABLE),
    "SSH_KEY_ENCRYPTION_KEY": Ignore(_ENCRYPTION_KEY),
    "JWT_EXPIRY": _never("ENVDECK_JWT__EXPIRY_TIME", "its tokens lasted 24h"),
    "SESSION_TIMEOUT": _never("ENVDECK_JWT__EXPIRY_TIME"),
    "LOG_LEVEL": _never("ENVDECK_LOG__LEVEL", "it always logged at info"),
    "HEALTH_CHECK_INTERVAL": _never("healthCheck.interval of each environment"),
    "HEALTH_CHECK_TIMEOUT": _never("healthCheck.timeout of each environment"),
    "SSH_CONNECTION_TIMEOUT": _never("ENVDECK_SSH__CONNECT_TIMEOUT"),
    "SSH_COMMAND_TIMEOUT": _never("the timeout of each command"),
    "WS_READ_BUFFER_SIZE": _never(),
    "WS_WRITE_BUFFER_SIZE": _never(),
    "MONGO_ROOT_USER": Ignore(_COMPOSE_ONLY),
    "MONGO_ROOT_PASSWORD": Ignore(_COMPOSE_ONLY),
    "MONGO_DATABASE": Ignore(f"{_COMPOSE_ONLY}; the database name is MONGODB_DATABASE"),
    "MONGO_PORT": Ignore(_COMPOSE_ONLY),
    "BACKEND_PORT": Ignore(f"{_COMPOSE_ONLY}; Envdeck's port is PORT"),
    "FRONTEND_PORT": Ignore(f"{_COMPOSE_ONLY}; Envdeck serves its UI on PORT"),
    "FRONTEND_HTTPS_PORT": Ignore(f"{_COMPOSE_ONLY}; Envdeck serves its UI on PORT"),
    "ME_USERNAME": Ignore(_COMPOSE_ONLY),
    "ME_PASSWORD": Ignore(_COMPOSE_ONLY),
    "ME_PORT": Ignore(_COMPOSE_ONLY),
    "VITE_API_URL": Ignore(_UI_BUILD_ONLY),
    "VITE_WS_URL": Ignore(_UI_BUILD_ONLY),
}

# config.yaml keys, by the camelCase name the original's loader read (config.go's yaml tags).
# Their snake_case spellings are derived; keys of the original that are Envdeck's too
# (server.host, server.port, server.readTimeout, database.uri, …) are simply Envdeck's.
_FILE_CAMEL: dict[Path, Outcome] = {
    ("server", "idleTimeout"): Ignore("Envdeck has no such key"),
    ("database", "maxConnections"): Ignore(_POOL),
    ("database", "timeout"): Ignore(_DB_TIMEOUT),
    ("ssh", "connectionTimeout"): Rename(("ssh", "connectTimeout")),
    ("ssh", "commandTimeout"): Ignore(_PER_COMMAND_TIMEOUT),
    ("ssh", "maxConnections"): Ignore(_SSH_TOTAL),
    ("health", "checkInterval"): Ignore(_PER_ENVIRONMENT_INTERVAL),
    ("health", "timeout"): Ignore(_PER_ENVIRONMENT_TIMEOUT),
    ("health", "maxRetries"): _never(),
    ("health", "concurrentChecks"): _never("health.concurrency"),
    ("security", "tokenExpiration"): _never("jwt.expiryTime", "its tokens lasted 24h"),
    ("security", "bcryptCost"): _never("auth.bcryptCost", "it always hashed at cost 10"),
    ("security", "allowedOrigins"): Rename(("allowOrigins",)),
    ("security", "allowedHosts"): Ignore(_PRIVATE_REACHABLE),
    ("security", "rateLimitRequests"): _never(
        "auth.loginAttempts", "it allowed 10 logins a minute"
    ),
    ("security", "rateLimitWindow"): _never("auth.loginWindow"),
    ("websocket", "pingInterval"): _never("realtime.pingInterval"),
    ("websocket", "pongTimeout"): _never("realtime.pingTimeout"),
    ("websocket", "writeTimeout"): _never(),
    ("websocket", "maxMessageSize"): _never("realtime.maxMessageBytes"),
}

# Keys of the snake_case config.yaml the original shipped that are not spellings of the above.
_FILE_SHIPPED: dict[Path, Outcome] = {
    ("database", "name"): Rename(("database", "database")),
    ("database", "connection_timeout"): Ignore(_DB_TIMEOUT),
    ("database", "max_pool_size"): Ignore(_POOL),
    ("database", "min_pool_size"): Ignore(_POOL),
    ("ssh", "retry_attempts"): _never(),
    ("ssh", "retry_delay"): _never(),
    ("health_check", "default_interval"): Ignore(_PER_ENVIRONMENT_INTERVAL),
    ("health_check", "default_timeout"): Ignore(_PER_ENVIRONMENT_TIMEOUT),
    ("health_check", "worker_pool_size"): _never("health.concurrency"),
    ("health_check", "max_concurrent_checks"): _never("health.concurrency"),
    ("security", "jwt_expiration"): _never("jwt.expiryTime", "its tokens lasted 24h"),
    # Never read by the original, but what they ask for is Envdeck's log.level and log.format
    # (whose values they share): read, so that a file saying `format: json` gets JSON.
    ("logging", "level"): Rename(("log", "level")),
    ("logging", "format"): Rename(("log", "format")),
    ("logging", "output"): _never(),
    ("logging", "file_path"): _never(),
    ("logging", "max_size"): _never(),
    ("logging", "max_backups"): _never(),
    ("logging", "max_age"): _never(),
    ("audit", "retention_days"): _never("logs.retentionDays"),
    ("audit", "batch_size"): _never("activityLog.batchSize"),
    ("audit", "flush_interval"): _never("activityLog.flushInterval"),
}


def _snake(word: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", word).lower()


def _camel(word: str) -> str:
    head, *rest = word.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


FILE: dict[Path, Outcome] = {
    **_FILE_CAMEL,
    **{tuple(_snake(part) for part in path): outcome for path, outcome in _FILE_CAMEL.items()},
    **_FILE_SHIPPED,
}

# Sections only the original had: emptied of known keys, they are dropped.
_ORIGINAL_SECTIONS = frozenset(path[0] for path in FILE) - {"server", "database", "ssh", "health"}


def _dotted(path: Path) -> str:
    return ".".join(path)


def _leaves(data: Mapping[str, Any], prefix: Path = ()) -> list[tuple[Path, Any]]:
    leaves: list[tuple[Path, Any]] = []
    for key, value in data.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value:
            leaves.extend(_leaves(value, path))
        else:
            leaves.append((path, value))
    return leaves


def _pop(tree: dict[str, Any], path: Path) -> None:
    parents = [tree]
    for key in path[:-1]:
        parents.append(parents[-1][key])
    del parents[-1][path[-1]]
    for depth in range(len(path) - 1, 0, -1):
        if not parents[depth]:
            del parents[depth - 1][path[depth - 1]]


def _put(tree: dict[str, Any], path: Path, value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = value


class _Translator:
    def __init__(
        self, known: set[Path], set_by_environment: Mapping[Path, str], data: dict[str, Any]
    ) -> None:
        self.known = known
        self.set_by_environment = set_by_environment
        self.set_by_file = {path for path, _ in _leaves(data) if path in known}
        self.result = Translation()

    def rename(self, name: str, source: Source, to: Path, use: str, value: Any) -> None:
        key = _dotted(to)
        winner = (
            self.set_by_environment.get(to)
            or (f"{key} in the config file" if to in self.set_by_file else None)
            or self.result.origins.get(to)
        )
        if winner:
            detail = f"the original's name for {key}, not used: {winner} is set too and wins"
        else:
            detail = f"the original's name for {key}, read as such; use {use} instead"
            _put(self.result.tree, to, value)
            self.result.origins[to] = name
        notice = ConfigNotice(name, source, "renamed", use, detail, applied=not winner)
        self.result.notices.append(notice)

    def ignore(self, name: str, source: Source, outcome: Ignore) -> None:
        detail = f"ignored: {outcome.reason}"
        if outcome.use:
            detail += f"; Envdeck's key is {outcome.use}"
        self.result.notices.append(ConfigNotice(name, source, "ignored", outcome.use, detail))

    def environment(self, environ: Mapping[str, str]) -> None:
        for variable, outcome in ENVIRONMENT.items():
            if variable not in environ:
                continue
            if isinstance(outcome, Ignore):
                self.ignore(variable, "environment", outcome)
                continue
            value = environ[variable]
            value = outcome.convert(value) if outcome.convert else value
            self.rename(variable, "environment", outcome.to, outcome.variable, value)

    def file(self, data: dict[str, Any]) -> None:
        for path, value in _leaves(data):
            if path in self.known:
                continue
            outcome = FILE.get(path)
            if outcome is None:
                spelled = tuple(_camel(part) for part in path)
                if spelled in self.known and spelled != path:
                    outcome = Rename(spelled)
                elif path[0] in _ORIGINAL_SECTIONS:
                    # Validation would name only the section, which Envdeck does not have.
                    self.result.unknown.append(_dotted(path))
                    continue
                else:
                    continue  # an unknown key: Envdeck's validation names it
            _pop(data, path)
            name = _dotted(path)
            if isinstance(outcome, Ignore):
                self.ignore(name, "config file", outcome)
            else:
                value = outcome.convert(value) if outcome.convert else value
                self.rename(name, "config file", outcome.to, _dotted(outcome.to), value)
        for section in _ORIGINAL_SECTIONS:
            if section in data and data[section] in ({}, None):
                del data[section]


def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Return base with extra's keys added, nested mappings merged, base's values kept."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(merged.get(key), dict) and isinstance(value, Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged.setdefault(key, value)
    return merged


def translate(
    environ: Mapping[str, str],
    file_data: dict[str, Any],
    known: set[Path],
    set_by_environment: Mapping[Path, str],
) -> Translation:
    """Return the values and notices of the original's names in environ and file_data.

    file_data (the parsed config file) loses the original's keys, in place: what is left holds
    Envdeck's keys only (and unknown keys, for validation to name). known lists Envdeck's key
    paths; set_by_environment maps those set by an Envdeck variable to that variable. An
    Envdeck name anywhere wins over an alias; between two aliases of one key, the variable
    wins, then the first key in the file.
    """
    translator = _Translator(known, set_by_environment, file_data)
    translator.environment(environ)
    translator.file(file_data)
    return translator.result
