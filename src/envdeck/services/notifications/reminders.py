"""Reminders: while an announced unhealthy environment stays unhealthy and is not quiet,
another `environment.unhealthy` every `notifications.reminderInterval` after the last alert.
An interval of 0 turns them off."""

from datetime import datetime, timedelta

from envdeck.domain.environment import HealthState
from envdeck.services.notifications.alert_state import EnvState


class Reminders:
    def __init__(self, interval: timedelta) -> None:
        self.interval = interval

    def due(self, state: EnvState, now: datetime) -> bool:
        """Tell whether a reminder about this environment is due now (quiet aside)."""
        return (
            self.interval > timedelta(0)
            and state.announced is HealthState.UNHEALTHY
            and state.health is HealthState.UNHEALTHY
            and state.last_alert_at is not None
            and now - state.last_alert_at >= self.interval
        )
