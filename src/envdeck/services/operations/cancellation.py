"""Waiting for work that a person may cancel: an HTTP command in flight, a verification."""

import asyncio
import contextlib
from typing import TypeVar

T = TypeVar("T")


async def unless_cancelled(work: "asyncio.Future[T]", cancel: asyncio.Event) -> T | None:
    """Return work's result (raising what it raised), or None when cancel is set first: work
    is then cancelled and awaited, whatever it raises on the way out."""
    waiter: asyncio.Future[object] = asyncio.ensure_future(cancel.wait())
    pending: list[asyncio.Future[object]] = [work, waiter]  # type: ignore[list-item]
    try:
        await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        work.cancel()
        raise
    finally:
        waiter.cancel()
    if work.done():
        return work.result()
    work.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await work
    return None
