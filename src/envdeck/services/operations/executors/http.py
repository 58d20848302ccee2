"""HTTP commands: one request (restart or upgrade) sent through the shared outbound client.

The request is rendered by `templates` (`{VERSION}` percent-encoded in the URL,
substituted inside the body's string values, never spliced into text), secret values are
opened at send time only, and the call is bounded by the operation's timeout. Success is any
2xx. What is kept is a short excerpt: the request line (its secrets masked), the status and
the start of the response body, with every stored secret of the environment and every secret
the request carried replaced by "********" in the output and the error (a target that echoes
its request back cannot leak them into the operation record: services/inventory/scrubbing.py).

Like the SSH runner, a remote failure is a result (`RunResult.outcome`), never an exception.
"""

import asyncio
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

import structlog

from envdeck.adapters.outbound_http import OutboundError, OutboundHttp, OutboundTimeout
from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.domain.auth import Principal
from envdeck.domain.command_kinds import CommandType, HttpCommand, SshCommand
from envdeck.domain.commands import (
    OutputChunk,
    OutputStream,
    RunErrorCode,
    RunOutcome,
    RunResult,
)
from envdeck.domain.environment import Environment
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.operation import OperationError
from envdeck.services.inventory.sealing import SecretScope
from envdeck.services.inventory.secret_fields import (
    COMMAND_PLACES,
    RESTART,
    RequestParts,
    is_secret_name,
)
from envdeck.services.operations.cancellation import unless_cancelled
from envdeck.services.operations.executors.base import OutputCallback, Preview, RunContext
from envdeck.services.operations.templates import (
    HttpRequestSpec,
    preview_http_request,
    render_http_request,
)

log = structlog.get_logger(__name__)

# How much of the response body is read and kept: enough to see an error message.
EXCERPT_BYTES = 2048


def prepare_request(spec: HttpCommand, version: str | None) -> HttpRequestSpec:
    """Return the rendered request (secrets still sealed); raise ValidationFailed if it cannot be.

    The operation service calls this before answering 202, so a command that cannot run is
    refused synchronously; `run` renders again (cheap) and reports the same problem as a result.
    """
    if not spec.url:
        raise ValidationFailed("no URL is configured for this HTTP command", {"field": "url"})
    return render_http_request(spec.method.value, spec.url, spec.headers, spec.body, version)


