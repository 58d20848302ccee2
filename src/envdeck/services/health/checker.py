"""One health check: send the configured request, judge the response, read the version.

A check never raises for what the target did: a timeout, a TLS failure, a refused connection
and a failed validation are all results (`ok=False` with a message), like a 200 is.

What a result keeps of the answer (its message, the version, the body excerpt) is scrubbed of
every stored secret of the environment (services/inventory/scrubbing.py): a target that echoes
the request cannot hand them back to whoever reads the result.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import HttpUrl

from envdeck.adapters.outbound_http import OutboundError, OutboundHttp
from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.domain.environment import HealthCheckConfig, ValidationType, resolve_endpoint
from envdeck.services.health.validation import extract_version, judge, parse_json
from envdeck.services.inventory.scrubbing import Scrubber
from envdeck.services.inventory.sealing import SecretScope
from envdeck.services.inventory.secret_fields import HEALTH_CHECK, LINK, RequestParts

# What check-now shows of the response body.
EXCERPT_BYTES = 2048
# Scrubbed this far past the excerpt, so that a secret the cut would halve is masked whole.
SCRUB_WINDOW = 8192
OK_MESSAGE = "ok"


def _unscrubbed(text: str) -> str:
    return text


@dataclass(slots=True)
class CheckResult:
    ok: bool
    message: str
    checked_at: datetime
    response_time: float | None = None  # ms; None when no response came
    status_code: int | None = None
    version: str | None = None
    body: bytes = b""  # held only until the result is recorded or shown
    duration: float = 0.0  # s, the whole check (metrics)
    # Masks the environment's secrets in what is shown of the body (set by the checker).
    scrub: Callable[[str], str] = _unscrubbed

    def excerpt(self) -> str:
        """Return the start of the response body as text, scrubbed (check-now shows it)."""
        start = self.body[: EXCERPT_BYTES + SCRUB_WINDOW].decode("utf-8", errors="replace")
        return self.scrub(start)[:EXCERPT_BYTES]


class _LazyScrub:
    """The scrubber of one check's environment, built (its secrets opened) on first use."""

    def __init__(self, scope: SecretScope, box: SecretBox) -> None:
        self._scope = scope
        self._box = box
        self._scrubber: Scrubber | None = None

    def __call__(self, text: str) -> str:
        if not text or not self._scope.secrets:
            return text
        if self._scrubber is None:
            self._scrubber = self._scope.scrubber(self._box)
        return self._scrubber.scrub(text)


class HealthChecker:
    """Runs single checks through the shared outbound client."""

    def __init__(self, http: OutboundHttp, box: SecretBox, clock: Callable[[], datetime]) -> None:
        self._http = http
        self._box = box
        self._clock = clock

    @property
    def box(self) -> SecretBox:
        return self._box

    def _resolve(self, endpoint: str, scope: SecretScope, base_url: HttpUrl | None) -> str:
        # Both opened apart: a sealed value is bound to its own field (environmentURL's
        # password cannot be opened as the endpoint's), then joined for this request only.
        if "://" in endpoint:
            return endpoint
        base = None
        if base_url is not None:
            base = scope.open_request(self._box, LINK, RequestParts(url=str(base_url))).url
        return resolve_endpoint(endpoint, base)

    async def check(
        self, config: HealthCheckConfig, scope: SecretScope, base_url: HttpUrl | None
    ) -> CheckResult:
        """Run one check of config, the health check of scope's environment (its sealed values
        are bound to it); its timeout bounds the whole request. base_url is the environment's
        environmentURL (as stored), which a path endpoint is resolved against."""
        started = time.perf_counter()
        result = await self._check(config, scope, base_url)
        scrub = _LazyScrub(scope, self._box)
        if result.message != OK_MESSAGE:
            result.message = scrub(result.message)
        if result.version is not None:
            result.version = scrub(result.version)
        result.scrub = scrub
        result.duration = time.perf_counter() - started
        return result

    async def _check(
        self, config: HealthCheckConfig, scope: SecretScope, base_url: HttpUrl | None
    ) -> CheckResult:
        checked_at = self._clock()
        if config.endpoint is None:
            return CheckResult(False, "no health check endpoint configured", checked_at)
        try:
            # Secret values are opened here, for this request only.
            request = scope.open_request(
                self._box, HEALTH_CHECK, RequestParts.of(HEALTH_CHECK, config)
            )
            url = self._resolve(request.url or config.endpoint, scope, base_url)
        except SecretDecryptionError:
            return CheckResult(False, "a secret value cannot be decrypted", checked_at)
        except ValueError as exc:
            return CheckResult(False, f"healthCheck.endpoint: {exc}", checked_at)
        try:
            response = await self._http.request(
                config.method.value,
                url,
                headers=request.headers or None,
                json_body=request.body,
                timeout=config.timeout,
                tls_verify=config.tls_verify,
            )
        except OutboundError as exc:
            return CheckResult(False, exc.message, checked_at)
        validation = config.validation
        needs_json = config.version_json_path is not None or (
            validation is not None and validation.type is ValidationType.JSON_PATH
        )
        document = parse_json(response.body) if needs_json else None
        failure = judge(response.status, response.body, document, validation)
        if failure is not None and response.truncated:
            # Judged on the start of the body only: say so, or "not JSON" puzzles everyone.
            failure += f" (only the first {len(response.body)} bytes were read: maxBodyBytes)"
        version = (
            extract_version(document, config.version_json_path)
            if config.version_json_path
            else None
        )
        return CheckResult(
            ok=failure is None,
            message=failure or OK_MESSAGE,
            checked_at=checked_at,
            response_time=round(response.elapsed_ms, 1),
            status_code=response.status,
            version=version,
            body=response.body,
        )
