"""Look at an environment's host over SSH: refresh its system info, test its connection.

Both go through `SshAccess` (target, credential from the vault, host-key policy), so a probe
learns a TOFU host key exactly as an operation does, and refuses a changed one with
`HOST_KEY_MISMATCH`. A probe that fails raises the SSH error (502 with its code) and leaves an
error-level entry in the activity log; nothing is retried.

`systemInfo` is written whole (read, change the OS fields, write): `appVersion` and
`versionUnverified` are kept as read. The change is announced as an environment update so the
dashboard and the health scheduler see the new values.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from envdeck.adapters.events import EnvironmentChanged, EventBus
from envdeck.adapters.ssh.runner import PROBE_SCRIPT, parse_system_probe
from envdeck.domain.auth import Principal
from envdeck.domain.commands import RunErrorCode, SystemProbe
from envdeck.domain.environment import Environment, HostKeyPolicy, SystemInfo
from envdeck.domain.errors import (
    SshFailure,
    UpstreamError,
    ValidationFailed,
)
from envdeck.domain.log import LogLevel, LogType
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.environments import masked
from envdeck.services.inventory.ssh_access import SshAccess

log = structlog.get_logger(__name__)

PROBE_TIMEOUT = 30.0


@dataclass(frozen=True)
class ConnectionReport:
    """What the connection test shows an admin (never a secret)."""

    fingerprint: str
    host_key: str  # the OpenSSH public key line the server presented
    remote_user: str
    latency_ms: float
    connect_ms: float
    host_key_policy: HostKeyPolicy
    learned: bool
    insecure: bool


def _ssh_error(code: str, message: str) -> SshFailure | UpstreamError:
    """Return the domain error of a RunResult error code (the same codes, docs/commands.md)."""
    for kind in _all_subclasses(SshFailure):
        if kind.code == code:
            return kind(message)
    return UpstreamError(message, {"code": code})


def _all_subclasses(kind: type[SshFailure]) -> list[type[SshFailure]]:
    found = [kind]
    for sub in kind.__subclasses__():
        found.extend(_all_subclasses(sub))
    return found


class EnvironmentProbes:
    """System info and connection tests of environments reached over SSH."""

    def __init__(
        self,
        storage: Storage,
        access: SshAccess,
        activity: ActivityLog,
        bus: EventBus,
        clock: Callable[[], datetime],
        *,
        timeout: float = PROBE_TIMEOUT,
    ) -> None:
        self._storage = storage
        self._access = access
        self._activity = activity
        self._bus = bus
        self._clock = clock
        self.timeout = timeout

    async def refresh_system_info(self, actor: Principal, environment_id: str) -> SystemInfo:
        """Read the OS, kernel and uptime of the environment's host; store and return them."""
        env = await self._ssh_environment(environment_id, actor)
        target, credential = await self._access.endpoint(env)
        # The probe runs as a script rather than through runner.system_info(), which keeps no
        # host key: a refresh must record a key learned on first use.
        result = await self._access.runner.run_script(
            target, credential, PROBE_SCRIPT, timeout=self.timeout
        )
        await self._access.note_host_key(env, result.host_key, actor)
        if not result.succeeded:
            error = result.error
            code = error.code if error else RunErrorCode.EXIT_STATUS.value
            message = error.message if error else result.outcome.value
            self._failed(env, actor, "system_info", f"system info of {env.name}: {message}", code)
            raise _ssh_error(code, f"cannot read the system info of {env.name}: {message}")
        probe = parse_system_probe(result.output)
        info = await self._store(env, probe)
        self._record(
            env,
            actor,
            "system_info",
            f"{actor.username} refreshed the system info of {env.name}: "
            f"{info.os_version or 'unknown OS'}, kernel {info.kernel or 'unknown'}",
            {"osVersion": info.os_version, "kernel": info.kernel},
        )
        return info

    async def test_connection(self, actor: Principal, environment_id: str) -> ConnectionReport:
        """Connect to the environment's host afresh and report its key, user and latency."""
        env = await self._ssh_environment(environment_id, actor)
        target, credential = await self._access.endpoint(env)
        try:
            found = await self._access.runner.test_connection(
                target, credential, timeout=self.timeout
            )
        except TimeoutError:
            message = f"no answer within {self.timeout:g} s"
            self._failed(env, actor, "test_connection", f"{env.name}: {message}", "TIMED_OUT")
            raise UpstreamError(
                f"connection test of {env.name}: {message}", {"code": "TIMED_OUT"}
            ) from None
        except UpstreamError as exc:
            code = exc.code if isinstance(exc, SshFailure) else exc.details.get("code", exc.code)
            self._failed(env, actor, "test_connection", f"{env.name}: {exc.message}", str(code))
            raise
        await self._access.note_host_key(env, found.host_key, actor)
        report = ConnectionReport(
            fingerprint=found.host_key.fingerprint,
            host_key=found.host_key.public_key,
            remote_user=found.remote_user,
            latency_ms=found.latency_ms,
            connect_ms=found.connect_ms,
            host_key_policy=env.target.host_key_policy,
            learned=found.host_key.learned,
            insecure=found.host_key.insecure,
        )
        self._record(
            env,
            actor,
            "test_connection",
            f"{actor.username} tested the SSH connection to {env.name}: "
            f"logged in as {report.remote_user}, {report.latency_ms:g} ms",
            {"fingerprint": report.fingerprint, "learned": report.learned},
            level=LogLevel.SUCCESS,
        )
        return report

    async def _ssh_environment(self, environment_id: str, actor: Principal) -> Environment:
        env = await self._storage.environments.get_by_id(environment_id)
        if not env.target.host or env.credentials.key_id is None:
            missing = "target host" if not env.target.host else "SSH credential"
            raise ValidationFailed(
                f"{env.name} is not reachable over SSH: it has no {missing}. System info and "
                "the connection test need target.host and credentials.keyId",
                {"field": "target.host" if not env.target.host else "credentials.keyId"},
            )
        self._access.require_allowed(env, actor)
        return env

    async def _store(self, env: Environment, probe: SystemProbe) -> SystemInfo:
        # Re-read right before writing: a health check or an operation may have changed
        # appVersion while the probe ran.
        current = await self._storage.environments.get_by_id(env.id)
        info = current.system_info.model_copy(
            update={
                "os_version": probe.summary[:200],
                "kernel": probe.kernel[:200],
                "uptime": probe.uptime_seconds,
                "last_updated": self._clock(),
            }
        )
        await self._storage.environments.update_system_info(env.id, info)
        current.system_info = info
        self._bus.publish(EnvironmentChanged(action="updated", environment=masked(current)))
        log.info("system_info_refreshed", environment_id=env.id, os_version=info.os_version)
        return info

    def _failed(
        self, env: Environment, actor: Principal, action: str, message: str, code: str
    ) -> None:
        log.warning("ssh_probe_failed", environment_id=env.id, action=action, code=code)
        self._record(
            env,
            actor,
            action,
            f"{actor.username}: {message}",
            {"code": code},
            type=LogType.ERROR,
            level=LogLevel.ERROR,
        )

    def _record(
        self,
        env: Environment,
        actor: Principal,
        action: str,
        message: str,
        details: dict[str, Any],
        *,
        type: LogType = LogType.ACTION,
        level: LogLevel = LogLevel.INFO,
    ) -> None:
        self._activity.record(
            type=type,
            action=action,
            level=level,
            message=message,
            environment_id=env.id,
            environment_name=env.name,
            user_id=actor.user_id,
            username=actor.username,
            details=details,
        )
