"""Sending one message to one Apprise URL, without the URL ever reaching a log or an error.

Apprise turns a URL (`slack://…`, `mailto://…`, `json://host/path`) into a notification; the
URL holds the secrets (webhook tokens, passwords). Apprise logs through the standard `apprise`
logger, some lines with the URL in them, and `requests`/`urllib3` (which only Apprise uses here)
log request paths at debug level. Those loggers are cut off from the process log
(`quiet_library_logs`): they never propagate, and a NullHandler keeps Python's last-resort
handler from printing them. What Apprise reports about one call (its per-call log capture) is
read back from its result, and every part of the URL is masked out of it before it becomes an
error message (`mask_url`).

Every delivery runs inside the SSRF guard's `connections_guarded()`: each connection Apprise
makes (whatever the service, and every redirect it follows) is judged by its address, and a
refused one fails the delivery with the guard's reason.
"""

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlsplit

import apprise
import structlog
from apprise.common import PersistentStoreMode

from envdeck.adapters.ssrf_guard import BlockedDestination, SsrfGuard
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.notification import ERROR_MAX

log = structlog.get_logger(__name__)

MASK = "****"
# Loggers that may carry a channel URL: kept out of the process log.
LIBRARY_LOGGERS = ("apprise", "urllib3", "requests")
# Generic webhooks connect to the host the URL names: the SSRF guard checks it before sending
# (each connection is judged again as it is made). Other services' "host" is often a token
# (slack://TokenA/…): it is never resolved.
WEBHOOK_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
_ERRNO = re.compile(r"\[Errno -?\d+\] [^\"')\]]+|Read timed out|timed out")
_SEPARATORS = re.compile(r"[/?&=#:@,+;]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class MessageKind(StrEnum):
    """How a message looks where the service shows it (Apprise's notify types)."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    FAILURE = "failure"


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    kind: MessageKind = MessageKind.INFO


@dataclass(frozen=True)
class SendResult:
    """One attempt's outcome; `error` is already masked."""

    ok: bool
    error: str | None = None


_quieted = False


def quiet_library_logs() -> None:
    """Keep Apprise's and requests' loggers (which may print URLs) out of the process log."""
    global _quieted
    if _quieted:
        return
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.propagate = False
        if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            logger.addHandler(logging.NullHandler())
    # Apprise's per-call capture needs the records made; they go nowhere else.
    logging.getLogger("apprise").setLevel(logging.DEBUG)
    _quieted = True


def service_of(url: str) -> str:
    """Return the scheme of an Apprise URL ("slack"), which is all the API shows of it."""
    return url.split("://", 1)[0].strip().lower()[:40]


def url_parts(url: str) -> list[str]:
    """Return every piece of a URL that may be secret, longest first (the scheme excluded)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    pieces = {url, rest, *_SEPARATORS.split(rest)}
    try:
        parts = urlsplit(url)
        pieces |= {parts.netloc, parts.path, parts.query, parts.fragment}
        pieces |= {parts.username or "", parts.password or "", parts.hostname or ""}
    except ValueError:
        pass
    pieces |= {unquote(piece) for piece in pieces}
    return sorted((p for p in pieces if len(p) >= 3), key=len, reverse=True)


def mask_url(text: str, url: str) -> str:
    """Return text with the URL, and every part of it, replaced by ****."""
    for piece in url_parts(url):
        text = re.sub(re.escape(piece), MASK, text, flags=re.IGNORECASE)
    return text


def _new_apprise() -> apprise.Apprise:
    # Memory only: Apprise's persistent store would otherwise write a cache under $HOME.
    return apprise.Apprise(asset=apprise.AppriseAsset(storage_mode=PersistentStoreMode.MEMORY))


def _accepts(url: str) -> bool:
    return bool(_new_apprise().add(url))


def _describe(result: Any) -> str:
    """Return what went wrong in an Apprise call, from its captured log lines."""
    problems: list[str] = []
    for entry in result.logs():
        if entry.level in ("WARNING", "ERROR", "CRITICAL"):
            problems.append(entry.message.strip())
        elif entry.message.startswith("Socket Exception"):
            problems.extend(match.group(0).strip() for match in _ERRNO.finditer(entry.message))
    unique = list(dict.fromkeys(problem for problem in problems if problem))
    if unique:
        return "; ".join(unique)
    return f"not delivered ({result.status.name.lower()})"


class AppriseSender:
    """Validate and send through Apprise; see the module docstring."""

    def __init__(self, guard: SsrfGuard | None = None) -> None:
        quiet_library_logs()
        self._guard = guard

    async def warm_up(self) -> None:
        """Load Apprise's plugins (a quarter second) off the event loop, before the first use."""
        await asyncio.to_thread(_accepts, "json://localhost")

    async def check_url(self, url: str) -> str:
        """Return the URL's service when Apprise accepts it; raise ValidationFailed otherwise.

        The message never quotes the URL.
        """
        if _CONTROL.search(url):
            raise ValidationFailed(
                "url: control characters are not allowed in a notification URL", {"field": "url"}
            )
        if not url.strip() or "://" not in url or not await asyncio.to_thread(_accepts, url):
            raise ValidationFailed(
                "url: Apprise does not accept this URL; use a notification URL such as "
                "slack://TokenA/TokenB/TokenC, mailto://user:password@example.com or "
                "json://host/path (see Apprise's documentation for each service)",
                {"field": "url"},
            )
        return service_of(url)

    async def send(self, url: str, message: Message, timeout: float) -> SendResult:  # noqa: ASYNC109
        """Send one message in one attempt bounded by timeout seconds; never raise."""
        try:
            if self._guard is not None and service_of(url) in WEBHOOK_SCHEMES:
                await self._guard.check_url(url)
            async with asyncio.timeout(timeout + 1):  # Apprise bounds the call itself first
                return await self._send(url, message, timeout)
        except TimeoutError:
            return SendResult(False, f"no answer within {timeout:g} s")
        except ValidationFailed as exc:  # refused by the guard
            return SendResult(False, self._clean(exc.message, url))
        except Exception as exc:
            log.warning("notification_send_crashed", error_type=type(exc).__name__)
            return SendResult(False, self._clean(f"{type(exc).__name__}: {exc}", url))

    async def _send(self, url: str, message: Message, timeout: float) -> SendResult:  # noqa: ASYNC109
        notifier = _new_apprise()
        if not await asyncio.to_thread(notifier.add, url):
            return SendResult(False, "Apprise does not accept this channel's URL")
        guarded: contextlib.AbstractContextManager[list[BlockedDestination]] = (
            self._guard.connections_guarded()
            if self._guard is not None
            else contextlib.nullcontext([])
        )
        with guarded as refused:
            result = await notifier.async_notify(
                body=message.body,
                title=message.title,
                notify_type=apprise.NotifyType(message.kind.value),
                timeout=timeout,
                log_level=logging.DEBUG,
            )
        if refused:  # a connection (a redirect, say) went to a refused address
            return SendResult(False, self._clean(refused[0].message, url))
        if result:
            return SendResult(True)
        return SendResult(False, self._clean(_describe(result), url))

    @staticmethod
    def _clean(error: str, url: str) -> str:
        masked = mask_url(error, url)
        return masked if len(masked) <= ERROR_MAX else masked[: ERROR_MAX - 1] + "…"
