"""MongoStorage: the MongoDB backend, one client shared by every repository."""

from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from envdeck.domain.errors import StorageUnavailable
from envdeck.repositories.base import ClusterUnsupported
from envdeck.repositories.mongo.alerting import (
    MongoAlertStateRepository,
    MongoNotificationOutboxRepository,
)
from envdeck.repositories.mongo.credentials import MongoCredentialRepository
from envdeck.repositories.mongo.documents import TYPE_REGISTRY, Document, translate_errors
from envdeck.repositories.mongo.environments import MongoEnvironmentRepository
from envdeck.repositories.mongo.event_stream import MongoEventStream
from envdeck.repositories.mongo.health_samples import MongoHealthSampleRepository
from envdeck.repositories.mongo.instances import MongoInstanceRepository
from envdeck.repositories.mongo.leases import MongoLeaseRepository
from envdeck.repositories.mongo.login_attempts import MongoLoginAttemptRepository
from envdeck.repositories.mongo.logs import MongoLogRepository
from envdeck.repositories.mongo.maintenance_windows import MongoMaintenanceWindowRepository
from envdeck.repositories.mongo.notification_channels import (
    MongoNotificationChannelRepository,
)
from envdeck.repositories.mongo.operations import MongoOperationRepository
from envdeck.repositories.mongo.promotions import MongoPipelineRepository, MongoPromotionRepository
from envdeck.repositories.mongo.reservations import MongoReservationRepository
from envdeck.repositories.mongo.revocations import MongoRevocationRepository
from envdeck.repositories.mongo.status_pages import MongoStatusPageRepository
from envdeck.repositories.mongo.tokens import MongoApiTokenRepository
from envdeck.repositories.mongo.users import MongoUserRepository

# An unreachable server should fail a request in seconds, not after PyMongo's default 30 s.
# socketTimeoutMS: PyMongo's default waits forever on a connection whose peer went silent (a
# network partition), until its monitor notices 10-20 s later; no Envdeck call waits 10 s for
# an answer otherwise. Options given in the URI win over these (docs/configuration.md).
_DEFAULT_TIMEOUTS_MS = {
    "serverSelectionTimeoutMS": 5000,
    "connectTimeoutMS": 5000,
    "socketTimeoutMS": 10000,
}


class _Indexed(Protocol):
    async def create_indexes(self) -> None: ...


def _client_options(uri: str) -> dict[str, Any]:
    given = {key.lower() for key in parse_qs(urlsplit(uri).query)}
    return {key: ms for key, ms in _DEFAULT_TIMEOUTS_MS.items() if key.lower() not in given}


class MongoStorage:
    """Every repository's collection in one MongoDB database."""

    backend = "mongodb"

    def __init__(self, uri: str, database: str) -> None:
        # The client does no I/O until first used, and binds to the event loop of that use.
        self._client: AsyncMongoClient[Document] = AsyncMongoClient(
            uri,
            tz_aware=True,
            type_registry=TYPE_REGISTRY,
            appname="envdeck",
            **_client_options(uri),
        )
        db = self._client[database]
        environments = MongoEnvironmentRepository(db["environments"])
        users = MongoUserRepository(db["users"])
        logs = MongoLogRepository(db["logs"])
        operations = MongoOperationRepository(db["operations"])
        credentials = MongoCredentialRepository(db["credentials"])
        tokens = MongoApiTokenRepository(db["apiTokens"])
        revocations = MongoRevocationRepository(db["revocations"])
        health_samples = MongoHealthSampleRepository(db["healthSamples"], db["healthRollups"])
        maintenance_windows = MongoMaintenanceWindowRepository(db["maintenanceWindows"])
        notification_channels = MongoNotificationChannelRepository(db["notificationChannels"])
        instances = MongoInstanceRepository(db["instances"])
        login_attempts = MongoLoginAttemptRepository(db["loginAttempts"])
        alert_states = MongoAlertStateRepository(db["alertStates"])
        notification_outbox = MongoNotificationOutboxRepository(db["notificationOutbox"])
        reservations = MongoReservationRepository(db["reservations"], db["reservationLocks"])
        pipelines = MongoPipelineRepository(db["pipelines"])
        promotions = MongoPromotionRepository(db["promotions"], db["promotionLocks"])
        status_pages = MongoStatusPageRepository(db["statusPages"])
        self.environments = environments
        self.users = users
        self.logs = logs
        self.operations = operations
        self.credentials = credentials
        self.tokens = tokens
        self.revocations = revocations
        self.health_samples = health_samples
        self.maintenance_windows = maintenance_windows
        self.notification_channels = notification_channels
        self.instances = instances
        self.login_attempts = login_attempts
        self.alert_states = alert_states
        self.notification_outbox = notification_outbox
        self.reservations = reservations
        self.pipelines = pipelines
        self.promotions = promotions
        self.status_pages = status_pages
        # What several instances share (cluster_store): leases and the event stream.
        self._leases = MongoLeaseRepository(db["leases"])
        self._events = MongoEventStream(db["events"])
        self._indexed: tuple[_Indexed, ...] = (
            environments,
            users,
            logs,
            operations,
            credentials,
            tokens,
            revocations,
            health_samples,
            maintenance_windows,
            notification_channels,
            instances,
            login_attempts,
            alert_states,
            notification_outbox,
            reservations,
            status_pages,
            pipelines,
            promotions,
            self._leases,
            self._events,
        )

    async def open(self) -> None:
        """Connect and create the indexes; creating an existing index changes nothing."""
        await self.ping()
        with translate_errors():
            for repository in self._indexed:
                await repository.create_indexes()

    async def ping(self) -> None:
        """Return when the server answers; raise StorageUnavailable when it does not.

        Any failure means "not available": a server stopping or starting may answer the ping
        with an error (InternalError, say) rather than not at all.
        """
        try:
            await self._client.admin.command("ping")
        except PyMongoError as exc:
            raise StorageUnavailable(details={"reason": type(exc).__name__}) from exc

    async def cluster_store(self) -> "MongoClusterStore":
        """Return the leases and the event stream; ClusterUnsupported unless the server is a
        replica set (change streams need one)."""
        with translate_errors():
            hello = await self._client.admin.command("hello")
        if not hello.get("setName") and hello.get("msg") != "isdbgrid":
            raise ClusterUnsupported(
                "MongoDB is not a replica set, and several instances need its change streams:"
                " running as the only instance (docs/operations.md, Running several instances)"
            )
        return MongoClusterStore(self._leases, self._events)

    async def close(self) -> None:
        """Release the client's connections."""
        await self._client.close()


class MongoClusterStore:
    def __init__(self, leases: MongoLeaseRepository, events: MongoEventStream) -> None:
        self.leases = leases
        self.events = events
