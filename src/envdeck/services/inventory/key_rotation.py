"""Re-sealing every stored secret under a new key, for `envdeck secrets rotate-key`.

Sealed values live in credentials (secret, passphrase) and in environments (the values of
secret headers). Each record is re-sealed and saved on its own; the box opens values under the
old key and the new one, so a rotation that stops half-way is simply run again.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError, is_sealed
from envdeck.domain.base import MAX_PAGE_LIMIT
from envdeck.domain.clock import utc_now
from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.domain.log import LogEntry, LogType
from envdeck.repositories.base import Storage
from envdeck.services.inventory.environments import header_maps
from envdeck.services.inventory.secret_headers import is_secret_header

T = TypeVar("T")


@dataclass
class RotationResult:
    credentials: int  # records saved again
    environments: int
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


def _reseal(box: SecretBox, sealed: str, where: str) -> str:
    try:
        return box.reseal(sealed)
    except SecretDecryptionError:
        raise SecretDecryptionError(
            f"{where} cannot be decrypted with the current key: store it again through the API"
            " (or remove it), then run the rotation again"
        ) from None


def _resealed_credential(credential: Credential, box: SecretBox) -> tuple[Credential, int]:
    where = f"credential {credential.name}"
    update = {"secret": _reseal(box, credential.secret, f"{where}: secret")}
    if credential.passphrase:
        update["passphrase"] = _reseal(box, credential.passphrase, f"{where}: passphrase")
    return credential.model_copy(update=update), len(update)


def _resealed_environment(environment: Environment, box: SecretBox) -> tuple[Environment, int]:
    copy = environment.model_copy(deep=True)
    count = 0
    for path, owner, attribute in header_maps(copy):
        headers: dict[str, str] = dict(getattr(owner, attribute))
        for name, value in headers.items():
            if is_secret_header(name) and is_sealed(value):
                where = f"environment {environment.name}: {path}.{name}"
                headers[name] = _reseal(box, value, where)
                count += 1
        setattr(owner, attribute, headers)
    return copy, count


async def reseal_all(storage: Storage, box: SecretBox) -> RotationResult:
    """Re-seal every sealed value under the box's first key; return what was re-sealed."""
    result = RotationResult(credentials=0, environments=0, values=0)
    credentials = await _read_all(
        lambda page: storage.credentials.list(
            CredentialListOptions(page=page, limit=MAX_PAGE_LIMIT)
        )
    )
    for credential in credentials:
        resealed, count = _resealed_credential(credential, box)
        await storage.credentials.update(resealed)
        result.credentials += 1
        result.values += count
    environments = await _read_all(
        lambda page: storage.environments.list(
            EnvironmentListOptions(page=page, limit=MAX_PAGE_LIMIT)
        )
    )
    for environment in environments:
        resealed_env, count = _resealed_environment(environment, box)
        if count:
            await storage.environments.update(resealed_env)
            result.environments += 1
            result.values += count
    await storage.logs.create(
        LogEntry(
            timestamp=utc_now(),
            type=LogType.SYSTEM,
            action="rotate_key",
            message=f"encryption key rotated: {result.values} secret values re-sealed",
            details={
                "credentials": result.credentials,
                "environments": result.environments,
                "values": result.values,
            },
        )
    )
    return result
