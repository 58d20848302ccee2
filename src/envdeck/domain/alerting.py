"""What alerting remembers in storage, so that every instance decides alike.

- `AlertState`: per environment, what the health engine said last, what was announced, the
  reminder clock, the flap window, the quiet it has seen and the last version announced. Every
  write is a compare-and-set on `revision`, so two instances changing one environment's state
  at once never lose a change: the later one reads again and decides again. `due_at` is when
  the alerting tick must look at it next (a reminder, a flap window's end, a change pending
  the end of quiet), so the tick reads only the states that are due.
- `OutboxEntry`: one message for one channel, recorded before it is queued under a key derived
  from what it announces (an environment's transition, an operation's outcome, a reminder):
  the key is unique, so of instances deciding the same announcement exactly one records it,
  and only that one sends it. An entry still `pending` when its instance died is sent by a
  survivor.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from envdeck.domain.base import DomainModel, UtcDatetime, format_utc
from envdeck.domain.environment import HealthState, Status
from envdeck.domain.notification import NotificationEvent

# How long an environment's last operation is taken into account once all is calm.
KEEP_OPERATION = timedelta(hours=1)
# Checks are held while an operation runs and resume within 2 s of its end, taking at most
# their timeout (60 s): a failure first seen this soon after a failed operation is the one
# that operation's message reported.
OPERATION_FOLLOW_UP = timedelta(seconds=75)


class AlertState(DomainModel):
    """What alerting knows and has said about one environment."""

    environment_id: str
    name: str = ""
    tags: list[str] = Field(default_factory=list)
    health: HealthState = HealthState.UNKNOWN
    since: UtcDatetime | None = None
    error: str = ""
    failures: int = 0
    # When the current failing streak began (about: the check before the threshold's first).
    streak_start: UtcDatetime | None = None
    # What was last announced: HEALTHY (nothing wrong said) or UNHEALTHY.
    announced: HealthState = HealthState.HEALTHY
    announced_since: UtcDatetime | None = None
    # How many transitions were announced: the next one's key, alike on every instance that
    # decides it from this state (also one that decides again after its decider was killed).
    announcements: int = 0
    # The last unhealthy announcement or reminder: the reminder clock.
    last_alert_at: UtcDatetime | None = None
    # Flap damping: the open window's start, whether its recovered was sent, a held change.
    window_start: UtcDatetime | None = None
    window_recovered: bool = False
    held: bool = False
    # A change happened while quiet: decide at the first check after the quiet.
    pending: bool = False
    # The last moment the environment was seen quiet (an operation's end, a window's tick).
    quiet_seen_at: UtcDatetime | None = None
    # finished_at of the last failed operation (its message covers the failure).
    failed_operation_at: UtcDatetime | None = None
    # The last version announced (version.changed), and how many changes were announced.
    reported_version: str | None = None
    version_changes: int = 0
    # Counts the writes: a write of revision n lands only over revision n - 1 (none stored: 0).
    revision: int = 0
    # When the tick must look at this state next; None: only an event changes it.
    due_at: UtcDatetime | None = None

    def wanted(self) -> NotificationEvent | None:
        """Return the announcement the current health calls for, if any."""
        if self.health is HealthState.UNHEALTHY and self.announced is not HealthState.UNHEALTHY:
            return NotificationEvent.ENVIRONMENT_UNHEALTHY
        if self.health is HealthState.HEALTHY and self.announced is HealthState.UNHEALTHY:
            return NotificationEvent.ENVIRONMENT_RECOVERED
        return None

    def observe(self, status: Status) -> None:
        """Take the health engine's verdict as the current health."""
        self.health, self.since, self.error = status.health, status.since, status.message
        self.failures = status.consecutive_failures

    def began_in_quiet(self) -> bool:
        """Tell whether the current failing streak began while alerts were quiet."""
        quiet = self.quiet_seen_at
        start = self.streak_start or self.since
        return quiet is not None and start is not None and start <= quiet

    def covered(self) -> bool:
        """Tell whether a failed operation's message already covers the current failure: it
        began before the operation ended, or the first checks after it found it."""
        failed = self.failed_operation_at
        start = self.streak_start or self.since
        return failed is not None and start is not None and start <= failed + OPERATION_FOLLOW_UP

    def note_operation_end(self, finished: datetime, failed: bool) -> None:
        """Remember an operation that ended (it was quiet until then; a failure's message
        covers the failure it leaves)."""
        self.quiet_seen_at = max(self.quiet_seen_at or finished, finished)
        if failed:
            self.failed_operation_at = max(self.failed_operation_at or finished, finished)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxEntry(DomainModel):
    """One message for one channel, recorded before it is queued (see the module docstring)."""

    # `{key}|{channel_id}` (outbox_id): unique.
    id: str = ""
    # What the message announces (`announcement_key`), the same on every instance.
    key: str
    channel_id: str
    # The instance that sends it (the one that recorded it, or a survivor that took it over).
    owner: str
    status: OutboxStatus = OutboxStatus.PENDING
    created_at: UtcDatetime
    finished_at: UtcDatetime | None = None
    event: NotificationEvent
    title: str
    body: str
    kind: str
    environment_id: str | None = None
    environment_name: str | None = None
    reminder: bool = False


def outbox_id(key: str, channel_id: str) -> str:
    """Return the id of the entry that carries the message of `key` to one channel."""
    return f"{key}|{channel_id}"


def announcement_key(*parts: str | datetime | None) -> str:
    """Return a dedupe key from what an announcement is about (times as fixed-width UTC)."""
    return ":".join(
        "-" if part is None else format_utc(part) if isinstance(part, datetime) else part
        for part in parts
    )
