"""One alerting decision on an environment's stored state, made good once by whichever decides.

A decision reads the environment's `AlertState` from storage (`alert_state.py`), decides on a
copy (a `Decide`: the announcements to make, or None when the environment is gone and its
state is forgotten), records each announcement in the outbox (`outbox.py`) and writes the state
back by compare-and-set. When another instance (or the tick) changed the state meanwhile the
write does not land, and the decision is made again on what is stored now, up to
`SAVE_ATTEMPTS` times. What was recorded is sent whatever happens next: an announcement
decided again under the same key is not recorded twice.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from envdeck.domain.alerting import AlertState
from envdeck.services.notifications.alert_state import AlertStates
from envdeck.services.notifications.delivery import Job
from envdeck.services.notifications.outbox import Announcement, Outbox

log = structlog.get_logger(__name__)

# Reads and decisions of one event before a write over a changing state gives up.
SAVE_ATTEMPTS = 5

# What a decision says: the announcements to make (possibly none), or None when the
# environment is gone (its state is forgotten).
Decision = list[Announcement] | None
Decide = Callable[[AlertState], Awaitable[Decision]]


class AlertDecisions:
    def __init__(self, states: AlertStates, outbox: Outbox, clock: Callable[[], datetime]) -> None:
        self._states = states
        self._outbox = outbox
        self._clock = clock

    async def make(
        self,
        environment_id: str,
        decide: Decide,
        *,
        name: str = "",
        create: bool = True,
        stored: AlertState | None = None,
    ) -> None:
        """Decide on the environment's stored state (`stored`: as just read; `create`: decide
        on a new state when none is stored), record what it announces, store it."""
        jobs: list[Job] = []
        recorded: set[str] = set()
        try:
            for attempt in range(SAVE_ATTEMPTS):
                if attempt or stored is None:
                    stored = await self._states.get(environment_id)
                if stored is None and not create:
                    return
                state = (
                    stored.model_copy(deep=True)
                    if stored is not None
                    else AlertState(environment_id=environment_id, name=name)
                )
                decision = await decide(state)
                if decision is None:
                    await self._states.delete(environment_id)
                    return
                for announcement in decision:
                    if announcement.key not in recorded:
                        recorded.add(announcement.key)
                        jobs += await self._outbox.record(announcement)
                now = self._clock()
                state.due_at = self._states.due_at(state, now)
                if state == stored:
                    return  # nothing changed: nothing to write
                if await self._states.save(state, now):
                    return
            log.warning("alert_state_contended", environment_id=environment_id)
        finally:
            if jobs:
                await self._outbox.send(jobs)
