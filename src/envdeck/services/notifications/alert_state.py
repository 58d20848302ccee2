"""What alerting knows and has said about each environment, kept in storage.

The state itself is `AlertState` (domain/alerting.py). `AlertStates` reads and writes it for
alerting: every write bumps the revision, a compare-and-set, so that a write over a state
another instance (or the tick) changed meanwhile does not land and the caller reads and decides
again; and it sets `due_at`, when the tick must look at the state next: the next reminder, the
end of the flap window, at once while a change waits for the end of quiet, and at least every
`RECHECK` while the environment is unhealthy (a recovery whose instance died before deciding it
is noticed then). The tick reads only the states due (`due()`), whichever instance's checks or
operations made them.
"""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from envdeck.domain.alerting import AlertState
from envdeck.domain.environment import HealthState
from envdeck.repositories.base import AlertStateRepository
from envdeck.services.notifications.flap_damping import FlapDamping
from envdeck.services.notifications.reminders import Reminders

DUE_PAGE = 200
# An unhealthy environment's state is looked at again at least this often.
RECHECK = timedelta(minutes=5)


class AlertStates:
    def __init__(
        self, repository: AlertStateRepository, reminders: Reminders, flaps: FlapDamping
    ) -> None:
        self._repository = repository
        self._reminders = reminders
        self._flaps = flaps

    async def get(self, environment_id: str) -> AlertState | None:
        """Return the environment's state (None: nothing was ever remembered about it)."""
        return await self._repository.get(environment_id)

    async def save(self, state: AlertState, now: datetime) -> bool:
        """Store state as its next revision, with when it is due; tell whether it landed (not:
        it changed meanwhile)."""
        state.due_at = self.due_at(state, now)
        state.revision += 1
        return await self._repository.save(state)

    async def count(self) -> int:
        """Return how many states are stored."""
        return await self._repository.count()

    async def delete(self, environment_id: str) -> None:
        """Forget an environment's state (the environment was deleted)."""
        await self._repository.delete(environment_id)

    def due_at(self, state: AlertState, now: datetime) -> datetime | None:
        """Return when the tick must look at this state next (None: only an event changes it)."""
        times = [
            at
            for at in (self._reminders.next_at(state), self._flaps.ends_at(state))
            if at is not None
        ]
        if state.pending:
            # Each tick until a check after the quiet decides; kept as it was while it waits,
            # so that waiting writes nothing.
            waiting = state.due_at is not None and state.due_at <= now
            times.append(state.due_at if waiting and state.due_at is not None else now)
        if state.health is HealthState.UNHEALTHY:
            times.append(now + RECHECK)
        return min(times, default=None)

    async def due(self, now: datetime) -> AsyncIterator[AlertState]:
        """Yield every state due at `now`, by due time, a page at a time."""
        after: tuple[datetime, str] | None = None
        while True:
            page = await self._repository.list_due(now, DUE_PAGE, after)
            for state in page:
                yield state
            if len(page) < DUE_PAGE:
                return
            last = page[-1]
            if last.due_at is None:  # never: list_due returns states with a due time
                return
            after = (last.due_at, last.environment_id)
