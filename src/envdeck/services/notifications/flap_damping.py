"""Flap damping: at most one unhealthy/recovered pair per environment within a window.

An unhealthy announcement opens a window of `notifications.flapWindow`; within it at most that
and one recovered are announced. Later changes are held back (`AlertState.held`); when the window
ends, alerting announces the current state if it differs from the announced one, which may
open a new window. A window of 0 turns damping off.
"""

from datetime import datetime, timedelta

from envdeck.domain.alerting import AlertState
from envdeck.domain.notification import NotificationEvent


class FlapDamping:
    def __init__(self, window: timedelta) -> None:
        self.window = window

    def ends_at(self, state: AlertState) -> datetime | None:
        """Return when the environment's open window ends (None: none is open)."""
        return None if state.window_start is None else state.window_start + self.window

    def end_if_over(self, state: AlertState, now: datetime) -> bool:
        """Close the environment's window if its time is up; tell whether it just ended."""
        ended = state.window_start is not None and now >= state.window_start + self.window
        if ended:
            state.window_start, state.window_recovered = None, False
        return ended

    def holds_back(self, state: AlertState, wanted: NotificationEvent, now: datetime) -> bool:
        """Tell whether the open window keeps this announcement back."""
        if self.window <= timedelta(0) or state.window_start is None:
            return False
        if now >= state.window_start + self.window:
            return False
        return not (
            wanted is NotificationEvent.ENVIRONMENT_RECOVERED and not state.window_recovered
        )

    def count(self, state: AlertState, wanted: NotificationEvent, now: datetime) -> None:
        """Count an announcement made now: an unhealthy one opens a window unless one is open;
        a recovered one uses up the open window's one recovered."""
        window_open = state.window_start is not None and now < state.window_start + self.window
        if wanted is NotificationEvent.ENVIRONMENT_UNHEALTHY:
            if self.window > timedelta(0) and not window_open:
                state.window_start, state.window_recovered = now, False
        elif window_open:
            state.window_recovered = True
