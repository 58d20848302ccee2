"""Failed-login throttling per client IP and per username, with the `limits` library.

Counters live in this process's memory: with several instances each counts its own share,
which still bounds guessing to attempts x instances per window.
"""

import math
import time
from datetime import timedelta

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from envdeck.domain.errors import RateLimited


class LoginLimiter:
    def __init__(self, attempts: int, window: timedelta) -> None:
        self._limit = RateLimitItemPerSecond(attempts, int(window.total_seconds()))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def check(self, client_ip: str, username: str) -> None:
        """Raise RateLimited (with the seconds to wait) if either key used up its attempts."""
        for key in (f"ip:{client_ip}", f"user:{username.lower()}"):
            if not await self._limiter.test(self._limit, key):
                stats = await self._limiter.get_window_stats(self._limit, key)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimited(retry_after, "too many failed logins: try again later")

    async def record_failure(self, client_ip: str, username: str) -> None:
        await self._limiter.hit(self._limit, f"ip:{client_ip}")
        await self._limiter.hit(self._limit, f"user:{username.lower()}")
