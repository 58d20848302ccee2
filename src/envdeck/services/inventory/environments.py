"""The environment inventory: validated configuration, sealed secrets, audit and events.

Secret values (secret_fields.py) are sealed before storage, bound to the environment and the
field (sealing.py), and masked in everything this service returns or publishes; "********"
sent back keeps the stored value (DESIGN §4).
"""

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from envdeck.adapters.events import EnvironmentChanged, EventBus
from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.auth import Principal
from envdeck.domain.base import MAX_JSON_DEPTH, json_depth
from envdeck.domain.credential import Credential
from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.domain.errors import Conflict, CredentialNotFound, ValidationFailed
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogType
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.save_rules import (
    check_headers,
    check_stored_size,
    check_upgrade_template,
)
from envdeck.services.inventory.sealing import seal_environment
from envdeck.services.inventory.secret_fields import mask_environment
from envdeck.services.inventory.seed_metadata import (
    check_ssh_secret,
    derived_credential_id,
    save_credential,
    split_seed_metadata,
    unmask_seed_metadata,
    vault_credential,
    with_credential,
)

# Server-set: never taken from input, never part of a configuration diff.
SERVER_FIELDS = {"id", "status", "system_info", "timestamps", "active_operation"}
# A merge patch wraps the free-form values (metadata, bodies) in an environment's own fields.
MAX_PATCH_DEPTH = MAX_JSON_DEPTH + 6


def masked(env: Environment) -> Environment:
    """Return a copy of env as the API shows it: every secret value reads "********"."""
    return mask_environment(env)


def sealed(incoming: Environment, stored: Environment | None, box: SecretBox) -> Environment:
    """Return incoming with its secrets sealed (bound to its id) and masks kept from stored.

    Raise ValidationFailed if it breaks a rule of storing (save_rules.py).
    """
    check_headers(incoming)  # before sealing: sealed values are ciphertext
    ready = seal_environment(incoming, stored, box)
    check_upgrade_template(ready)
    check_stored_size(ready)
    return ready


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat |= _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return flat
    return {prefix: value}


