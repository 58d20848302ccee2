"""How an environment is reached over SSH: its target, its credential from the vault, its host key.

Every SSH use of an environment (operations, system info, the connection test) goes through
`SshAccess`: `endpoint()` builds the `SshTarget` and opens the credential only for the call
that needs it (the plaintext never leaves memory, is never logged), and `note_host_key()`
records what the connection learned: a TOFU key is written once on `target.hostKey` (a
compare-and-set, so two first connections racing store one key), and a connection under
policy `off` is logged as insecure.
"""

from typing import Any

import structlog

from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.adapters.ssh import SshCredential, SshRunner, SshTarget
from envdeck.domain.auth import Principal
from envdeck.domain.commands import HostKeyInfo
from envdeck.domain.environment import CredentialKind, Environment, HostKeyPolicy
from envdeck.domain.errors import CredentialNotFound, Forbidden, ValidationFailed
from envdeck.domain.log import LogLevel, LogType
from envdeck.domain.user import Role
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.credentials import credential_context

log = structlog.get_logger(__name__)


class SshAccess:
    """Targets and decrypted credentials of environments, and their host-key bookkeeping."""

    def __init__(
        self, storage: Storage, box: SecretBox, activity: ActivityLog, runner: SshRunner
    ) -> None:
        self._storage = storage
        self._box = box
        self._activity = activity
        self.runner = runner

    def require_allowed(self, env: Environment, actor: Principal | None) -> None:
        """Raise Forbidden when actor may not connect to env (policy `off` is admin-only)."""
        if env.target.host_key_policy is HostKeyPolicy.OFF and (
            actor is None or actor.role is not Role.ADMIN
        ):
            raise Forbidden(
                f"{env.name} does not verify its SSH host key (policy 'off'): only admins may "
                "connect to it",
                {"hostKeyPolicy": HostKeyPolicy.OFF.value},
            )

    async def endpoint(self, env: Environment) -> tuple[SshTarget, SshCredential]:
        """Return the target and decrypted credential for env.

        Raise ValidationFailed when env has no SSH target or credential configured.
        """
        if not env.target.host:
            raise ValidationFailed(f"{env.name} has no SSH target host", {"field": "target.host"})
        key_id = env.credentials.key_id
        if key_id is None:
            raise ValidationFailed(
                f"{env.name} has no SSH credential", {"field": "credentials.keyId"}
            )
        try:
            credential = await self._storage.credentials.get_by_id(key_id)
        except CredentialNotFound:
            raise ValidationFailed(
                f"the SSH credential of {env.name} no longer exists",
                {"field": "credentials.keyId"},
            ) from None
        username = env.credentials.username or credential.username
        if not username:
            raise ValidationFailed(
                f"{env.name} has no SSH username", {"field": "credentials.username"}
            )
        try:
            secret = self._box.open(credential.secret, credential_context(credential.id, "secret"))
            passphrase = (
                self._box.open(
                    credential.passphrase, credential_context(credential.id, "passphrase")
                )
                if credential.passphrase
                else None
            )
        except SecretDecryptionError:
            raise ValidationFailed(
                f"the SSH credential {credential.name} cannot be decrypted with this server's keys",
                {"field": "credentials.keyId"},
            ) from None
        if credential.type is CredentialKind.KEY:
            material = SshCredential(credential.id, private_key=secret, passphrase=passphrase)
        else:
            material = SshCredential(credential.id, password=secret)
        target = SshTarget(
            host=env.target.host,
            username=username,
            port=env.target.port,
            host_key_policy=env.target.host_key_policy,
            host_key=env.target.host_key,
        )
        return target, material

    async def note_host_key(
        self, env: Environment, host_key: HostKeyInfo | None, actor: Principal | None
    ) -> None:
        """Record a TOFU-learned key on env.target.hostKey (one write, logged); log `off` use
        as insecure (warning)."""
        if host_key is None:
            return
        who = _who(actor)
        if host_key.insecure:
            log.warning("ssh_host_key_unverified", environment_id=env.id, host=env.target.host)
            self._activity.record(
                type=LogType.SYSTEM,
                action="host_key_unverified",
                level=LogLevel.WARNING,
                message=(
                    f"SSH to {env.name} ({env.target.host}:{env.target.port}) did not verify the "
                    f"host key (policy 'off'); the server presented {host_key.fingerprint}"
                ),
                environment_id=env.id,
                environment_name=env.name,
                details={"fingerprint": host_key.fingerprint, "policy": "off"},
                **who,
            )
            return
        if not host_key.learned:
            return
        recorded = await self._storage.environments.set_host_key(
            env.id, host_key.public_key, expected=""
        )
        if not recorded:
            # Another connection recorded a key first; the next connection is checked against it.
            return
        env.target.host_key = host_key.public_key
        log.info("ssh_host_key_recorded", environment_id=env.id, fingerprint=host_key.fingerprint)
        self._activity.record(
            type=LogType.SYSTEM,
            action="host_key_learned",
            message=(
                f"recorded the SSH host key of {env.name} ({env.target.host}:{env.target.port}) "
                f"on first use: {host_key.fingerprint}"
            ),
            environment_id=env.id,
            environment_name=env.name,
            details={"fingerprint": host_key.fingerprint, "policy": "tofu"},
            **who,
        )


def _who(actor: Principal | None) -> dict[str, Any]:
    if actor is None:
        return {"user_id": None, "username": None}
    return {"user_id": actor.user_id, "username": actor.username}
