"""The embedded backend: one SQLite file in WAL mode."""

from pathlib import Path

from envdeck.repositories.base import ClusterStore, ClusterUnsupported
from envdeck.repositories.sqlite.alerting import (
    SqliteAlertStateRepository,
    SqliteNotificationOutboxRepository,
)
from envdeck.repositories.sqlite.credentials import SqliteCredentialRepository
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.environments import SqliteEnvironmentRepository
from envdeck.repositories.sqlite.health_samples import SqliteHealthSampleRepository
from envdeck.repositories.sqlite.instances import SqliteInstanceRepository
from envdeck.repositories.sqlite.login_attempts import SqliteLoginAttemptRepository
from envdeck.repositories.sqlite.logs import SqliteLogRepository
from envdeck.repositories.sqlite.maintenance_windows import SqliteMaintenanceWindowRepository
from envdeck.repositories.sqlite.notification_channels import (
    SqliteNotificationChannelRepository,
)
from envdeck.repositories.sqlite.operations import SqliteOperationRepository
from envdeck.repositories.sqlite.promotions import (
    SqlitePipelineRepository,
    SqlitePromotionRepository,
)
from envdeck.repositories.sqlite.reservations import SqliteReservationRepository
from envdeck.repositories.sqlite.revocations import SqliteRevocationRepository
from envdeck.repositories.sqlite.status_pages import SqliteStatusPageRepository
from envdeck.repositories.sqlite.tokens import SqliteApiTokenRepository
from envdeck.repositories.sqlite.users import SqliteUserRepository


class SqliteStorage:
    """Every repository over one SQLite database file."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self._db = SqliteDatabase(path)
        self.environments = SqliteEnvironmentRepository(self._db)
        self.users = SqliteUserRepository(self._db)
        self.logs = SqliteLogRepository(self._db)
        self.operations = SqliteOperationRepository(self._db)
        self.credentials = SqliteCredentialRepository(self._db)
        self.tokens = SqliteApiTokenRepository(self._db)
        self.revocations = SqliteRevocationRepository(self._db)
        self.health_samples = SqliteHealthSampleRepository(self._db)
        self.maintenance_windows = SqliteMaintenanceWindowRepository(self._db)
        self.notification_channels = SqliteNotificationChannelRepository(self._db)
        self.instances = SqliteInstanceRepository(self._db)
        self.login_attempts = SqliteLoginAttemptRepository(self._db)
        self.alert_states = SqliteAlertStateRepository(self._db)
        self.notification_outbox = SqliteNotificationOutboxRepository(self._db)
        self.reservations = SqliteReservationRepository(self._db)
        self.pipelines = SqlitePipelineRepository(self._db)
        self.promotions = SqlitePromotionRepository(self._db)
        self.status_pages = SqliteStatusPageRepository(self._db)

    async def open(self) -> None:
        await self._db.open()

    async def cluster_store(self) -> ClusterStore:
        raise ClusterUnsupported(
            "SQLite is one instance's store; several instances need MongoDB"
            " (docs/operations.md, Running several instances)"
        )

    async def ping(self) -> None:
        """Return when a write could start now (not merely a read): see SqliteDatabase.ping."""
        await self._db.ping()

    async def close(self) -> None:
        await self._db.close()


__all__ = ["SqliteStorage"]
