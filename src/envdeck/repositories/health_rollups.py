"""What both backends share about health samples: epoch-millisecond times and the hourly
rollup increments a batch of samples adds (one per environment and hour, not one per sample)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from envdeck.domain.environment import HealthState
from envdeck.domain.health import HealthSample

HOUR_MS = 3_600_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def epoch_ms(at: datetime) -> int:
    """Return a time as integer milliseconds since the epoch (naive times are UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - _EPOCH) // _MS


def from_epoch_ms(ms: int | float) -> datetime:
    """Return the UTC time of integer milliseconds since the epoch."""
    return datetime.fromtimestamp(int(ms) / 1000, UTC)


def bucket_ms(bucket: timedelta) -> int:
    """Return a bucket width in whole milliseconds (at least one)."""
    return max(1, int(bucket.total_seconds() * 1000))


@dataclass
class RollupIncrement:
    """What one batch adds to the rollup of one environment and hour."""

    environment_id: str
    hour_ms: int
    checks: int = 0
    healthy_checks: int = 0
    response_time_sum: float = 0.0
    response_time_count: int = 0
    response_time_max: float | None = None

    def add(self, sample: HealthSample) -> None:
        self.checks += 1
        if sample.health == HealthState.HEALTHY:
            self.healthy_checks += 1
        if sample.response_time is not None:
            self.response_time_sum += sample.response_time
            self.response_time_count += 1
            if self.response_time_max is None or sample.response_time > self.response_time_max:
                self.response_time_max = sample.response_time


def rollup_increments(samples: list[HealthSample]) -> list[RollupIncrement]:
    """Return the increments of a batch, one per (environment, hour) it touches."""
    increments: dict[tuple[str, int], RollupIncrement] = {}
    for sample in samples:
        hour = epoch_ms(sample.timestamp) // HOUR_MS * HOUR_MS
        key = (sample.environment_id, hour)
        increment = increments.get(key)
        if increment is None:
            increment = increments[key] = RollupIncrement(sample.environment_id, hour)
        increment.add(sample)
    return list(increments.values())


def average(total: float | None, count: int | None) -> float | None:
    """Return total / count, or None when nothing was counted."""
    if not count or total is None:
        return None
    return total / count
