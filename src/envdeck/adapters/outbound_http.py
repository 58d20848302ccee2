"""The one pooled HTTP client for every outbound call: health checks, version lists, commands.

aiohttp, not httpx: at a thousand checks a second on two cores the client's own CPU cost is
what limits the engine (bench/health_engine.py measures it against a bare loop). One session
keeps one connection pool; each call sets its own timeout, redirect cap and TLS verification,
and reads at most `max_body_bytes` of the body, so a huge or endless response cannot exhaust
memory. Every connection goes through the SSRF guard (adapters/ssrf_guard.py): refused
addresses (cloud metadata, link-local) fail with OutboundBlocked, redirects included.
"""

import asyncio
import ssl
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver

from envdeck import __version__
from envdeck.adapters.ssrf_guard import SsrfGuard, blocked_cause

USER_AGENT = f"Envdeck/{__version__}"


class OutboundError(Exception):
    """A call that got no usable response; `message` says why in words a user understands."""

    kind = "error"

    def __init__(self, message: str, elapsed_ms: float) -> None:
        super().__init__(message)
        self.message = message
        self.elapsed_ms = elapsed_ms


class OutboundTimeout(OutboundError):
    kind = "timeout"


class OutboundTlsError(OutboundError):
    kind = "tls"


class OutboundConnectError(OutboundError):
    kind = "connection"


class OutboundRedirectError(OutboundError):
    kind = "redirects"


class OutboundBlocked(OutboundError):
    """The SSRF guard refused the address (adapters/ssrf_guard.py)."""

    kind = "blocked"


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: bytes  # at most max_body_bytes
    truncated: bool  # the body was longer than what was read
    elapsed_ms: float  # from sending to having read the (capped) body
    content_type: str = ""

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class OutboundHttp:
    """A shared aiohttp session, opened lazily inside the running event loop."""

    def __init__(
        self,
        *,
        max_connections: int,
        max_body_bytes: int,
        max_redirects: int,
        guard: SsrfGuard | None = None,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self.max_connections = max_connections
        self.max_body_bytes = max_body_bytes
        self.max_redirects = max_redirects
        self.guard = guard if guard is not None else SsrfGuard()
        self._resolver = resolver  # DNS as the system resolves it, unless given (tests)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=0,
                ttl_dns_cache=300,
                # Refused addresses are dropped from DNS answers and never get a socket.
                resolver=self.guard.resolver(self._resolver),
                socket_factory=self.guard.socket_factory,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": USER_AGENT},
                # Cookies set by one target must never be sent to another.
                cookie_jar=aiohttp.DummyCookieJar(),
                raise_for_status=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
        timeout: float,  # noqa: ASYNC109 (aiohttp enforces it, connect and body included)
        tls_verify: bool = True,
        max_body_bytes: int | None = None,
    ) -> OutboundResponse:
        """Send one request; raise an OutboundError subclass when no response could be read.

        `timeout` bounds the whole call, connecting and reading the body included.
        """
        session = self._open()
        cap = self.max_body_bytes if max_body_bytes is None else max_body_bytes
        started = time.perf_counter()

        def elapsed() -> float:
            return (time.perf_counter() - started) * 1000

        kwargs: dict[str, Any] = {
            "headers": headers or None,
            "allow_redirects": self.max_redirects > 0,
            # aiohttp counts the redirect that breaks the limit: N + 1 follows N redirects.
            "max_redirects": self.max_redirects + 1,
            "ssl": None if tls_verify else False,
            "timeout": aiohttp.ClientTimeout(total=timeout),
        }
        if json_body is not None:
            kwargs["json"] = json_body
        body = _Body()
        try:
            async with session.request(method, url, **kwargs) as response:
                await body.read(response.content, cap)
                return OutboundResponse(
                    status=response.status,
                    body=body.data(),
                    truncated=not response.content.at_eof(),
                    elapsed_ms=elapsed(),
                    content_type=response.headers.get("Content-Type", ""),
                )
        except TimeoutError as exc:
            where = ""
            if body.started:
                # Headers came, the body did not finish: a trickling or stalled target.
                where = f" reading the response body ({body.size} bytes received)"
            raise OutboundTimeout(f"timed out after {timeout:g} s{where}", elapsed()) from exc
        except aiohttp.TooManyRedirects as exc:
            raise OutboundRedirectError(
                f"more than {self.max_redirects} redirects", elapsed()
            ) from exc
        except (aiohttp.ClientSSLError, ssl.SSLError) as exc:
            raise OutboundTlsError(f"TLS error: {_reason(exc)}", elapsed()) from exc
        except aiohttp.ClientConnectorError as exc:
            blocked = blocked_cause(exc)
            if blocked is not None:
                raise OutboundBlocked(blocked.message, elapsed()) from exc
            raise OutboundConnectError(f"cannot connect: {_reason(exc)}", elapsed()) from exc
        except (aiohttp.ClientError, asyncio.IncompleteReadError, ValueError) as exc:
            # ValueError: aiohttp rejects some malformed URLs and headers this way.
            raise OutboundError(f"request failed: {_reason(exc)}", elapsed()) from exc


class _Body:
    """The body read so far: what a timeout message reports."""

    def __init__(self) -> None:
        self.started = False
        self.size = 0
        self._chunks: list[bytes] = []

    async def read(self, content: aiohttp.StreamReader, cap: int) -> None:
        """Read until the end of the body or cap bytes, whichever comes first.

        StreamReader.read(n) returns what has arrived (at most n), not n bytes: one read would
        judge a body sent in several packets by its first packet, and pass a target that sends
        a few bytes and then trickles the rest for minutes.
        """
        self.started = True
        while self.size < cap:
            chunk = await content.read(cap - self.size)
            if not chunk:
                return
            self._chunks.append(chunk)
            self.size += len(chunk)

    def data(self) -> bytes:
        return b"".join(self._chunks)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:300]
