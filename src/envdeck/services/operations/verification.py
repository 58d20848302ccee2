"""Verify an operation's effect: poll the environment's health check until it passes (and, for
an upgrade, until it reports the target version) or the verify timeout ends.

A command that exited 0 or answered 2xx only says the request was accepted; an upgrade counts
only when the environment is seen healthy on the new version (docs/commands.md, Verification).
Each poll is one ordinary check (`HealthChecker.check`), bounded by the time left; checks are
`poll_interval` apart. Nothing is recorded here: the operation service stores the outcome.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from envdeck.adapters.events import EventBus, VersionChanged
from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.environment import Environment, HealthState
from envdeck.domain.operation import (
    Operation,
    OperationError,
    OperationStatus,
    OperationType,
    Verification,
)
from envdeck.repositories.base import Storage
from envdeck.services.health.checker import CheckResult, HealthChecker
from envdeck.services.inventory.sealing import SecretScope
from envdeck.services.operations.cancellation import unless_cancelled
from envdeck.services.operations.records import OperationOutputLog

log = structlog.get_logger(__name__)

VERIFICATION_FAILED = "VERIFICATION_FAILED"

ProgressCallback = Callable[[str], Awaitable[None]]

NO_HEALTH_CHECK = "no health check to verify"


@dataclass
class VerificationOutcome:
    """What verification saw: the last health and version, how many checks it took."""

    verified: bool
    health: str | None
    version: str | None
    attempts: int
    message: str


@dataclass
class _Seen:
    attempts: int = 0
    last: CheckResult | None = None
    healthy_once: bool = False


class Verifier:
    """Poll one environment's health check; see the module docstring."""

    def __init__(
        self,
        checker: HealthChecker,
        box: SecretBox | None = None,
        *,
        poll_interval: float = 2.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        # The checker opens secret headers with its own box; `box` is accepted for the agreed
        # interface and unused.
        self._checker = checker
        self._box = box
        self.poll_interval = poll_interval
        self._clock = clock

    async def verify(
        self,
        env: Environment,
        *,
        target_version: str | None,
        timeout: float,  # noqa: ASYNC109 (a time limit that yields verified=False)
        on_progress: ProgressCallback | None = None,
    ) -> VerificationOutcome:
        """Poll env's health check until it passes (and reports target_version, when given
        and env has a versionJsonPath) or timeout seconds pass; never raise for the target.

        An environment without an enabled health check is verified=True with the message
        "no health check to verify". `on_progress` gets one line per check, for the live output.
        """
        config = env.health_check
        if not config.enabled or config.endpoint is None:
            return VerificationOutcome(True, None, None, 0, NO_HEALTH_CHECK)
        want_version = target_version if config.version_json_path else None
        deadline = time.monotonic() + timeout
        seen = _Seen()
        while True:
            result = await self._check_once(env, deadline)
            seen.attempts += 1
            seen.last = result
            seen.healthy_once = seen.healthy_once or result.ok
            if on_progress is not None:
                await on_progress(_progress_line(seen.attempts, result, want_version))
            if result.ok and (want_version is None or result.version == want_version):
                return self._outcome(True, seen, _verified_message(seen.attempts, want_version))
            left = deadline - time.monotonic()
            if left <= 0:
                return self._outcome(False, seen, _failure_message(seen, want_version, timeout))
            await asyncio.sleep(min(self.poll_interval, left))

    async def _check_once(self, env: Environment, deadline: float) -> CheckResult:
        left = max(deadline - time.monotonic(), 0.1)
        try:
            async with asyncio.timeout(left):
                return await self._checker.check(
                    env.health_check, SecretScope.of(env), env.environment_url
                )
        except TimeoutError:
            return CheckResult(
                ok=False,
                message="the check did not finish before verification ended",
                checked_at=self._clock(),
            )

    @staticmethod
    def _outcome(verified: bool, seen: _Seen, message: str) -> VerificationOutcome:
        last = seen.last
        health = None
        if last is not None:
            health = (HealthState.HEALTHY if last.ok else HealthState.UNHEALTHY).value
        outcome = VerificationOutcome(
            verified=verified,
            health=health,
            version=last.version if last is not None else None,
            attempts=seen.attempts,
            message=message,
        )
        log.debug("verification_finished", verified=verified, attempts=seen.attempts)
        return outcome


def _progress_line(attempt: int, result: CheckResult, want_version: str | None) -> str:
    state = "healthy" if result.ok else f"unhealthy: {result.message}"
    line = f"verify #{attempt}: {state}"
    if want_version is not None:
        line += f", version {result.version or '(none reported)'} (want {want_version})"
    return line + "\n"


def _verified_message(attempts: int, want_version: str | None) -> str:
    checks = "1 check" if attempts == 1 else f"{attempts} checks"
    if want_version is None:
        return f"healthy after {checks}"
    return f"healthy on version {want_version} after {checks}"


def _failure_message(seen: _Seen, want_version: str | None, timeout: float) -> str:
    last = seen.last
    assert last is not None
    within = f"within {timeout:g} s ({seen.attempts} checks)"
    if not last.ok:
        if seen.healthy_once:
            return f"not healthy at the end of verification {within}: {last.message}"
        return f"never healthy {within}: {last.message}"
    if last.version is None:
        return (
            f"healthy, but the health check reports no version (versionJsonPath) {within}; "
            f"expected {want_version}"
        )
    return f"healthy, but still reports version {last.version}, not {want_version}, {within}"


async def record_version(
    storage: Storage,
    bus: EventBus,
    clock: Callable[[], datetime],
    op: Operation,
    env: Environment,
    outcome: VerificationOutcome,
) -> None:
    """Move systemInfo.appVersion to what the environment reported, or, when it reports
    none, to the verified upgrade's target marked unverified."""
    if outcome.version:
        version, unverified = outcome.version, False
    elif (
        op.type is not OperationType.RESTART
        and op.status is OperationStatus.SUCCEEDED
        and op.params.version
        and not env.health_check.version_json_path
    ):
        version, unverified = op.params.version, True
    else:
        return
    environments = storage.environments
    current = await environments.get_by_id(op.environment_id)
    info = current.system_info.model_copy(
        update={"app_version": version, "version_unverified": unverified, "last_updated": clock()}
    )
    await environments.update_system_info(op.environment_id, info)
    previous = current.system_info.app_version
    if previous and previous != version:
        bus.publish(
            VersionChanged(
                environment_id=op.environment_id,
                environment_name=current.name,
                previous=previous,
                version=version,
            )
        )


async def verify_operation(
    verifier: Verifier,
    op: Operation,
    env: Environment,
    output: OperationOutputLog,
    cancel: asyncio.Event,
    timeout: float,  # noqa: ASYNC109 (the verify timeout, applied by the verifier)
) -> VerificationOutcome | None:
    """Verify op after its command succeeded: set its status, verification and error, and
    return the outcome (None when cancel came first)."""
    target = op.params.version if op.type is not OperationType.RESTART else None
    await output.note(f"command succeeded; verifying (up to {timeout:g} s)")
    verifying = asyncio.ensure_future(
        verifier.verify(env, target_version=target, timeout=timeout, on_progress=output.on_line)
    )
    outcome = await unless_cancelled(verifying, cancel)
    if outcome is None:
        op.status = OperationStatus.CANCELLED
        op.error = OperationError(code="CANCELLED", message="cancelled during verification")
        return None
    op.verification = Verification(
        health=outcome.health,
        version=outcome.version,
        attempts=outcome.attempts,
        verified=outcome.verified,
        message=outcome.message,
    )
    await output.note(outcome.message)
    if outcome.verified:
        op.status = OperationStatus.SUCCEEDED
        op.error = None
    else:
        op.status = OperationStatus.FAILED
        op.error = OperationError(code=VERIFICATION_FAILED, message=outcome.message)
    return outcome