class HttpExecutor:
    """Runs HTTP commands; see the module docstring."""

    kind = CommandType.HTTP

    def __init__(self, runner: "HttpCommandRunner") -> None:
        self._runner = runner

    def authorize(self, env: Environment, actor: Principal | None) -> None:
        """Anyone who may operate env may send its HTTP commands."""

    async def prepare(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> "PreparedRequest":
        assert isinstance(command, HttpCommand)
        prepare_request(command, version)  # raises ValidationFailed for what cannot be sent
        return PreparedRequest(self._runner, command, version, SecretScope.of(env))

    def preview(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> Preview:
        assert isinstance(command, HttpCommand)
        shown = preview_http_request(
            command.method.value, command.url, command.headers, command.body, version
        )
        return Preview(shown)


@dataclass
class PreparedRequest:
    runner: "HttpCommandRunner"
    command: HttpCommand
    version: str | None
    scope: SecretScope

    async def run(self, ctx: RunContext) -> RunResult:
        return await self.runner.run(
            self.command,
            version=self.version,
            timeout=ctx.timeout,
            on_output=ctx.on_output,
            cancel=ctx.cancel,
            scope=self.scope,
        )


class HttpCommandRunner:
    """Send configured HTTP commands; see the module docstring."""

    def __init__(
        self, http: OutboundHttp, box: SecretBox, *, excerpt_bytes: int = EXCERPT_BYTES
    ) -> None:
        self._http = http
        self._box = box
        self._excerpt_bytes = excerpt_bytes

    async def run(
        self,
        spec: HttpCommand,
        *,
        version: str | None,
        timeout: float,  # noqa: ASYNC109 (a time limit that yields a TIMED_OUT result)
        on_output: OutputCallback | None,
        cancel: asyncio.Event | None = None,
        scope: SecretScope | None = None,
    ) -> RunResult:
        """Send spec once and return how it ended; never raise for what the target did.

        `scope` is the environment whose command spec is (its sealed values are bound to it;
        without it, a sealed value does not open). `timeout` bounds the whole call. Setting
        `cancel` abandons the request (outcome `cancelled`); whether the target acted on it is
        then unknown.
        """
        started = time.monotonic()
        try:
            request = prepare_request(spec, version)
            place = COMMAND_PLACES.get(spec.configured_at, RESTART)
            # Without its environment (or its place) a sealed value opens nowhere.
            scope = scope if scope is not None and spec.configured_at else SecretScope("")
            sent = scope.open_request(self._box, place, _parts(request))
        except ValidationFailed as exc:
            return _failed(RunErrorCode.COMMAND_INVALID, exc.message, started)
        except SecretDecryptionError:
            return _failed(
                RunErrorCode.SECRET_UNAVAILABLE,
                "a secret value of this command cannot be decrypted (was the key rotated?)",
                started,
            )
        opened = HttpRequestSpec(request.method, sent.url or "", sent.headers or {}, sent.body)
        shown_url = scope.shown_request(place, _parts(request)).url or ""
        result = await self._send(opened, shown_url, timeout, cancel)
        result.duration_ms = round((time.monotonic() - started) * 1000)
        # Every stored secret of the environment, and whatever this request carried.
        scrubber = scope.scrubber(self._box, _secret_values(opened.headers, opened.url))
        result.output = scrubber.scrub(result.output)
        if result.error is not None:
            result.error.message = scrubber.scrub(result.error.message)
        if on_output is not None and result.output:
            await on_output(OutputChunk(seq=1, stream=OutputStream.STDOUT, chunk=result.output))
        log.debug(
            "http_command_finished",
            method=request.method,
            outcome=result.outcome.value,
            http_status=result.http_status,
            duration_ms=result.duration_ms,
        )
        return result

    async def _send(
        self,
        request: HttpRequestSpec,
        shown_url: str,
        timeout: float,  # noqa: ASYNC109
        cancel: asyncio.Event | None,
    ) -> RunResult:
        """Send request (its secrets opened) and keep what it did, showing shown_url."""
        line = f"{request.method} {shown_url}"
        call = asyncio.ensure_future(
            self._http.request(
                request.method,
                request.url,
                headers=request.headers or None,
                json_body=request.body,
                timeout=timeout,
                max_body_bytes=self._excerpt_bytes,
            )
        )
        try:
            response = await unless_cancelled(call, cancel or asyncio.Event())
        except OutboundError as exc:
            timed_out = isinstance(exc, OutboundTimeout)
            return _result(
                RunOutcome.TIMED_OUT if timed_out else RunOutcome.FAILED,
                RunErrorCode.TIMED_OUT if timed_out else RunErrorCode.HTTP_REQUEST_FAILED,
                exc.message,
                output=f"{line}\nno response: {exc.message}\n",
            )
        if response is None:
            return _result(
                RunOutcome.CANCELLED,
                RunErrorCode.CANCELLED,
                "cancelled while waiting for the response",
                output=f"{line}\ncancelled before a response came\n",
            )
        body = response.text()
        if response.truncated:
            body += "\n[… response cut]"
        output = f"{line}\nHTTP {response.status} {_reason(response.status)}\n{body}"
        if not output.endswith("\n"):
            output += "\n"
        if 200 <= response.status < 300:
            return RunResult(
                outcome=RunOutcome.SUCCEEDED, http_status=response.status, output=output
            )
        failed = _result(
            RunOutcome.FAILED,
            RunErrorCode.HTTP_STATUS,
            f"the target answered HTTP {response.status} {_reason(response.status)}".rstrip(),
            output=output,
        )
        failed.http_status = response.status
        return failed


def _parts(request: HttpRequestSpec) -> RequestParts:
    return RequestParts(url=request.url, headers=request.headers, body=request.body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _secret_values(headers: dict[str, str], url: str) -> list[str]:
    """Return the secrets this request carries: the values of headers whose name looks secret
    and the URL's password (the scrubber adds their credential parts and encoded forms)."""
    found = [value for name, value in headers.items() if value and is_secret_name(name)]
    password = urlsplit(url).password
    if password:
        found.append(unquote(password))
    return found


def _result(outcome: RunOutcome, code: str, message: str, *, output: str = "") -> RunResult:
    return RunResult(
        outcome=outcome, error=OperationError(code=code, message=message), output=output
    )


def _failed(code: str, message: str, started: float) -> RunResult:
    result = _result(RunOutcome.FAILED, code, message)
    result.duration_ms = round((time.monotonic() - started) * 1000)
    return result
