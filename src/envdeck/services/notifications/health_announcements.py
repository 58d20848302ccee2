"""What an environment's health calls for saying, decided on its alert state (no I/O).

`reconcile` compares the health the state has taken in with what was last announced: an
unhealthy environment is announced unless an operation's failure already said it (`covered`:
then it counts as announced) or flap damping holds it back; a recovery follows only an
announced unhealthy. `remind` makes the reminder of an environment that stays unhealthy. Each
announcement moves the state (what was announced, the reminder clock, the flap window) and
carries a key derived from the stored state it moves on from (the count of transitions announced
before), so that it is sent once whoever decides it: also when an instance recorded it and was
killed before storing the state, and another decides the same transition from a later check.
`refresh` takes the stored environment into the state first: its name, its tags and when its
failure streak began.
"""

from datetime import datetime, timedelta

from envdeck.domain.alerting import AlertState, announcement_key
from envdeck.domain.environment import Environment, HealthState
from envdeck.domain.notification import NotificationEvent
from envdeck.services.notifications.flap_damping import FlapDamping
from envdeck.services.notifications.messages import Messages
from envdeck.services.notifications.outbox import Announcement


class HealthAnnouncements:
    def __init__(self, messages: Messages, flaps: FlapDamping) -> None:
        self._messages = messages
        self._flaps = flaps

    def reconcile(self, state: AlertState, now: datetime) -> list[Announcement]:
        """Announce what the current health calls for, unless covered or held back."""
        wanted = state.wanted()
        if wanted is None:
            return []
        if wanted is NotificationEvent.ENVIRONMENT_UNHEALTHY and state.covered():
            # The operation's failure was the announcement; say no more until it changes.
            state.announced, state.announced_since, state.last_alert_at = (
                HealthState.UNHEALTHY,
                state.since,
                now,
            )
            return []
        if self._flaps.holds_back(state, wanted, now):
            state.held = True
            return []
        return [self._announce(state, wanted, now)]

    def _announce(
        self, state: AlertState, wanted: NotificationEvent, now: datetime
    ) -> Announcement:
        self._flaps.count(state, wanted, now)
        env_id = state.environment_id
        if wanted is NotificationEvent.ENVIRONMENT_UNHEALTHY:
            message = self._messages.unhealthy(env_id, state.name, state.since, state.error)
            state.announced, state.announced_since = HealthState.UNHEALTHY, state.since
            state.last_alert_at = now
            key = announcement_key("env", env_id, "unhealthy", str(state.announcements))
        else:
            message = self._messages.recovered(
                env_id, state.name, state.since, state.announced_since
            )
            state.announced = HealthState.HEALTHY
            key = announcement_key("env", env_id, "recovered", str(state.announcements))
        state.held = False
        state.announcements += 1
        return Announcement(key, wanted, message, env_id, state.name, list(state.tags))

    def remind(self, state: AlertState, now: datetime) -> Announcement:
        """Return the reminder that the environment is still unhealthy; restart the clock."""
        env_id = state.environment_id
        # Keyed by the alert it follows: whoever sends the reminder, it is sent once.
        key = announcement_key("env", env_id, "reminder", state.last_alert_at)
        state.last_alert_at = now
        message = self._messages.reminder(env_id, state.name, state.since, state.error, now)
        return Announcement(
            key,
            NotificationEvent.ENVIRONMENT_UNHEALTHY,
            message,
            env_id,
            state.name,
            list(state.tags),
            reminder=True,
        )


def refresh(state: AlertState, env: Environment) -> None:
    """Take the stored environment's name and tags into its state, and when its failure
    streak began (what `covered` and `began_in_quiet` compare)."""
    state.name, state.tags = env.name, list(env.tags)
    if state.health is HealthState.UNHEALTHY and state.since is not None:
        # The threshold's checks before the verdict failed too: the streak began earlier.
        failures = max(state.failures, 1)
        state.streak_start = state.since - timedelta(
            seconds=env.health_check.interval * (failures - 1)
        )
    else:
        state.streak_start = None
