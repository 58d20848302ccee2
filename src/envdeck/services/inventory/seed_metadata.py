"""The original environment manager's SSH settings in `metadata`, stored the Envdeck way.

The original (SEED.md) read an environment's SSH secret from `metadata.password` or
`metadata.privateKey` (by `credentials.type`), a pinned host key from `metadata.hostKey` (an
authorized_keys line) and `metadata.insecureSkipHostKeyVerification: true` to skip the check.
Envdeck keeps none of them as metadata:

- the password or private key becomes a vault credential the environment references
  (`credentials.keyId`), its id derived from the environment's, so saving again (or migrating
  again) updates the same credential instead of adding one;
- `hostKey` becomes `target.hostKey` under the policy `pin`;
- `insecureSkipHostKeyVerification: true` becomes the policy `off` (a warning: nothing is
  verified), `false` is dropped.

Used by the API (create, replace, patch, import) and by `envdeck migrate`.
"""

import asyncio
import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from envdeck.adapters.secret_box import MASK, PREFIX, SecretBox, SecretDecryptionError
from envdeck.adapters.ssh.keys import fingerprint_private_key
from envdeck.domain.credential import Credential
from envdeck.domain.environment import CredentialKind, Environment, HostKeyPolicy
from envdeck.domain.errors import AlreadyExists, CredentialNotFound, ValidationFailed
from envdeck.repositories.base import CredentialRepository
from envdeck.services.inventory.credentials import credential_context
from envdeck.services.inventory.sealing import leaf_context

PASSWORD_KEY = "password"  # noqa: S105 (a metadata key, not a secret)
PRIVATE_KEY_KEY = "privateKey"
HOST_KEY_KEY = "hostKey"
SKIP_KEY = "insecureSkipHostKeyVerification"
SEED_KEYS = (PASSWORD_KEY, PRIVATE_KEY_KEY, HOST_KEY_KEY, SKIP_KEY)


@dataclass(frozen=True)
class SshSecret:
    """The SSH secret an environment's metadata held, for a vault credential."""

    kind: CredentialKind
    secret: str = field(repr=False)


@dataclass(frozen=True)
class SeedSsh:
    """What the original's metadata said about SSH, taken out of it."""

    secret: SshSecret | None = None
    host_key: str = ""
    skip_host_key: bool = False
    # Secret values there was no place for (a password beside the private key used).
    dropped: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.secret is not None or bool(self.host_key) or self.skip_host_key


def _text(value: Any) -> str:
    return value.strip("\n") if isinstance(value, str) else ""


def split_seed_metadata(env: Environment) -> tuple[Environment, SeedSsh]:
    """Return env without the original's SSH keys in its metadata (host key policy applied)
    and what they held; env unchanged when its metadata has none of them."""
    metadata = env.metadata
    if not any(key in metadata for key in SEED_KEYS):
        return env, SeedSsh()
    password, private_key = _text(metadata.get(PASSWORD_KEY)), _text(metadata.get(PRIVATE_KEY_KEY))
    secrets = {CredentialKind.PASSWORD: password, CredentialKind.KEY: private_key}
    # The original used the one `credentials.type` named; with only the other, that one.
    wanted = env.credentials.type
    kind = wanted if secrets[wanted] else next((k for k, v in secrets.items() if v), None)
    secret = SshSecret(kind, secrets[kind]) if kind is not None else None
    dropped = tuple(
        name
        for name, k in (
            (PASSWORD_KEY, CredentialKind.PASSWORD),
            (PRIVATE_KEY_KEY, CredentialKind.KEY),
        )
        if secrets[k] and k is not kind
    )
    host_key = _text(metadata.get(HOST_KEY_KEY)).strip()
    skip = metadata.get(SKIP_KEY) is True
    target = env.target
    if skip:
        target = target.model_copy(update={"host_key_policy": HostKeyPolicy.OFF})
    elif host_key:
        target = target.model_copy(
            update={"host_key_policy": HostKeyPolicy.PIN, "host_key": host_key}
        )
    credentials = env.credentials
    if kind is not None:
        credentials = credentials.model_copy(update={"type": kind})
    rest = {key: value for key, value in metadata.items() if key not in SEED_KEYS}
    cleaned = env.model_copy(
        update={"metadata": rest, "target": target, "credentials": credentials}
    )
    return cleaned, SeedSsh(secret, host_key, skip, dropped)


def derived_credential_id(environment_id: str) -> str:
    """Return the id of the credential made from an environment's metadata (24-hex, stable)."""
    return hashlib.sha256(f"seed-ssh/{environment_id}".encode()).hexdigest()[:24]


def credential_name(environment_name: str) -> str:
    """Return the name of the credential made from an environment's metadata."""
    return f"{environment_name} ssh"


async def check_ssh_secret(secret: SshSecret) -> str:
    """Return the fingerprint of a private key ("" for a password); ValidationFailed if it
    does not open (a key behind a passphrase could not be used by the original either)."""
    if secret.kind is not CredentialKind.KEY:
        return ""
    try:
        return await asyncio.to_thread(fingerprint_private_key, secret.secret, None)
    except ValidationFailed as exc:
        problem = exc.message.removeprefix("secret: ")
        raise ValidationFailed(
            f"metadata.privateKey: {problem}", {"field": "metadata.privateKey"}
        ) from None


def vault_credential(
    env: Environment, secret: SshSecret, fingerprint: str, box: SecretBox
) -> Credential:
    """Return the vault credential (secret sealed) holding env's SSH secret from metadata."""
    credential_id = derived_credential_id(env.id)
    return Credential(
        id=credential_id,
        name=credential_name(env.name),
        type=secret.kind,
        username=env.credentials.username,
        secret=box.seal(secret.secret, credential_context(credential_id, "secret")),
        fingerprint=fingerprint,
    )


def with_credential(env: Environment, credential_id: str) -> Environment:
    """Return env referencing the credential with this id."""
    credentials = env.credentials.model_copy(update={"key_id": credential_id})
    return env.model_copy(update={"credentials": credentials})


async def save_credential(credentials: CredentialRepository, credential: Credential) -> bool:
    """Create the credential, or replace the one of the same id; tell whether it was new."""
    try:
        await credentials.get_by_id(credential.id)
    except CredentialNotFound:
        try:
            await credentials.create(credential)
        except AlreadyExists:  # another credential has the name: this one is told apart by its id
            named = f"{credential.name} {credential.id[:6]}"
            await credentials.create(credential.model_copy(update={"name": named}))
        return True
    await credentials.update(credential)
    return False


def unmask_seed_metadata(incoming: Environment, stored: Environment, box: SecretBox) -> Environment:
    """Return incoming with each "********" among the original's SSH keys in its metadata
    replaced by the stored value (sealed in metadata before they were moved out of it), so it
    is moved as it is; a stored value that does not open is dropped."""
    masked = [key for key in SEED_KEYS if incoming.metadata.get(key) == MASK]
    if not masked:
        return incoming
    metadata = dict(incoming.metadata)
    for key in masked:
        value = stored.metadata.get(key)
        metadata.pop(key)
        if isinstance(value, str) and value.startswith(PREFIX):
            with contextlib.suppress(SecretDecryptionError, ValueError):
                context = leaf_context(stored.id, ("metadata", key))
                metadata[key] = json.loads(box.open(value, context))
    return incoming.model_copy(update={"metadata": metadata})
