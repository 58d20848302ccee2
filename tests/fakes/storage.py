"""FakeStorage: one in-memory repository per protocol, sharing one outage switch and clock.

For specifications of services (tests/unit): honest about the semantics the services rely on
(unique names, conditional updates, pages, newest first, idempotent batches), and checked
against the protocols by mypy (pyproject's mypy `files`). Storage behaviour itself is specified
in tests/contract, against the real backends.
"""

from envdeck.repositories.base import (
    AlertStateRepository,
    ApiTokenRepository,
    ClusterStore,
    ClusterUnsupported,
    CredentialRepository,
    EnvironmentRepository,
    HealthSampleRepository,
    InstanceRepository,
    LoginAttemptRepository,
    LogRepository,
    MaintenanceWindowRepository,
    NotificationChannelRepository,
    NotificationOutboxRepository,
    OperationRepository,
    PipelineRepository,
    PromotionRepository,
    ReservationRepository,
    RevocationRepository,
    StatusPageRepository,
    UserRepository,
)
from tests.fakes.alerting import FakeAlertStateRepository, FakeNotificationOutboxRepository
from tests.fakes.cluster import FakeCluster
from tests.fakes.documents import Clock, Outage
from tests.fakes.environments import FakeEnvironmentRepository
from tests.fakes.health_samples import FakeHealthSampleRepository
from tests.fakes.identity import (
    FakeApiTokenRepository,
    FakeCredentialRepository,
    FakeRevocationRepository,
    FakeUserRepository,
)
from tests.fakes.instances import FakeInstanceRepository
from tests.fakes.login_attempts import FakeLoginAttemptRepository
from tests.fakes.logs import FakeLogRepository
from tests.fakes.operations import FakeOperationRepository
from tests.fakes.promotions import FakePipelineRepository, FakePromotionRepository
from tests.fakes.reservations import FakeReservationRepository
from tests.fakes.scheduling import (
    FakeMaintenanceWindowRepository,
    FakeNotificationChannelRepository,
)
from tests.fakes.status_pages import FakeStatusPageRepository


class FakeStorage:
    """Every repository in memory. `down = True` is a storage outage: every call raises
    StorageUnavailable until it is set back."""

    backend = "memory"

    def __init__(self, clock: Clock | None = None, cluster: FakeCluster | None = None) -> None:
        self.outage = Outage()
        # Shared with other FakeStorages for instances of one test; None: one instance only.
        self.cluster = cluster
        self.environments = FakeEnvironmentRepository(self.outage, clock)
        self.users = FakeUserRepository(self.outage, clock)
        self.logs = FakeLogRepository(self.outage)
        self.operations = FakeOperationRepository(self.outage, clock)
        self.credentials = FakeCredentialRepository(self.outage, clock)
        self.tokens = FakeApiTokenRepository(self.outage, clock)
        self.revocations = FakeRevocationRepository(self.outage)
        self.health_samples = FakeHealthSampleRepository(self.outage)
        self.maintenance_windows = FakeMaintenanceWindowRepository(self.outage, clock)
        self.notification_channels = FakeNotificationChannelRepository(self.outage, clock)
        self.instances = FakeInstanceRepository(self.outage, clock)
        self.login_attempts = FakeLoginAttemptRepository(self.outage)
        self.alert_states = FakeAlertStateRepository(self.outage)
        self.notification_outbox = FakeNotificationOutboxRepository(self.outage)
        self.reservations = FakeReservationRepository(self.outage, clock)
        self.pipelines = FakePipelineRepository(self.outage, clock)
        self.promotions = FakePromotionRepository(self.outage, clock)
        self.status_pages = FakeStatusPageRepository(self.outage, clock)
        self.opened = False

    @property
    def down(self) -> bool:
        return self.outage.down

    @down.setter
    def down(self, value: bool) -> None:
        self.outage.down = value

    async def open(self) -> None:
        self.opened = True

    async def ping(self) -> None:
        self.outage.check()

    async def cluster_store(self) -> ClusterStore:
        if self.cluster is None:
            raise ClusterUnsupported("this fake storage is one instance's")
        return self.cluster

    async def close(self) -> None:
        self.opened = False


def _conforms(storage: FakeStorage) -> None:
    """Nothing calls this: mypy checks here that the fakes still match the protocols.

    (FakeStorage itself is not checked against Storage: a protocol's attributes are settable,
    so mypy would ask for attributes typed as the protocols, hiding what the fakes add.)
    """
    repositories: tuple[
        EnvironmentRepository,
        UserRepository,
        LogRepository,
        OperationRepository,
        CredentialRepository,
        ApiTokenRepository,
        RevocationRepository,
        HealthSampleRepository,
        MaintenanceWindowRepository,
        NotificationChannelRepository,
        InstanceRepository,
        LoginAttemptRepository,
        AlertStateRepository,
        NotificationOutboxRepository,
        ReservationRepository,
        StatusPageRepository,
        PipelineRepository,
        PromotionRepository,
    ] = (
        storage.environments,
        storage.users,
        storage.logs,
        storage.operations,
        storage.credentials,
        storage.tokens,
        storage.revocations,
        storage.health_samples,
        storage.maintenance_windows,
        storage.notification_channels,
        storage.instances,
        storage.login_attempts,
        storage.alert_states,
        storage.notification_outbox,
        storage.reservations,
        storage.status_pages,
        storage.pipelines,
        storage.promotions,
    )
    assert repositories
