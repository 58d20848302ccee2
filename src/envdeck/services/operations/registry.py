"""The operations running in this process: their tasks (never fire-and-forget) and cancel flags."""

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import structlog

log = structlog.get_logger(__name__)


@dataclass
class RunningOperation:
    operation_id: str
    task: "asyncio.Task[None]"
    cancel: asyncio.Event = field(default_factory=asyncio.Event)


class OperationRegistry:
    """Hold a reference to every operation task until it ends; cancel them one by one or all."""

    def __init__(self) -> None:
        self._running: dict[str, RunningOperation] = {}

    def __len__(self) -> int:
        return len(self._running)

    def __contains__(self, operation_id: object) -> bool:
        return operation_id in self._running

    def start(
        self,
        operation_id: str,
        work: "Coroutine[Any, Any, None]",
        cancel: asyncio.Event,
    ) -> RunningOperation:
        """Run work as the task of operation_id; it is forgotten when it ends."""
        task = asyncio.create_task(work, name=f"operation:{operation_id}")
        running = RunningOperation(operation_id, task, cancel)
        self._running[operation_id] = running
        task.add_done_callback(lambda _: self._finished(operation_id, task))
        return running

    def _finished(self, operation_id: str, task: "asyncio.Task[None]") -> None:
        current = self._running.get(operation_id)
        if current is not None and current.task is task:
            del self._running[operation_id]
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "operation_task_crashed", operation_id=operation_id, exc_info=task.exception()
            )

    def request_cancel(self, operation_id: str) -> bool:
        """Set operation_id's cancel flag; return False when it does not run here."""
        running = self._running.get(operation_id)
        if running is None:
            return False
        running.cancel.set()
        return True

    async def wait(self, operation_id: str, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until operation_id's task ends (at most timeout seconds)."""
        running = self._running.get(operation_id)
        if running is None:
            return
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(running.task), timeout)

    async def close(self, grace: float) -> None:
        """Let running operations finish for grace seconds, then cancel the rest and wait."""
        tasks = [running.task for running in self._running.values()]
        if not tasks:
            return
        log.info("operations_draining", running=len(tasks), grace_s=grace)
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
