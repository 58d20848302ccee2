"""Instances: each running `envdeck serve` (each app lifespan), as its heartbeats record it.

An instance's id is new at every process start (`new_id()`), so a restart is a new instance and
the old one's record tells how it ended: `stopped` (it said so on a graceful shutdown) or `lost`
(its heartbeats stopped without a word: killed, crashed or cut off). docs/operations.md has the
rest.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from envdeck.domain.base import DomainModel, UtcDatetime
from envdeck.domain.errors import NotFound


class InstanceNotFound(NotFound):
    default_message = "instance not found"


class InstanceStatus(StrEnum):
    LIVE = "live"
    STOPPED = "stopped"
    LOST = "lost"


class Instance(DomainModel):
    """One process's registration: who it is, when it started, when it was last seen."""

    id: str = ""
    host: str
    pid: int
    version: str
    # The storage backend it runs on ("sqlite", "mongodb").
    backend: str
    started_at: UtcDatetime
    last_seen: UtcDatetime
    # Set once, by a graceful shutdown; a later heartbeat never clears it.
    stopped_at: UtcDatetime | None = None

    def status_at(self, now: datetime, ttl: timedelta) -> InstanceStatus:
        """Return what this record says at `now`: stopped, live (seen within ttl) or lost."""
        if self.stopped_at is not None:
            return InstanceStatus.STOPPED
        if now - self.last_seen <= ttl:
            return InstanceStatus.LIVE
        return InstanceStatus.LOST
