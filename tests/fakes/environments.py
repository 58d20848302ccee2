"""EnvironmentRepository in memory: unique names, the list's filters and sorts, the claims."""

import builtins
from datetime import datetime
from typing import Any

from envdeck.domain.environment import (
    HEALTH_RANK,
    ActiveOperation,
    Environment,
    EnvironmentListOptions,
    HealthState,
    OperationTimestamp,
    Status,
    SystemInfo,
)
from envdeck.domain.errors import EnvironmentNotFound
from envdeck.domain.ids import new_id
from tests.fakes.documents import FakeRepository, page

_TIMESTAMP_FIELDS: dict[OperationTimestamp, str] = {
    "lastRestartAt": "last_restart_at",
    "lastUpgradeAt": "last_upgrade_at",
}


def _matches(env: Environment, options: EnvironmentListOptions) -> bool:
    if options.status is not None and env.status.health is not options.status:
        return False
    if options.tag is not None and options.tag not in env.tags:
        return False
    if options.ids is not None and env.id not in options.ids:
        return False
    if options.exclude_ids and env.id in options.exclude_ids:
        return False
    if options.q:
        # SQLite's LIKE and MongoDB's case-insensitive regex: a substring, any case.
        haystack = [env.name, env.description, str(env.environment_url or "")]
        return any(options.q.lower() in text.lower() for text in haystack)
    return True


def _sorted(envs: list[Environment], sort: str) -> list[Environment]:
    field = sort.lstrip("-")
    descending = sort.startswith("-")
    by_key: dict[str, Any] = {
        "name": lambda e: e.name,
        "createdAt": lambda e: e.timestamps.created_at,
        "health": lambda e: HEALTH_RANK[e.status.health],
        "lastCheck": lambda e: e.status.last_check,
    }
    key = by_key[field]
    # Ties keep the backends' secondary order: name for health, the id otherwise.
    ordered = sorted(envs, key=lambda e: (e.name, e.id) if field == "health" else e.id)
    # Missing times sort first ascending (SQLite's NULLs), last descending.
    return sorted(ordered, key=lambda e: (key(e) is not None, key(e) or 0), reverse=descending)


class FakeEnvironmentRepository(FakeRepository[Environment]):
    not_found = EnvironmentNotFound
    unique = (("name", lambda e: e.name),)

    async def create(self, environment: Environment) -> Environment:
        stored = environment.model_copy(deep=True)
        stored.id = environment.id or new_id()
        stored.timestamps.created_at = stored.timestamps.updated_at = self._now()
        return self.docs.insert(stored.id, stored)

    async def get_by_name(self, name: str) -> Environment:
        return self.docs.find(lambda e: e.name == name)

    async def list_by_credential(self, credential_id: str) -> list[Environment]:
        found = [e for e in self.docs.all() if e.credentials.key_id == credential_id]
        return sorted(found, key=lambda e: e.name)

    async def list(self, options: EnvironmentListOptions) -> tuple[list[Environment], int]:
        matching = [e for e in self.docs.all() if _matches(e, options)]
        return page(_sorted(matching, options.sort), options)

    async def find(self, options: EnvironmentListOptions) -> builtins.list[Environment]:
        return (await self.list(options))[0]

    async def update(self, environment: Environment) -> Environment:
        stored = self.docs.get(environment.id)
        updated = environment.model_copy(deep=True)
        # What update_status and the operation service own is kept (see the protocol).
        updated.status = stored.status
        updated.active_operation = stored.active_operation
        updated.timestamps.created_at = stored.timestamps.created_at
        updated.timestamps.last_restart_at = stored.timestamps.last_restart_at
        updated.timestamps.last_upgrade_at = stored.timestamps.last_upgrade_at
        updated.timestamps.updated_at = self._now()
        return self.docs.put(environment.id, updated)

    async def update_status(self, environment_id: str, status: Status) -> None:
        env = self.docs.get(environment_id)
        env.status = status.model_copy()
        self.docs.put(environment_id, env)

    async def update_statuses(self, statuses: dict[str, Status]) -> None:
        self.outage.check()
        for environment_id, status in statuses.items():
            if not self.docs.has(environment_id):
                continue  # deleted meanwhile
            env = self.docs.get(environment_id)
            env.status = status.model_copy()
            if status.health is HealthState.HEALTHY and status.last_check is not None:
                env.timestamps.last_healthy_at = status.last_check
            self.docs.put(environment_id, env)

    async def update_system_info(self, environment_id: str, system_info: SystemInfo) -> None:
        env = self.docs.get(environment_id)
        env.system_info = system_info.model_copy()
        self.docs.put(environment_id, env)

    async def update_system_infos(self, system_infos: dict[str, SystemInfo]) -> None:
        self.outage.check()
        for environment_id, info in system_infos.items():
            if self.docs.has(environment_id):
                await self.update_system_info(environment_id, info)

    async def set_active_operation(
        self, environment_id: str, active: ActiveOperation, expected: str | None = None
    ) -> bool:
        # No await between the check and the write: atomic within the event loop.
        env = self.docs.get(environment_id)
        current = env.active_operation.id if env.active_operation else None
        if (current or "") != (expected or ""):
            return False
        env.active_operation = active.model_copy()
        self.docs.put(environment_id, env)
        return True

    async def clear_active_operation(self, environment_id: str, operation_id: str) -> bool:
        self.outage.check()
        if not self.docs.has(environment_id):
            return False
        env = self.docs.get(environment_id)
        if env.active_operation is None or env.active_operation.id != operation_id:
            return False
        env.active_operation = None
        self.docs.put(environment_id, env)
        return True

    async def set_host_key(self, environment_id: str, host_key: str, expected: str = "") -> bool:
        self.outage.check()
        if not self.docs.has(environment_id):
            return False
        env = self.docs.get(environment_id)
        if env.target.host_key != expected:
            return False
        env.target.host_key = host_key
        self.docs.put(environment_id, env)
        return True

    async def set_operation_timestamp(
        self, environment_id: str, name: OperationTimestamp, at: datetime
    ) -> None:
        self.outage.check()
        if self.docs.has(environment_id):
            env = self.docs.get(environment_id)
            setattr(env.timestamps, _TIMESTAMP_FIELDS[name], at)
            self.docs.put(environment_id, env)

    async def count(self) -> int:
        return len(self.docs.all())

    async def count_by_health(self) -> dict[str, int]:
        counts = dict.fromkeys((state.value for state in HealthState), 0)
        for env in self.docs.all():
            counts[env.status.health.value] += 1
        return counts

    async def count_by_tag(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for env in self.docs.all():
            for tag in env.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return dict(sorted(counts.items()))
