"""HealthSampleRepository in memory: raw samples by (environment, millisecond), hourly rollups,
and the same bucketed reads the backends answer (repositories/health_rollups.py arithmetic)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from envdeck.domain.environment import HealthState
from envdeck.domain.health import HealthPoint, HealthSample
from envdeck.repositories.health_rollups import (
    HOUR_MS,
    average,
    bucket_ms,
    epoch_ms,
    from_epoch_ms,
    rollup_increments,
)
from tests.fakes.documents import Outage


@dataclass
class _Sums:
    """Checks added up: one hour's rollup, or one bucket of a chart."""

    checks: int = 0
    healthy_checks: int = 0
    response_time_sum: float = 0.0
    response_time_count: int = 0
    response_time_max: float | None = None

    def add(self, other: "_Sums") -> None:
        self.checks += other.checks
        self.healthy_checks += other.healthy_checks
        self.response_time_sum += other.response_time_sum
        self.response_time_count += other.response_time_count
        peak = other.response_time_max
        if peak is not None and (self.response_time_max is None or peak > self.response_time_max):
            self.response_time_max = peak

    @classmethod
    def of(cls, sample: HealthSample) -> "_Sums":
        rt = sample.response_time
        return cls(
            checks=1,
            healthy_checks=int(sample.health is HealthState.HEALTHY),
            response_time_sum=rt or 0.0,
            response_time_count=int(rt is not None),
            response_time_max=rt,
        )


def _points(buckets: dict[int, _Sums]) -> list[HealthPoint]:
    return [
        HealthPoint(
            timestamp=from_epoch_ms(start),
            checks=b.checks,
            healthy_checks=b.healthy_checks,
            response_time_avg=average(b.response_time_sum, b.response_time_count),
            response_time_max=b.response_time_max,
        )
        for start, b in sorted(buckets.items())
    ]


class FakeHealthSampleRepository:
    def __init__(self, outage: Outage | None = None) -> None:
        self.outage = outage or Outage()
        # (environment id, epoch ms) -> sample: two checks in one millisecond keep one sample.
        self.samples: dict[tuple[str, int], HealthSample] = {}
        self.rollups: dict[tuple[str, int], _Sums] = {}
        self.writes = 0  # record() calls that stored something

    async def record(self, samples: list[HealthSample]) -> None:
        self.outage.check()
        if not samples:
            return
        self.writes += 1
        for sample in samples:
            self.samples.setdefault((sample.environment_id, epoch_ms(sample.timestamp)), sample)
        for inc in rollup_increments(samples):
            rollup = self.rollups.setdefault((inc.environment_id, inc.hour_ms), _Sums())
            rollup.add(
                _Sums(
                    inc.checks,
                    inc.healthy_checks,
                    inc.response_time_sum,
                    inc.response_time_count,
                    inc.response_time_max,
                )
            )

    def _raw(
        self, environment_id: str, start: int, end: int | None
    ) -> Iterable[tuple[int, HealthSample]]:
        for (env, ts), sample in self.samples.items():
            if env == environment_id and ts >= start and (end is None or ts < end):
                yield ts, sample

    def _raw_points(
        self, environment_id: str, start: datetime, end: datetime | None, bucket: timedelta
    ) -> list[HealthPoint]:
        width = bucket_ms(bucket)
        buckets: dict[int, _Sums] = {}
        end_ms = None if end is None else epoch_ms(end)
        for ts, sample in self._raw(environment_id, epoch_ms(start), end_ms):
            buckets.setdefault(ts // width * width, _Sums()).add(_Sums.of(sample))
        return _points(buckets)

    async def history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        self.outage.check()
        return self._raw_points(environment_id, start, end, bucket)

    async def rollup_history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        self.outage.check()
        width = max(HOUR_MS, bucket_ms(bucket) // HOUR_MS * HOUR_MS)  # whole hours
        start_ms, end_ms = epoch_ms(start), epoch_ms(end)
        buckets: dict[int, _Sums] = {}
        for (env, hour), rollup in self.rollups.items():
            if env == environment_id and start_ms <= hour < end_ms:
                buckets.setdefault(hour // width * width, _Sums()).add(rollup)
        return _points(buckets)

    async def recent(
        self, environment_ids: list[str], since: datetime, bucket: timedelta
    ) -> dict[str, list[HealthPoint]]:
        self.outage.check()
        return {
            environment_id: self._raw_points(environment_id, since, None, bucket)
            for environment_id in dict.fromkeys(environment_ids)
        }

    async def latest(self, environment_id: str, limit: int) -> list[HealthSample]:
        self.outage.check()
        newest = sorted(self._raw(environment_id, 0, None), key=lambda pair: pair[0], reverse=True)
        return [sample for _, sample in newest[:limit]]

    async def uptime(self, environment_id: str, since: datetime) -> tuple[int, int]:
        self.outage.check()
        since_ms = epoch_ms(since)
        hours = [
            r
            for (env, hour), r in self.rollups.items()
            if env == environment_id and hour >= since_ms
        ]
        return sum(r.checks for r in hours), sum(r.healthy_checks for r in hours)

    async def delete_before(self, raw_cutoff: datetime, rollup_cutoff: datetime) -> int:
        self.outage.check()
        raw = [key for key in self.samples if key[1] < epoch_ms(raw_cutoff)]
        rolled = [key for key in self.rollups if key[1] < epoch_ms(rollup_cutoff)]
        for key in raw:
            del self.samples[key]
        for key in rolled:
            del self.rollups[key]
        return len(raw) + len(rolled)

    async def delete_for_environment(self, environment_id: str) -> None:
        self.outage.check()
        for table in (self.samples, self.rollups):
            for key in [key for key in table if key[0] == environment_id]:
                del table[key]

    async def expire_after(self, raw_retention: timedelta, rollup_retention: timedelta) -> bool:
        self.outage.check()
        return False  # like SQLite: the retention service purges with delete_before
