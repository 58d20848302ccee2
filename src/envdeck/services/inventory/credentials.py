"""The credentials vault: SSH keys and passwords, sealed at rest and never shown (DESIGN §4).

What this service returns still holds the sealed secret and passphrase (the routes show
neither); their plaintext never leaves it. On update, a secret or passphrase that is absent or
"********" keeps the stored one. Each is sealed bound to its credential and field
(`credential_context`): copied onto another credential, or from passphrase to secret, it does
not open.
"""

import asyncio
from typing import Any

from envdeck.adapters.secret_box import MASK, SecretBox, SecretDecryptionError, bound_to
from envdeck.adapters.ssh.keys import fingerprint_private_key
from envdeck.domain.auth import Principal
from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.environment import CredentialKind
from envdeck.domain.errors import Conflict, ValidationFailed
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogType
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog


async def _fingerprint(kind: CredentialKind, secret: str, passphrase: str | None) -> str:
    """Return the fingerprint of a key (checking it opens), "" for a password."""
    if kind is CredentialKind.KEY:
        return await asyncio.to_thread(fingerprint_private_key, secret, passphrase)
    if passphrase:
        raise ValidationFailed(
            "passphrase: a password credential has no passphrase", {"field": "passphrase"}
        )
    return ""


def credential_context(credential_id: str, field: str) -> str:
    """Return what a credential's sealed `secret` or `passphrase` is bound to."""
    return bound_to("credential", credential_id, field)


def _mask(value: str | None) -> str | None:
    return MASK if value else None


class CredentialService:
    def __init__(self, storage: Storage, activity: ActivityLog, box: SecretBox) -> None:
        self._credentials = storage.credentials
        self._environments = storage.environments
        self._activity = activity
        self._box = box

    async def list_credentials(
        self, options: CredentialListOptions
    ) -> tuple[list[Credential], int]:
        """Return one page of credentials ordered by name, and the total."""
        return await self._credentials.list(options)

    async def get_credential(self, credential_id: str) -> Credential:
        """Return the credential with this id."""
        return await self._credentials.get_by_id(credential_id)

    async def create_credential(
        self,
        actor: Principal,
        name: str,
        kind: CredentialKind,
        username: str,
        secret: str,
        passphrase: str | None = None,
    ) -> Credential:
        """Store a key (which must open, with its passphrase if it has one) or a password."""
        passphrase = passphrase or None
        fingerprint = await _fingerprint(kind, secret, passphrase)
        credential_id = new_id()  # the sealed values are bound to it
        credential = Credential(
            id=credential_id,
            name=name,
            type=kind,
            username=username,
            secret=self._box.seal(secret, credential_context(credential_id, "secret")),
            passphrase=self._seal(credential_id, passphrase),
            fingerprint=fingerprint,
        )
        created = await self._credentials.create(credential)
        self._record(actor, "credential_create", "created", created)
        return created

    async def update_credential(
        self,
        actor: Principal,
        credential_id: str,
        *,
        name: str | None = None,
        username: str | None = None,
        secret: str | None = None,
        passphrase: str | None = MASK,
    ) -> Credential:
        """Change a credential; a new key is checked and fingerprinted again.

        secret None or "********" keeps the stored one; passphrase "********" keeps it, None
        or "" removes it, anything else replaces it.
        """
        stored = await self._credentials.get_by_id(credential_id)
        changes: dict[str, dict[str, str | None]] = {
            field: {"before": old, "after": new}
            for field, new, old in (
                ("name", name, stored.name),
                ("username", username, stored.username),
            )
            if new is not None and new != old
        }
        update: dict[str, Any] = {field: change["after"] for field, change in changes.items()}
        new_secret = None if secret == MASK else secret
        if not (passphrase or stored.passphrase):
            passphrase = MASK  # "remove" when there is none: nothing to do
        if new_secret is not None:
            changes["secret"] = {"before": MASK, "after": MASK}
        if passphrase != MASK:
            changes["passphrase"] = {"before": _mask(stored.passphrase), "after": _mask(passphrase)}
        if new_secret is not None or passphrase != MASK:
            update |= await self._resealed(stored, new_secret, passphrase)
            if update["fingerprint"] != stored.fingerprint:
                changes["fingerprint"] = {
                    "before": stored.fingerprint,
                    "after": update["fingerprint"],
                }
        if not changes:
            return stored
        changed = Credential.model_validate(stored.model_dump() | update)
        updated = await self._credentials.update(changed)
        self._record(actor, "credential_update", "updated", updated, {"changes": changes})
        return updated

    async def delete_credential(self, actor: Principal, credential_id: str) -> None:
        """Delete a credential that no environment references (else Conflict, naming them)."""
        stored = await self._credentials.get_by_id(credential_id)
        users = await self._environments.list_by_credential(credential_id)
        if users:
            raise Conflict(
                f"credential {stored.name} is used by {len(users)} environment(s):"
                " point them at another credential first",
                {"environments": [{"id": env.id, "name": env.name} for env in users]},
            )
        await self._credentials.delete(credential_id)
        self._record(actor, "credential_delete", "deleted", stored)

    async def _resealed(
        self, stored: Credential, secret: str | None, passphrase: str | None
    ) -> dict[str, Any]:
        """Return the sealed secret, passphrase and fingerprint once either is replaced."""
        plain_secret = self._open(stored, "secret") if secret is None else secret
        if passphrase == MASK:
            passphrase = self._open(stored, "passphrase") if stored.passphrase else None
        fingerprint = await _fingerprint(stored.type, plain_secret, passphrase or None)
        return {
            "secret": self._box.seal(plain_secret, credential_context(stored.id, "secret")),
            "passphrase": self._seal(stored.id, passphrase),
            "fingerprint": fingerprint,
        }

    def _seal(self, credential_id: str, passphrase: str | None) -> str | None:
        context = credential_context(credential_id, "passphrase")
        return self._box.seal(passphrase, context) if passphrase else None

    def _open(self, stored: Credential, field: str) -> str:
        sealed = stored.secret if field == "secret" else stored.passphrase or ""
        try:
            return self._box.open(sealed, credential_context(stored.id, field))
        except SecretDecryptionError:
            raise Conflict(
                "the stored secret cannot be decrypted with the current encryption key:"
                " send the secret (and passphrase) again",
                {"field": "secret"},
            ) from None

    def _record(
        self,
        actor: Principal,
        action: str,
        verb: str,
        credential: Credential,
        extra: dict[str, Any] | None = None,
    ) -> None:
        details = {"credentialId": credential.id, "credential": credential.name}
        self._activity.record_by(
            actor.user,
            type=LogType.ACTION,
            action=action,
            message=f"{actor.username} {verb} {credential.type} credential {credential.name}",
            details=details | (extra or {}),
        )
