"""Failed-sign-in throttling, counted in storage so that every instance sees the same counts.

Three windows hold each attempt (docs/security.md, Login protection):

- the account from this client: strict, `auth.loginAttempts` per `auth.loginWindow`;
- the account from every client: soft. Past `auth.accountDelayAfter` failures each further
  attempt waits a delay that doubles (1 s, 2 s, 4 s …, at most `auth.accountMaxDelay`) after
  the previous one, and `auth.accountAttempts` is the ceiling. Someone failing from elsewhere
  slows the owner down but, below the ceiling, does not lock them out;
- this client across every account: `auth.clientAttempts`, against one address trying many.

An attempt is reserved in all three before the password is checked (a compare-and-set on
each window, so N parallel attempts cannot all pass a check made before any is counted), and
given back when the password was right. A refused attempt costs no bcrypt.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from envdeck.config import AuthSettings
from envdeck.domain.errors import RateLimited
from envdeck.domain.login_attempt import ANY, AttemptWindow
from envdeck.repositories.base import LoginAttemptRepository

log = structlog.get_logger(__name__)

# Compare-and-set rounds before giving up on one window (only under heavy contention).
MAX_ROUNDS = 100
PURGE_INTERVAL = timedelta(hours=1)
FIRST_DELAY = timedelta(seconds=1)


@dataclass(frozen=True)
class AttemptRule:
    """At most `limit` attempts within `window`; past `delay_after`, a doubling delay."""

    limit: int
    window: timedelta
    delay_after: int | None = None
    max_delay: timedelta = timedelta(seconds=60)

    def delay(self, recent: int) -> timedelta:
        """Return how long after the newest attempt the next one may start."""
        if self.delay_after is None or recent < self.delay_after:
            return timedelta(0)
        doublings = min(recent - self.delay_after, 30)
        delay: timedelta = FIRST_DELAY * (1 << doublings)
        return min(delay, self.max_delay)

    def wait(self, attempts: list[datetime], now: datetime) -> timedelta | None:
        """Return how long to wait before another attempt (None: it may go now).

        `attempts` are newest first; those older than the window do not count.
        """
        recent = [at for at in attempts if at > now - self.window]
        if len(recent) >= self.limit:
            return recent[self.limit - 1] + self.window - now
        delay = self.delay(len(recent))
        # Only a delay holds an attempt back: without one, an attempt that a concurrent request
        # stamped a moment later than `now` must not refuse this one.
        if recent and delay > timedelta(0):
            ready = recent[0] + delay
            if ready > now:
                return ready - now
        return None


@dataclass(frozen=True)
class LoginRules:
    pair: AttemptRule
    account: AttemptRule
    client: AttemptRule


def login_rules(auth: AuthSettings) -> LoginRules:
    """Return the rules the `auth` settings describe."""
    window = auth.login_window
    return LoginRules(
        pair=AttemptRule(auth.login_attempts, window),
        account=AttemptRule(
            auth.account_attempts,
            window,
            delay_after=auth.account_delay_after,
            max_delay=auth.account_max_delay,
        ),
        client=AttemptRule(auth.client_attempts, window),
    )


@dataclass(frozen=True)
class Reservation:
    """One attempt, counted in its windows until given back."""

    account: str
    client: str
    at: datetime


def window_key(account: str, client: str) -> str:
    """Return the storage key of a window (unambiguous whatever the identifier typed)."""
    return json.dumps([account, client], separators=(",", ":"))


def _ms(at: datetime) -> datetime:
    # Storage keeps milliseconds: an attempt given back must compare equal to the stored one.
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


class LoginLimiter:
    def __init__(
        self,
        attempts: LoginAttemptRepository,
        rules: LoginRules,
        clock: Callable[[], datetime],
    ) -> None:
        self._attempts = attempts
        self._rules = rules
        self._clock = clock
        self._purged_at: datetime | None = None

    def _windows(self, account: str, client: str) -> list[tuple[str, str, AttemptRule, str]]:
        # Order matters only for the message: the client's own limits are reported first.
        return [
            (ANY, client, self._rules.client, "from this address"),
            (account, client, self._rules.pair, "for this account from this address"),
            (account, ANY, self._rules.account, "for this account"),
        ]

    async def reserve(self, account: str, client: str) -> Reservation:
        """Count one attempt in every window, or raise RateLimited without counting it."""
        now = _ms(self._clock())
        await self._purge_now_and_then(now)
        reservation = Reservation(account, client, now)
        taken: list[tuple[str, str]] = []
        for window_account, window_client, rule, scope in self._windows(account, client):
            wait = await self._add(window_account, window_client, rule, now)
            if wait is not None:
                for taken_account, taken_client in taken:
                    await self._remove(taken_account, taken_client, now)
                seconds = max(1, math.ceil(wait.total_seconds()))
                raise RateLimited(
                    seconds, f"too many failed sign-ins {scope}: try again in {seconds} s"
                )
            taken.append((window_account, window_client))
        return reservation

    async def give_back(self, reservation: Reservation) -> None:
        """Forget an attempt that succeeded; the account's failures from its client go too."""
        account, client, at = reservation.account, reservation.client, reservation.at
        await self._remove(ANY, client, at)
        await self._remove(account, ANY, at)
        await self._remove(account, client, at, everything=True)

    async def unlock(self, account: str) -> int:
        """Forget every failed attempt on an account, from every client; return windows cleared."""
        return await self._attempts.delete_for_account(account)

    async def _add(
        self, account: str, client: str, rule: AttemptRule, now: datetime
    ) -> timedelta | None:
        key = window_key(account, client)
        for _ in range(MAX_ROUNDS):
            stored = await self._attempts.get(key)
            attempts = stored.attempts if stored else []
            wait = rule.wait(attempts, now)
            if wait is not None:
                return wait
            recent = [at for at in attempts if at > now - rule.window]
            kept = sorted([now, *recent], reverse=True)[: rule.limit]
            window = AttemptWindow(
                key=key,
                account=account,
                client=client,
                attempts=kept,
                version=(stored.version if stored else 0) + 1,
                expires_at=kept[0] + rule.window,
            )
            if await self._attempts.save(window):
                return None
        log.warning("login_limiter_contention", rounds=MAX_ROUNDS)
        return timedelta(seconds=1)

    async def _remove(
        self, account: str, client: str, at: datetime, *, everything: bool = False
    ) -> None:
        key = window_key(account, client)
        for _ in range(MAX_ROUNDS):
            stored = await self._attempts.get(key)
            if stored is None or (not everything and at not in stored.attempts):
                return
            attempts = [] if everything else list(stored.attempts)
            if not everything:
                attempts.remove(at)
            changed = stored.model_copy(
                update={"attempts": attempts, "version": stored.version + 1}
            )
            if await self._attempts.save(changed):
                return
        log.warning("login_limiter_contention", rounds=MAX_ROUNDS)

    async def _purge_now_and_then(self, now: datetime) -> None:
        # MongoDB expires windows by itself (a TTL index); SQLite needs telling.
        if self._purged_at is not None and now - self._purged_at < PURGE_INTERVAL:
            return
        self._purged_at = now
        await self._attempts.purge_expired(now)
