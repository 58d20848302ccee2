"""The start-up migration of stored secrets: each bound to its record and field.

Values sealed before that binding (`enc:v1:`), and secrets stored in clear in a place that
has since become secret, are sealed as bound `enc:v2:` values in place by `migrate_secrets`,
once storage answers and before the health engine and the operations use them
(`app._after_open`). It is idempotent: a record with nothing to migrate is not written, so
every later start only reads. A value the key does not open is left as it is and logged as
`secret_unreadable` (naming the record and field, never a value): it could not be used
before either, and storing it again through the API replaces it.
"""

import structlog

from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.clock import utc_now
from envdeck.domain.log import LogEntry, LogType
from envdeck.repositories.base import Storage
from envdeck.services.inventory.key_rotation import RotationResult, reseal_records

log = structlog.get_logger(__name__)


async def migrate_secrets(storage: Storage, box: SecretBox) -> RotationResult:
    """Seal, bound to its place, every stored secret that is not yet; return what changed."""
    unreadable: list[str] = []
    result = await reseal_records(storage, box, rekey=False, unreadable=unreadable.append)
    for where in unreadable:
        log.warning("secret_unreadable", where=where)
    if result.values:
        details = {
            "credentials": result.credentials,
            "environments": result.environments,
            "channels": result.channels,
            "values": result.values,
        }
        log.info("secrets_migrated", **details)
        await storage.logs.create(
            LogEntry(
                timestamp=utc_now(),
                type=LogType.SYSTEM,
                action="migrate_secrets",
                message=f"{result.values} stored secret values sealed, bound to their place",
                details=details,
            )
        )
    return result
