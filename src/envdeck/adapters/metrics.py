"""Prometheus metrics of one Envdeck process, served at /metrics (docs/metrics.md).

Each app gets its own `CollectorRegistry`, never prometheus_client's global one: tests and
several apps in one process would otherwise collide. Counters and histograms move where the
work happens (a check recorded, an operation finished, a request answered); values that are
cheap to read at any time (environments by health, sockets, the log queue) are sampled when
Prometheus scrapes, not kept up to date on every change.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from envdeck.domain.environment import HealthState

# Content type of the text exposition format (prometheus_client.CONTENT_TYPE_LATEST).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
NAMESPACE = "envdeck"
# Requests answered by no route (404s of random paths) share one label: bounded cardinality.
UNMATCHED_ROUTE = "unmatched"

# Checks take milliseconds to their timeout (at most 60 s).
CHECK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Operations include their verification: seconds to many minutes.
OPERATION_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


@dataclass
class Sample:
    """What /metrics reads at scrape time from storage, the hub and the activity log."""

    # None while storage does not answer: the family is left out rather than shown as zeros.
    environments_by_health: dict[str, int] | None = None
    websocket_connections: int = 0
    activity_queue_depth: int = 0
    activity_write_failures: int = 0
    # The storage circuit breaker (repositories/breaker.py): open or probing, and times opened.
    storage_breaker_open: bool = False
    storage_breaker_opens: int = 0


class _SampleCollector(Collector):
    def __init__(self) -> None:
        self.sample = Sample()

    def collect(self) -> Iterable[Metric]:
        sample = self.sample
        if sample.environments_by_health is not None:
            environments = GaugeMetricFamily(
                f"{NAMESPACE}_environments", "Environments by current health.", labels=["health"]
            )
            for health in HealthState:
                count = sample.environments_by_health.get(health.value, 0)
                environments.add_metric([health.value], count)
            yield environments
        yield GaugeMetricFamily(
            f"{NAMESPACE}_websocket_connections",
            "Open, authenticated /ws connections.",
            value=sample.websocket_connections,
        )
        yield GaugeMetricFamily(
            f"{NAMESPACE}_activity_log_queue_depth",
            "Activity-log entries recorded but not stored yet.",
            value=sample.activity_queue_depth,
        )
        yield CounterMetricFamily(
            f"{NAMESPACE}_activity_log_write_failures",
            "Activity-log batch writes that storage refused (retried, not lost).",
            value=sample.activity_write_failures,
        )
        yield GaugeMetricFamily(
            f"{NAMESPACE}_storage_breaker_open",
            "1 while the storage circuit breaker is open (failing calls fast or probing), else 0.",
            value=int(sample.storage_breaker_open),
        )
        yield CounterMetricFamily(
            f"{NAMESPACE}_storage_breaker_opens",
            "Times the storage circuit breaker opened (storage stopped answering).",
            value=sample.storage_breaker_opens,
        )


class Metrics:
    """The metrics of one process: the instruments, and the registry that exposes them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.http_request_duration = Histogram(
            f"{NAMESPACE}_http_request_duration_seconds",
            "HTTP request duration by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.health_checks = Counter(
            f"{NAMESPACE}_health_checks",
            "Recorded health checks by result (healthy, unhealthy, error: no response).",
            ["result"],
            registry=registry,
        )
        self.health_check_duration = Histogram(
            f"{NAMESPACE}_health_check_duration_seconds",
            "Duration of recorded health checks by result.",
            ["result"],
            buckets=CHECK_BUCKETS,
            registry=registry,
        )
        self.operations = Counter(
            f"{NAMESPACE}_operations",
            "Finished operations by type and final status.",
            ["type", "status"],
            registry=registry,
        )
        self.operation_duration = Histogram(
            f"{NAMESPACE}_operation_duration_seconds",
            "Duration of finished operations (command and verification) by type and status.",
            ["type", "status"],
            buckets=OPERATION_BUCKETS,
            registry=registry,
        )
        self.notification_deliveries = Counter(
            f"{NAMESPACE}_notification_deliveries",
            "Notification deliveries by result (sent, failed after its retries).",
            ["result"],
            registry=registry,
        )
        self.reservation_claims = Counter(
            f"{NAMESPACE}_reservation_claims",
            "Claims of a free environment (POST /reservations/claim) by outcome.",
            ["outcome"],
            registry=registry,
        )
        self.reservations_active = Gauge(
            f"{NAMESPACE}_reservations_active",
            "Reservations holding their environment now (refreshed by the expiry job).",
            registry=registry,
        )
        self._sampled = _SampleCollector()
        registry.register(self._sampled)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered HTTP request; route is its template, never the raw path."""
        self.http_request_duration.labels(method, route, str(status)).observe(seconds)

    def observe_check(self, result: str, seconds: float) -> None:
        """Count one recorded health check: healthy, unhealthy or error."""
        self.health_checks.labels(result).inc()
        self.health_check_duration.labels(result).observe(seconds)

    def observe_operation(self, type_: str, status: str, seconds: float | None) -> None:
        """Count one finished operation; its duration when it started at all."""
        self.operations.labels(type_, status).inc()
        if seconds is not None:
            self.operation_duration.labels(type_, status).observe(seconds)

    def count_delivery(self, result: str) -> None:
        """Count one notification delivery: sent or failed."""
        self.notification_deliveries.labels(result).inc()

    def count_claim(self, outcome: str) -> None:
        """Count one claim: claimed or none_available."""
        self.reservation_claims.labels(outcome).inc()

    def set_active_reservations(self, count: int) -> None:
        """Record how many reservations hold their environment now."""
        self.reservations_active.set(count)

    def render(self, sample: Sample) -> bytes:
        """Return the text exposition of every metric, with this scrape's sampled values."""
        self._sampled.sample = sample
        return generate_latest(self.registry)
