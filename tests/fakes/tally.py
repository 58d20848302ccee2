"""A count that a test can wait on instead of sleeping: `await tally.reaches(3)`."""

import asyncio

# Only a guard against a test hanging forever: the awaited count normally arrives at once.
GUARD_SECONDS = 10.0


class Tally:
    def __init__(self) -> None:
        self.value = 0
        self._changed = asyncio.Event()

    def add(self, n: int = 1) -> None:
        self.value += n
        self._changed.set()

    async def reaches(self, n: int) -> None:
        """Return once the count is n or more."""
        async with asyncio.timeout(GUARD_SECONDS):
            while self.value < n:
                self._changed.clear()
                await self._changed.wait()
