"""Background tasks of long-running components."""

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(task: "asyncio.Task[Any] | None") -> None:
    """Cancel task (when there is one) and return once it has ended.

    Its CancelledError is swallowed: the caller is stopping it on purpose.
    """
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