def configuration_diff(before: Environment, after: Environment) -> dict[str, dict[str, Any]]:
    """Return {field path: {before, after}} of what changed; secret values stay masked.

    Compared as stored (a secret changed only if its sealed value did: "********" sent back
    keeps it as it was), shown as the API shows them.
    """
    dump = {"by_alias": True, "mode": "json", "exclude": SERVER_FIELDS}

    def flat(env: Environment) -> dict[str, Any]:
        return _flatten(env.model_dump(**dump))  # type: ignore[arg-type]

    old, new = flat(before), flat(after)
    old_shown, new_shown = flat(masked(before)), flat(masked(after))
    return {
        path: {"before": old_shown.get(path), "after": new_shown.get(path)}
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    }


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7396): objects merge, null removes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class EnvironmentService:
    def __init__(
        self,
        storage: Storage,
        activity: ActivityLog,
        bus: EventBus,
        box: SecretBox,
        clock: Callable[[], datetime],
    ) -> None:
        self._environments = storage.environments
        self._credentials = storage.credentials
        self._activity = activity
        self._bus = bus
        self._box = box
        self._clock = clock

    async def list_environments(
        self, options: EnvironmentListOptions
    ) -> tuple[list[Environment], int]:
        items, total = await self._environments.list(options)
        return [masked(item) for item in items], total

    async def get_environment(self, environment_id: str) -> Environment:
        return masked(await self._environments.get_by_id(environment_id))

    async def summary(self) -> tuple[int, dict[str, int], dict[str, int]]:
        """Return the total and the counts by health and by tag."""
        by_health = await self._environments.count_by_health()
        return sum(by_health.values()), by_health, await self._environments.count_by_tag()

    async def create_environment(self, actor: Principal, config: Environment) -> Environment:
        """Store a new environment from its configuration (server-set fields are ignored).

        The original's SSH settings in metadata are stored the Envdeck way (seed_metadata.py).
        """
        fresh = Environment.model_validate(config.model_dump(exclude=SERVER_FIELDS))
        fresh.id = new_id()  # its secrets are sealed bound to it
        fresh, credential = await self.take_seed_metadata(fresh)
        if credential is None:
            await self._check_credential(fresh)
        ready = sealed(fresh, None, self._box)
        await self.save_seed_credential(actor, credential, fresh)
        created = await self._environments.create(ready)
        return self.announce(actor, "create", created)

    async def replace_environment(
        self, actor: Principal, environment_id: str, config: Environment
    ) -> Environment:
        """Replace an environment's configuration; status and history stay."""
        stored = await self._environments.get_by_id(environment_id)
        kept = stored.model_dump(include=SERVER_FIELDS)
        incoming = Environment.model_validate(config.model_dump(exclude=SERVER_FIELDS) | kept)
        incoming, credential = await self.take_seed_metadata(
            unmask_seed_metadata(incoming, stored, self._box)
        )
        if credential is None:
            await self._check_credential(incoming)
        ready = sealed(incoming, stored, self._box)
        await self.save_seed_credential(actor, credential, incoming)
        updated = await self._environments.update(ready)
        return self.announce(actor, "update", updated, stored)

    async def take_seed_metadata(self, env: Environment) -> tuple[Environment, Credential | None]:
        """Return env without the original's SSH settings in its metadata, and the vault
        credential its SSH secret becomes (None without one); ValidationFailed for a key
        that does not open."""
        env, seed = split_seed_metadata(env)
        if seed.secret is None:
            return env, None
        fingerprint = await check_ssh_secret(seed.secret)
        credential = vault_credential(env, seed.secret, fingerprint, self._box)
        return with_credential(env, credential.id), credential

    async def save_seed_credential(
        self, actor: Principal, credential: Credential | None, env: Environment
    ) -> None:
        """Store the credential take_seed_metadata made for env (if any), audited."""
        if credential is None:
            return
        created = await save_credential(self._credentials, credential)
        verb = "created" if created else "updated"
        self._activity.record_by(
            actor.user,
            type=LogType.ACTION,
            action="credential_create" if created else "credential_update",
            message=(
                f"{actor.username} {verb} {credential.type} credential {credential.name}"
                f" from the metadata of environment {env.name}"
            ),
            details={"credentialId": credential.id, "credential": credential.name},
        )

    async def patch_environment(
        self, actor: Principal, environment_id: str, patch: dict[str, Any]
    ) -> Environment:
        """Apply a JSON merge patch to an environment's configuration."""
        if json_depth(patch, MAX_PATCH_DEPTH) > MAX_PATCH_DEPTH:
            raise ValidationFailed(
                f"the patch is nested deeper than {MAX_PATCH_DEPTH} levels",
                {"maxDepth": MAX_PATCH_DEPTH},
            )
        stored = await self._environments.get_by_id(environment_id)
        current = masked(stored).model_dump(by_alias=True, mode="json", exclude=SERVER_FIELDS)
        config = Environment.model_validate(merge_patch(current, _without_server_fields(patch)))
        return await self.replace_environment(actor, environment_id, config)

    async def delete_environment(self, actor: Principal, environment_id: str) -> None:
        """Delete an environment; its activity-log entries stay.

        Refused while an operation runs on it: the operation would lose the record it updates.
        """
        stored = await self._environments.get_by_id(environment_id)
        active = stored.active_operation
        if active is not None:
            raise Conflict(
                f"a {active.type} operation is running on {stored.name}; wait for it or cancel it",
                {"operationId": active.id},
            )
        await self._environments.delete(environment_id)
        await self._forget_seed_credential(stored)
        self.announce(actor, "delete", stored)

    async def _forget_seed_credential(self, env: Environment) -> None:
        """Delete the credential made from env's metadata, unless another environment uses it."""
        credential_id = derived_credential_id(env.id)
        if env.credentials.key_id != credential_id:
            return
        if not await self._environments.list_by_credential(credential_id):
            with contextlib.suppress(CredentialNotFound):
                await self._credentials.delete(credential_id)

    async def _check_credential(self, config: Environment) -> None:
        key_id = config.credentials.key_id
        if key_id is None:
            return
        try:
            await self._credentials.get_by_id(key_id)
        except CredentialNotFound:
            # The original's examples carry a keyId that it never resolved: say what works here.
            raise ValidationFailed(
                f"credentials.keyId: no credential {key_id} in the vault; add the key under "
                "Credentials and use its id, leave keyId out, or send the private key or "
                "password as metadata.privateKey / metadata.password to have one made",
                {"field": "credentials.keyId"},
            ) from None

    def announce(
        self,
        actor: Principal,
        action: str,
        env: Environment,
        before: Environment | None = None,
    ) -> Environment:
        """Audit a change (create, update with its masked diff, delete), publish it, and
        return the environment as the API shows it."""
        verb = {"create": "created", "update": "updated", "delete": "deleted"}[action]
        details = {"changes": configuration_diff(before, env)} if before is not None else None
        self._activity.record(
            type=LogType.ACTION,
            action=action,
            message=f"{actor.username} {verb} environment {env.name}",
            environment_id=env.id,
            environment_name=env.name,
            user_id=actor.user_id,
            username=actor.username,
            details=details,
        )
        public = masked(env)
        self._bus.publish(EnvironmentChanged(action=verb, environment=public))
        return public


_SERVER_KEYS = {"id", "status", "systemInfo", "timestamps", "activeOperation"}


def _without_server_fields(patch: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in patch.items() if key not in _SERVER_KEYS}
