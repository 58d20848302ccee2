"""Health samples: one per check, kept raw for a short while and rolled up hourly."""

from envdeck.domain.base import DomainModel, UtcDatetime
from envdeck.domain.environment import HealthState


class HealthSample(DomainModel):
    environment_id: str
    timestamp: UtcDatetime
    health: HealthState
    response_time: float | None = None
    status_code: int | None = None
    message: str = ""


class HealthRollup(DomainModel):
    """Checks of one environment within one hour, for uptime over 24 h to 90 d."""

    environment_id: str
    hour: UtcDatetime
    checks: int = 0
    healthy_checks: int = 0
    response_time_avg: float | None = None
    response_time_max: float | None = None


class HealthPoint(DomainModel):
    """One point of a chart: the checks of one environment within [timestamp, +bucket)."""

    timestamp: UtcDatetime
    checks: int
    healthy_checks: int
    response_time_avg: float | None = None
    response_time_max: float | None = None
