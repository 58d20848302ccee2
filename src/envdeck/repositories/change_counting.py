"""An environment repository that counts its writes, so readers can tell when to re-read.

Every write through it (create, update, status, delete) bumps `version`, whether it succeeded
or not (a failed write's outcome may be unknown). Caches of derived views (list pages, counts)
key their entries by the version and so never serve what an earlier write made stale. The count
is this process's: writes made by another Envdeck instance are not seen (see DESIGN §11).
`ChangeCountingStorage` hands it to every service as the storage's `environments`.
"""

import builtins
from datetime import datetime

from envdeck.domain.environment import (
    ActiveOperation,
    Environment,
    EnvironmentListOptions,
    OperationTimestamp,
    Status,
    SystemInfo,
)
from envdeck.repositories.base import ClusterStore, EnvironmentRepository, Storage


class ChangeCountingEnvironments:
    def __init__(self, inner: EnvironmentRepository) -> None:
        self._inner = inner
        self.version = 0

    async def create(self, environment: Environment) -> Environment:
        try:
            return await self._inner.create(environment)
        finally:
            self.version += 1

    async def update(self, environment: Environment) -> Environment:
        try:
            return await self._inner.update(environment)
        finally:
            self.version += 1

    async def update_status(self, environment_id: str, status: Status) -> None:
        try:
            await self._inner.update_status(environment_id, status)
        finally:
            self.version += 1

    async def update_statuses(self, statuses: dict[str, Status]) -> None:
        try:
            await self._inner.update_statuses(statuses)
        finally:
            self.version += 1

    async def update_system_info(self, environment_id: str, system_info: SystemInfo) -> None:
        try:
            await self._inner.update_system_info(environment_id, system_info)
        finally:
            self.version += 1

    async def update_system_infos(self, system_infos: dict[str, SystemInfo]) -> None:
        try:
            await self._inner.update_system_infos(system_infos)
        finally:
            self.version += 1

    async def set_active_operation(
        self, environment_id: str, active: ActiveOperation, expected: str | None = None
    ) -> bool:
        try:
            return await self._inner.set_active_operation(environment_id, active, expected)
        finally:
            self.version += 1

    async def clear_active_operation(self, environment_id: str, operation_id: str) -> bool:
        try:
            return await self._inner.clear_active_operation(environment_id, operation_id)
        finally:
            self.version += 1

    async def set_host_key(self, environment_id: str, host_key: str, expected: str = "") -> bool:
        try:
            return await self._inner.set_host_key(environment_id, host_key, expected)
        finally:
            self.version += 1

    async def set_operation_timestamp(
        self, environment_id: str, name: OperationTimestamp, at: datetime
    ) -> None:
        try:
            await self._inner.set_operation_timestamp(environment_id, name, at)
        finally:
            self.version += 1

    async def delete(self, environment_id: str) -> None:
        try:
            await self._inner.delete(environment_id)
        finally:
            self.version += 1

    async def get_by_id(self, environment_id: str) -> Environment:
        return await self._inner.get_by_id(environment_id)

    async def get_by_name(self, name: str) -> Environment:
        return await self._inner.get_by_name(name)

    async def list_by_credential(self, credential_id: str) -> list[Environment]:
        return await self._inner.list_by_credential(credential_id)

    async def list(self, options: EnvironmentListOptions) -> tuple[list[Environment], int]:
        return await self._inner.list(options)

    async def find(self, options: EnvironmentListOptions) -> builtins.list[Environment]:
        return await self._inner.find(options)

    async def count(self) -> int:
        return await self._inner.count()

    async def count_by_health(self) -> dict[str, int]:
        return await self._inner.count_by_health()

    async def count_by_tag(self) -> dict[str, int]:
        return await self._inner.count_by_tag()


class ChangeCountingStorage:
    """A Storage whose environment writes are counted (`environments_version`); the other
    repositories, open(), ping() and close() are the given storage's own."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._counter = ChangeCountingEnvironments(storage.environments)
        self.backend = storage.backend
        self.environments = self._counter
        self.users = storage.users
        self.logs = storage.logs
        self.operations = storage.operations
        self.credentials = storage.credentials
        self.tokens = storage.tokens
        self.revocations = storage.revocations
        self.health_samples = storage.health_samples
        self.maintenance_windows = storage.maintenance_windows
        self.status_pages = storage.status_pages
        self.notification_channels = storage.notification_channels
        self.instances = storage.instances
        self.login_attempts = storage.login_attempts
        self.alert_states = storage.alert_states
        self.notification_outbox = storage.notification_outbox
        self.reservations = storage.reservations
        self.pipelines = storage.pipelines
        self.promotions = storage.promotions

    @property
    def environments_version(self) -> int:
        """Return how many environment writes went through this storage."""
        return self._counter.version

    async def open(self) -> None:
        await self._storage.open()

    async def ping(self) -> None:
        await self._storage.ping()

    async def cluster_store(self) -> ClusterStore:
        return await self._storage.cluster_store()

    async def close(self) -> None:
        await self._storage.close()
