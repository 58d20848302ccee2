"""Reminders: while an announced unhealthy environment stays unhealthy and is not quiet,
another `environment.unhealthy` every `notifications.reminderInterval` after the last alert.
An interval of 0 turns them off."""

from datetime import datetime, timedelta

from envdeck.domain.alerting import AlertState
from envdeck.domain.environment import HealthState


class Reminders:
    def __init__(self, interval: timedelta) -> None:
        self.interval = interval

    def due(self, state: AlertState, now: datetime) -> bool:
        """Tell whether a reminder about this environment is due now (quiet aside)."""
        next_at = self.next_at(state)
        return next_at is not None and now >= next_at

    def next_at(self, state: AlertState) -> datetime | None:
        """Return when the next reminder about this environment is due (None: none is)."""
        if (
            self.interval > timedelta(0)
            and state.announced is HealthState.UNHEALTHY
            and state.health is HealthState.UNHEALTHY
            and state.last_alert_at is not None
        ):
            return state.last_alert_at + self.interval
        return None
