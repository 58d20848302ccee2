"""Process logs through structlog: JSON lines in production, readable in a terminal.

Every line, ours and the libraries' (uvicorn, asyncssh), goes through one formatter whose last
step before rendering is `redact_secrets`: no code path is meant to log a secret, and this is
the defence in depth for the day one does. It masks the values of keys that name a secret
(`password`, `token`, `privateKey`, `authorization`, a notification channel's `url`…) and, in
every string (messages and tracebacks included), URL passwords, bearer credentials, API and
login tokens, secret query parameters and PEM private keys.
"""

import functools
import itertools
import logging
import re
import sys
import warnings
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from envdeck.config import LogSettings

MASK = "********"

# --- keys whose value is a secret ---------------------------------------------------------------

_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "tokens",
        "authorization",
        "cookie",
        "jwt",
        "credential",
        "credentials",
    }
)
# Two words that together name a secret although neither does alone.
_SECRET_PAIRS = frozenset(
    {
        ("private", "key"),
        ("api", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("encryption", "key"),
        ("set", "cookie"),
        ("channel", "url"),
        ("apprise", "url"),
        ("notification", "url"),
        ("webhook", "url"),
    }
)
_SECRET_KEYS = frozenset({"url", "urls"})  # alone only inside a notification channel; see below
# A key ending in one of these names something about a secret, not the secret itself.
_DESCRIPTIVE_ENDINGS = frozenset(
    {
        "id",
        "ids",
        "name",
        "names",
        "prefix",
        "kind",
        "type",
        "count",
        "policy",
        "expires",
        "expiry",
        "fingerprint",
        "length",
        "bytes",
        "file",
        "path",
        "reason",
        "error",
        "ok",
    }
)


@functools.lru_cache(maxsize=4096)  # log keys are a small, fixed set: judge each once
def is_secret_key(key: str) -> bool:
    """Tell whether a log key (snake_case or camelCase) names a secret value."""
    words = [word.lower() for word in _WORD.findall(key)]
    if not words or words[-1] in _DESCRIPTIVE_ENDINGS:
        return False
    if any(word in _SECRET_WORDS for word in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


# --- secrets recognisable in any text -------------------------------------------------------------

_TEXT_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # -----BEGIN OPENSSH PRIVATE KEY----- … -----END OPENSSH PRIVATE KEY-----
    (
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
            re.S,
        ),
        "[private key]",
    ),
    # scheme://user:password@host
    (re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"), rf"\g<1>{MASK}@"),
    # Authorization: Bearer …, Basic … (a credential has a digit or a symbol; prose does not)
    (
        re.compile(r"\b(Bearer|Basic)(\s+)(?=[A-Za-z]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}", re.I),
        rf"\g<1>\g<2>{MASK}",
    ),
    # API tokens (edk_…) and JWTs (login tokens)
    (re.compile(r"\bedk_[A-Za-z0-9_-]{8,}"), f"edk_{MASK}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MASK),
    # ?token=…&password=…
    (
        re.compile(
            r"([?&;](?:access_token|token|password|passwd|secret|api_key|apikey|key|auth)=)[^&#\s]+",
            re.I,
        ),
        rf"\g<1>{MASK}",
    ),
]


def _may_hold_a_secret(text: str) -> bool:
    # Cheap test first (substring checks are ten times faster than one regex here): most strings
    # hold none of these and skip the patterns entirely. Each pattern above needs one of them.
    return (
        "=" in text
        or "://" in text
        or "edk_" in text
        or "eyJ" in text
        or "KEY" in text
        or "earer" in text
        or "EARER" in text
        or "asic" in text
        or "ASIC" in text
    )


def redact_text(text: str) -> str:
    """Return text with every secret it visibly carries masked."""
    if not _may_hold_a_secret(text):
        return text
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if depth > 5:
        return value
    if isinstance(value, Mapping):
        return _redact_mapping(value, depth + 1)
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact(item, depth + 1) for item in value]
    return value


def _redact_mapping(mapping: Mapping[Any, Any], depth: int) -> dict[Any, Any]:
    channel = any(isinstance(key, str) and "hannel" in key for key in mapping)
    redacted: dict[Any, Any] = {}
    for key, value in mapping.items():
        if value is None or isinstance(value, bool | int | float):
            redacted[key] = value  # the common case first: nothing to mask in a number
        elif isinstance(key, str) and (is_secret_key(key) or (channel and key in _SECRET_KEYS)):
            redacted[key] = MASK
        else:
            redacted[key] = _redact(value, depth)
    return redacted


def redact_secrets(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask secret values (see the module docstring)."""
    return _redact_mapping(event_dict, 0)


# --- wiring ---------------------------------------------------------------------------------------


def _quiet_libraries(level: str) -> None:
    # asyncssh narrates every connection and channel at INFO; its warnings still come through,
    # and everything at log.level debug.
    logging.getLogger("asyncssh").setLevel(logging.DEBUG if level == "debug" else logging.WARNING)


def quiet_library_warnings() -> None:
    """Silence the library warnings that say nothing about this installation.

    asyncssh names DSA types at import, and cryptography warns five times at every start.
    Envdeck never offers or accepts DSA keys. Called first by the `envdeck` command (asyncssh
    is imported by most commands, before any logging is set up) and by configure_logging.
    """
    warnings.filterwarnings("ignore", message="DSA is deprecated", module="asyncssh")


def use_json_logs(settings: LogSettings) -> bool:
    """Tell whether process logs are JSON lines: log.format, or for auto, stderr not a terminal."""
    if settings.format == "auto":
        return not sys.stderr.isatty()
    return settings.format == "json"


def configure_logging(settings: LogSettings) -> None:
    """Route structlog and the standard library (uvicorn) through one renderer."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if use_json_logs(settings)
        # Tracebacks arrive as text (format_exc_info): rich's would show local variables.
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                # Tracebacks become text here, so the redaction below covers them too.
                structlog.processors.format_exc_info,
                redact_secrets,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Python's warnings (a library's deprecations) become log lines, not raw text on stderr.
    logging.captureWarnings(True)
    quiet_library_warnings()
    root.setLevel(settings.level.upper())
    _quiet_libraries(settings.level)
    # Our middleware writes one access line per request; uvicorn's own would double it.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
