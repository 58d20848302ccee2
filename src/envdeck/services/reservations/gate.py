"""What a reservation means for a restart or an upgrade, by the environment's policy.

- `none`: nothing.
- `advisory`: anyone may operate; when the caller does not hold the current reservation, the
  operation goes ahead with a warning (in the answer, on the record, in the activity log).
- `exclusive`: only the holder operates; others get 409 RESERVED. An admin may force: it goes
  ahead with a warning, and the override is an activity entry of its own.
"""

from collections.abc import Callable
from datetime import datetime

from envdeck.domain.auth import Principal
from envdeck.domain.base import format_utc
from envdeck.domain.environment import Environment
from envdeck.domain.log import LogLevel, LogType
from envdeck.domain.reservation import ReservationPolicy, Reserved
from envdeck.domain.user import Role
from envdeck.repositories.base import ReservationRepository
from envdeck.services.activity.writer import ActivityLog


class ReservationGate:
    def __init__(
        self,
        repository: ReservationRepository,
        activity: ActivityLog,
        clock: Callable[[], datetime],
    ) -> None:
        self._repository = repository
        self._activity = activity
        self._clock = clock

    async def check(
        self, actor: Principal, env: Environment, operation: str, *, force: bool = False
    ) -> list[str]:
        """Return the warnings of this operation by actor, or raise Reserved (409)."""
        if env.reservation_policy is ReservationPolicy.NONE:
            return []
        found = (await self._repository.current_and_next([env.id], self._clock())).get(env.id)
        current = found.current if found is not None else None
        if current is None or current.holder.user_id == actor.user_id:
            return []
        until = format_utc(current.end)
        held = f"{env.name} is reserved by {current.holder.username} until {until}"
        if env.reservation_policy is ReservationPolicy.ADVISORY:
            return [f"{held} ({current.purpose})"]
        if not (force and actor.role is Role.ADMIN):
            error = Reserved.by(current)
            error.message = f"{held}: only the holder may {operation} it (an admin may force)"
            raise error
        self._activity.record(
            type=LogType.ACTION,
            action="reservation_override",
            level=LogLevel.WARNING,
            message=f"{actor.username} forced a {operation} of {env.name}, reserved by"
            f" {current.holder.username} until {until}",
            environment_id=env.id,
            environment_name=env.name,
            user_id=actor.user_id,
            username=actor.username,
            details={"reservationId": current.id, "holder": current.holder.username},
        )
        return [f"{held}: forced by {actor.username}"]
