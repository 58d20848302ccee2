"""The health engine: checks (checker), their effects (recorder) and their schedule
(scheduler). docs/health.md describes the behaviour."""

from envdeck.services.health.checker import CheckResult, HealthChecker
from envdeck.services.health.recorder import HealthRecorder, Tracked
from envdeck.services.health.scheduler import HealthScheduler

__all__ = ["CheckResult", "HealthChecker", "HealthRecorder", "HealthScheduler", "Tracked"]
