"""Quiet: when health changes of an environment are not announced.

Alerts about an environment are quiet while a maintenance window covers it, or while an
operation runs on it: its claim (`activeOperation`, held through verification), or an
operation the bus said is running. The operation's final update is published just before its
claim is cleared, so the bus's order decides for changes made during it.

With several instances the operation may run on another instance than the one that checks the
environment: its updates arrive relayed (followed all the same), and `ended()` tells alerting
of an operation that ended, so that the quiet it made and a failure its message covered count
even before its own instance has stored them in the alert state.
"""

from collections.abc import Callable
from datetime import datetime

from envdeck.domain.alerting import KEEP_OPERATION
from envdeck.domain.environment import Environment
from envdeck.domain.errors import EnvironmentNotFound, OperationNotFound
from envdeck.domain.operation import FINISHED_STATUSES, Operation
from envdeck.repositories.base import Storage
from envdeck.services.maintenance.windows import MaintenanceService


class QuietRules:
    def __init__(
        self,
        storage: Storage,
        maintenance: MaintenanceService,
        clock: Callable[[], datetime],
    ) -> None:
        self._storage = storage
        self._maintenance = maintenance
        self._clock = clock
        # Operations running per environment, as the bus told (storage's claim may lag).
        self._running: dict[str, Operation] = {}
        # The last operation per environment known to have ended (kept KEEP_OPERATION).
        self._ended: dict[str, Operation] = {}

    def follow(self, op: Operation) -> None:
        """Note an operation update from the bus (this instance's or relayed): running, or
        no longer."""
        if op.status not in FINISHED_STATUSES:
            self._running[op.environment_id] = op
            return
        self._note_ended(op)
        running = self._running.get(op.environment_id)
        if running is not None and running.id == op.id:
            del self._running[op.environment_id]

    def ended(self, environment_id: str) -> Operation | None:
        """Return the environment's last operation known to have ended within KEEP_OPERATION."""
        op = self._ended.get(environment_id)
        if op is None or op.finished_at is None:
            return None
        if self._clock() - op.finished_at > KEEP_OPERATION:
            del self._ended[environment_id]
            return None
        return op

    def _note_ended(self, op: Operation) -> None:
        if op.finished_at is None:
            return
        known = self._ended.get(op.environment_id)
        if known is None or known.finished_at is None or known.finished_at <= op.finished_at:
            self._ended[op.environment_id] = op

    async def check(self, environment_id: str, at: datetime) -> tuple[bool, Environment | None]:
        """Tell whether alerts about this environment are quiet at `at`; also return it
        (None when it was deleted)."""
        try:
            env = await self._storage.environments.get_by_id(environment_id)
        except EnvironmentNotFound:
            return False, None
        active = env.active_operation
        if active is not None and active.started_at <= at:
            return True, env
        running = self._running.get(environment_id)
        if running is not None and await self._ran_at(running, at):
            return True, env
        return await self._maintenance.in_maintenance(env, at), env

    async def _ran_at(self, running: Operation, at: datetime) -> bool:
        """Tell whether an operation the bus said started was still running at `at`.

        Its claim is cleared just after its final status is published, so storage may show
        it gone while its final update still waits in our queue.
        """
        try:
            stored = await self._storage.operations.get_by_id(running.id)
        except OperationNotFound:
            self._running.pop(running.environment_id, None)
            return False
        if stored.status not in FINISHED_STATUSES:
            return True
        self._note_ended(stored)
        if stored.finished_at is not None and at > stored.finished_at:
            # Finished (its final update lost or still queued): not quiet any more.
            if self._clock() - stored.finished_at > KEEP_OPERATION:
                self._running.pop(running.environment_id, None)
            return False
        return True
