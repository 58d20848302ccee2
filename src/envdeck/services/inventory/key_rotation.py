"""Re-sealing every stored secret: under a new key (`envdeck secrets rotate-key`), or bound to
its place (the start-up migration, secret_migration.py).

Sealed values live in credentials (secret, passphrase), in environments (their secret fields,
services/inventory/secret_fields.py) and in notification channels (the URL). Each record is
re-sealed and saved on its own, and only when something changed; the box opens values under
the old key and the new one, so a rotation that stops half-way is simply run again.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from envdeck.adapters.secret_box import (
    PREFIX,
    SecretBox,
    SecretDecryptionError,
    is_legacy,
)
from envdeck.domain.base import MAX_PAGE_LIMIT
from envdeck.domain.clock import utc_now
from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.domain.log import LogEntry, LogType
from envdeck.domain.notification import NotificationChannel, NotificationChannelListOptions
from envdeck.repositories.base import Storage
from envdeck.services.inventory.credentials import credential_context
from envdeck.services.inventory.sealing import reseal_environment
from envdeck.services.notifications.delivery import channel_url_context

T = TypeVar("T")

# Told where a value that does not open is (a record and a field), instead of stopping.
Unreadable = Callable[[str], None]


@dataclass
class RotationResult:
    credentials: int  # records saved again
    environments: int
    channels: int
    values: int  # sealed values re-sealed


async def _read_all(fetch: Callable[[int], Awaitable[tuple[list[T], int]]]) -> list[T]:
    """Return every item of a paged list (read before anything is saved again)."""
    items: list[T] = []
    page = 1
    while True:
        batch, total = await fetch(page)
        items += batch
        if not batch or len(items) >= total:
            return items
        page += 1


class _Resealer:
    """Re-seals one value at a time: what needs it, reporting or raising what does not open."""

    def __init__(self, box: SecretBox, *, rekey: bool, unreadable: Unreadable | None) -> None:
        self.box = box
        self.rekey = rekey
        self.unreadable = unreadable

    def needs(self, sealed: str) -> bool:
        return is_legacy(sealed) or (self.rekey and sealed.startswith(PREFIX))

    def value(self, sealed: str, context: str, where: str) -> str | None:
        """Return sealed re-sealed, or None when it needs nothing or does not open."""
        if not self.needs(sealed):
            return None
        try:
            return self.box.reseal(sealed, context)
        except SecretDecryptionError:
            self.cannot_open(where)
            return None

    def cannot_open(self, where: str) -> None:
        if self.unreadable is None:
            raise SecretDecryptionError(
                f"{where} cannot be decrypted with the current key: store it again through the"
                " API (or remove it), then run the rotation again"
            ) from None
        self.unreadable(where)


def _resealed_credential(credential: Credential, resealer: _Resealer) -> dict[str, str]:
    where = f"credential {credential.name}"
    update: dict[str, str] = {}
    for field in ("secret", "passphrase"):
        sealed = getattr(credential, field)
        if sealed:
            context = credential_context(credential.id, field)
            resealed = resealer.value(sealed, context, f"{where}: {field}")
            if resealed is not None:
                update[field] = resealed
    return update


def _resealed_environment(env: Environment, resealer: _Resealer) -> tuple[Environment, int]:
    def unreadable(path: tuple[str | int, ...]) -> None:
        resealer.cannot_open(f"environment {env.name}: {'.'.join(map(str, path))}")

    return reseal_environment(env, resealer.box, rekey=resealer.rekey, unreadable=unreadable)


async def reseal_records(
    storage: Storage, box: SecretBox, *, rekey: bool, unreadable: Unreadable | None = None
) -> RotationResult:
    """Re-seal what needs it in every record: values sealed unbound (`enc:v1:`) and secrets
    stored in clear always, every sealed value when rekey. Return what changed."""
    resealer = _Resealer(box, rekey=rekey, unreadable=unreadable)
    result = RotationResult(credentials=0, environments=0, channels=0, values=0)
    credentials = await _read_all(
        lambda page: storage.credentials.list(
            CredentialListOptions(page=page, limit=MAX_PAGE_LIMIT)
        )
    )
    for credential in credentials:
        update = _resealed_credential(credential, resealer)
        if update:
            await storage.credentials.update(credential.model_copy(update=update))
            result.credentials += 1
            result.values += len(update)
    environments = await _read_all(
        lambda page: storage.environments.list(
            EnvironmentListOptions(page=page, limit=MAX_PAGE_LIMIT)
        )
    )
    for environment in environments:
        resealed_env, count = _resealed_environment(environment, resealer)
        if count:
            await storage.environments.update(resealed_env)
            result.environments += 1
            result.values += count
    channels = await _read_all(
        lambda page: storage.notification_channels.list(
            NotificationChannelListOptions(page=page, limit=MAX_PAGE_LIMIT)
        )
    )
    for channel in channels:
        url = resealer.value(
            channel.url, channel_url_context(channel.id), f"notification channel {channel.name}"
        )
        if url is not None:
            await storage.notification_channels.update(_with_url(channel, url))
            result.channels += 1
            result.values += 1
    return result


def _with_url(channel: NotificationChannel, url: str) -> NotificationChannel:
    return channel.model_copy(update={"url": url})


async def reseal_all(storage: Storage, box: SecretBox) -> RotationResult:
    """Re-seal every sealed value under the box's first key; return what was re-sealed."""
    result = await reseal_records(storage, box, rekey=True)
    await storage.logs.create(
        LogEntry(
            timestamp=utc_now(),
            type=LogType.SYSTEM,
            action="rotate_key",
            message=f"encryption key rotated: {result.values} secret values re-sealed",
            details={
                "credentials": result.credentials,
                "environments": result.environments,
                "channels": result.channels,
                "values": result.values,
            },
        )
    )
    return result
