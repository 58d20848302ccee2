"""What alerting knows and has said about one environment (docs/notifications.md).

Alerting keeps one `EnvState` per environment that has something to remember: what the health
engine said last, what was announced, the reminder clock, the flap window, and the quiet it
has seen. It drops the state once nothing is left to remember (`idle`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from envdeck.domain.environment import HealthState, Status
from envdeck.domain.notification import NotificationEvent

# How long an environment's last operation (and its failure) is remembered once all is calm.
KEEP_OPERATION = timedelta(hours=1)


@dataclass(slots=True)
class EnvState:
    """What alerting knows and has said about one environment."""

    id: str
    name: str
    tags: list[str]
    health: HealthState = HealthState.UNKNOWN
    since: datetime | None = None
    error: str = ""
    failures: int = 0
    # When the current failing streak began (about: the check before the threshold's first).
    streak_start: datetime | None = None
    # What was last announced: HEALTHY (nothing wrong said) or UNHEALTHY.
    announced: HealthState = HealthState.HEALTHY
    announced_since: datetime | None = None
    # The last unhealthy announcement or reminder: the reminder clock.
    last_alert_at: datetime | None = None
    # Flap damping: the open window's start, whether its recovered was sent, a held change.
    window_start: datetime | None = None
    window_recovered: bool = False
    held: bool = False
    # A change happened while quiet: decide at the first check after the quiet.
    pending: bool = False
    # The last moment the environment was seen quiet (an operation's end, a window's tick).
    quiet_seen_at: datetime | None = None
    # finished_at of the last failed operation (its message covers the failure).
    failed_operation_at: datetime | None = None

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
        """Tell whether a failed operation's message already covers the current failure."""
        failed = self.failed_operation_at
        start = self.streak_start or self.since
        return failed is not None and start is not None and start <= failed

    def idle(self, now: datetime) -> bool:
        """Tell whether nothing is left to remember (the state can be dropped)."""
        recent = [at for at in (self.failed_operation_at, self.quiet_seen_at) if at is not None]
        return (
            self.announced is not HealthState.UNHEALTHY
            and self.health is not HealthState.UNHEALTHY
            and not self.pending
            and not self.held
            and self.window_start is None
            and all(now - at > KEEP_OPERATION for at in recent)
        )
