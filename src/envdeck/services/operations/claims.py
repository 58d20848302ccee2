"""One operation per environment: a compare-and-set claim on `activeOperation`.

Of two requests racing for one environment exactly one claims it; the other gets 409 naming
the running operation. A claim left over by an operation that ended (or never got a record)
is stale and cleared, so a crash never blocks an environment for good.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from envdeck.domain.environment import ActiveOperation, Environment
from envdeck.domain.errors import Conflict, OperationNotFound
from envdeck.domain.operation import FINISHED_STATUSES
from envdeck.repositories.base import Storage
from envdeck.services.operations.registry import OperationRegistry

log = structlog.get_logger(__name__)

# A claim whose operation record does not exist yet is being started, unless it is this old.
STALE_CLAIM = timedelta(seconds=60)


class EnvironmentClaims:
    """Claims of environments by operations; see the module docstring."""

    def __init__(
        self, storage: Storage, registry: OperationRegistry, clock: Callable[[], datetime]
    ) -> None:
        self._storage = storage
        self._registry = registry
        self._clock = clock

    async def refuse_if_busy(self, env: Environment) -> None:
        """Raise Conflict when env runs an operation whose claim is not stale."""
        active = env.active_operation
        if active is not None and not await self.is_stale(active):
            raise self.conflict(env, active)

    def conflict(self, env: Environment, active: ActiveOperation) -> Conflict:
        return Conflict(
            f"{env.name} already has a {active.type.value} running (operation {active.id}); "
            "wait for it to finish or cancel it",
            {"operationId": active.id, "type": active.type.value},
        )

    async def is_stale(self, active: ActiveOperation) -> bool:
        """Tell whether a claim is left over (its operation ended, or never got a record)."""
        if active.id in self._registry:
            return False
        try:
            op = await self._storage.operations.get_by_id(active.id)
        except OperationNotFound:
            return self._clock() - active.started_at > STALE_CLAIM
        return op.status in FINISHED_STATUSES

    async def claim(self, env: Environment, active: ActiveOperation) -> None:
        """Claim env for active, clearing a stale claim; Conflict when another holds it."""
        environments = self._storage.environments
        for _ in range(3):
            if await environments.set_active_operation(env.id, active, None):
                return
            current = (await environments.get_by_id(env.id)).active_operation
            if current is None:
                continue
            if not await self.is_stale(current):
                raise self.conflict(env, current)
            log.warning("operation_stale_claim_cleared", environment_id=env.id, stale=current.id)
            await environments.clear_active_operation(env.id, current.id)
        raise Conflict(f"{env.name} is busy; try again", {"environmentId": env.id})
