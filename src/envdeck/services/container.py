"""The services of one running Envdeck, built once by the app and handed to routes."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from envdeck.adapters.events import EventBus
from envdeck.adapters.metrics import Metrics
from envdeck.adapters.outbound_http import OutboundHttp
from envdeck.adapters.passwords import PasswordHasher
from envdeck.adapters.secret_box import SecretBox
from envdeck.adapters.ssh import PoolSettings, SshPool, SshRunner
from envdeck.adapters.ssrf_guard import SsrfGuard
from envdeck.config import Settings
from envdeck.keyfiles import RuntimeSecrets
from envdeck.repositories.base import Storage
from envdeck.repositories.breaker import GuardedStorage, StorageBreaker
from envdeck.repositories.change_counting import ChangeCountingStorage
from envdeck.services.activity.queries import ActivityQueries
from envdeck.services.activity.retention import LogRetention
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.cluster import InstanceRegistry
from envdeck.services.cluster.event_relay import EventRelay
from envdeck.services.cluster.leases import LeaseKeeper
from envdeck.services.cluster.registry import this_process
from envdeck.services.cluster.shards import ShardLeases
from envdeck.services.health import HealthChecker, HealthRecorder, HealthScheduler
from envdeck.services.health.history import HealthHistoryService, HealthSampleRetention
from envdeck.services.identity.api_tokens import ApiTokenService
from envdeck.services.identity.auth import AuthService
from envdeck.services.identity.login_limiter import LoginLimiter, login_rules
from envdeck.services.identity.login_tokens import LoginTokenCodec
from envdeck.services.identity.setup import SetupService
from envdeck.services.identity.users import UserService
from envdeck.services.inventory.credentials import CredentialService
from envdeck.services.inventory.environment_files import EnvironmentFiles
from envdeck.services.inventory.environments import EnvironmentService
from envdeck.services.inventory.probes import EnvironmentProbes
from envdeck.services.inventory.ssh_access import SshAccess
from envdeck.services.inventory.views import EnvironmentViews
from envdeck.services.maintenance.windows import MaintenanceService
from envdeck.services.migration.service import Migration
from envdeck.services.notifications import Notifications, build_notifications
from envdeck.services.operations.executors import Executors
from envdeck.services.operations.executors.http import HttpCommandRunner, HttpExecutor
from envdeck.services.operations.executors.ssh import SshExecutor
from envdeck.services.operations.previews import CommandPreviews
from envdeck.services.operations.service import OperationService
from envdeck.services.operations.verification import Verifier
from envdeck.services.operations.version_lists import VersionLists
from envdeck.services.promotions.notices import PromotionNotices
from envdeck.services.promotions.service import PromotionService
from envdeck.services.realtime import RealtimeHub
from envdeck.services.reservations.expiry import ReservationExpiry
from envdeck.services.reservations.gate import ReservationGate
from envdeck.services.reservations.notices import Notices
from envdeck.services.reservations.service import ReservationService
from envdeck.services.scrape import MetricsScrape
from envdeck.services.status_pages.service import StatusPageService


@dataclass
class Services:
    storage: Storage
    bus: EventBus
    activity: ActivityLog
    secrets: RuntimeSecrets
    auth: AuthService
    users: UserService
    tokens: ApiTokenService
    setup: SetupService
    box: SecretBox
    environments: EnvironmentService
    environment_files: EnvironmentFiles
    credentials: CredentialService
    # List pages and counts of the inventory, shared until an environment changes.
    environment_views: EnvironmentViews
    activity_queries: ActivityQueries
    log_retention: LogRetention
    # The WebSocket hub: one bus subscription fanned out to every /ws connection.
    realtime: RealtimeHub
    # The one pooled client for every outbound HTTP call (checks, version lists, commands).
    http: OutboundHttp
    # The health engine: scheduled checks, check-now, the form's test (docs/health.md).
    health: HealthScheduler
    # Charts, uptime, recent checks and sparklines from the recorded samples (docs/health.md).
    health_history: HealthHistoryService
    health_retention: HealthSampleRetention
    # Version lists from upgrade configs, cached briefly; the Versions view.
    version_lists: VersionLists
    # SSH: pooled, host-key-verified connections (closed at shutdown), the one-script runner,
    # and each environment's target and credential (docs/commands.md).
    ssh_pool: SshPool
    ssh_runner: SshRunner
    ssh_access: SshAccess
    # Restart / upgrade / rollback: validated, claimed, run in the background, verified.
    operations: OperationService
    # The exact restart/upgrade command a confirmation dialog shows, secrets masked.
    command_previews: CommandPreviews
    # System-info refresh and the connection test, over SSH (docs/commands.md).
    environment_probes: EnvironmentProbes
    # Maintenance windows and "is this environment in maintenance now?" (docs/maintenance.md).
    maintenance: MaintenanceService
    # Prometheus metrics of this process, in its own registry (docs/metrics.md).
    metrics: Metrics
    # What GET /metrics answers: those metrics plus values sampled at scrape time.
    metrics_scrape: MetricsScrape
    # Which addresses outbound requests may reach (docs/security.md); the HTTP client and the
    # SSH pool apply it, other senders (notifications) call check_url before sending.
    ssrf_guard: SsrfGuard
    # Fails storage calls fast while storage is down, instead of each waiting out a timeout.
    storage_breaker: StorageBreaker
    # Notification channels, alerting and delivery (docs/notifications.md).
    notifications: Notifications
    # This instance's heartbeats and every instance's status (docs/operations.md).
    instance_registry: InstanceRegistry
    # This instance's leases: stored once several instances share MongoDB, else all its own.
    leases: LeaseKeeper
    # With several instances: this instance's share of the health checks, and its events on
    # the others' buses and theirs on its own (docs/operations.md).
    health_shards: ShardLeases
    event_relay: EventRelay
    # `envdeck migrate from-environment-manager --url` (docs/migration.md).
    migration: Migration
    # Reservations of environments and their expiry job (docs/reservations.md).
    reservations: ReservationService
    reservation_expiry: ReservationExpiry
    promotions: PromotionService
    # Status pages: their settings and cached public views (docs/status-pages.md).
    status_pages: StatusPageService


def build_services(
    settings: Settings,
    backend: Storage,
    secrets: RuntimeSecrets,
    clock: Callable[[], datetime],
) -> Services:
    """Wire every service for one process over the (unopened or opened) storage backend."""
    # One instance per app lifespan: a new id, started now.
    instance = this_process(backend.backend, clock())
    leases = LeaseKeeper(None, instance.id, clock, settings.cluster.lease_duration)
    # Every service calls storage through the breaker, and writes environments through the
    # counter on top of it, so cached views know when to re-read.
    guarded = GuardedStorage(backend)
    storage_breaker = guarded.breaker
    storage = ChangeCountingStorage(guarded)
    bus = EventBus()
    metrics = Metrics()
    activity = ActivityLog(
        storage.logs,
        bus,
        flush_interval=settings.activity_log.flush_interval.total_seconds(),
        batch_size=settings.activity_log.batch_size,
        max_pending=settings.activity_log.max_pending,
        ack_timeout=settings.activity_log.ack_timeout.total_seconds(),
    )
    hasher = PasswordHasher(settings.auth.bcrypt_cost)
    codec = LoginTokenCodec(secrets.jwt_secret, settings.jwt.expiry_time, clock)
    limiter = LoginLimiter(storage.login_attempts, login_rules(settings.auth), clock)
    auth = AuthService(storage, activity, codec, hasher, limiter, clock)
    # Two keys while a key rotation is under way: it seals with the new one.
    box = SecretBox(secrets.encryption_keys)
    environments = EnvironmentService(storage, activity, bus, box, clock)
    ssrf_guard = SsrfGuard.from_settings(settings.outbound)
    http = OutboundHttp(
        max_connections=settings.health.max_connections,
        max_body_bytes=settings.health.max_body_bytes,
        max_redirects=settings.health.max_redirects,
        guard=ssrf_guard,
    )
    health = HealthScheduler(
        storage,
        bus,
        HealthChecker(http, box, clock),
        HealthRecorder(
            storage,
            activity,
            bus,
            clock,
            flush_interval=settings.health.flush_interval.total_seconds(),
            metrics=metrics,
        ),
        concurrency=settings.health.concurrency,
        enabled=settings.health.enabled,
    )
    version_lists = VersionLists(storage.environments, http, box)
    ssh = settings.ssh
    ssh_pool = SshPool(
        PoolSettings(
            connect_timeout=ssh.connect_timeout.total_seconds(),
            keepalive_interval=ssh.keepalive_interval.total_seconds(),
            keepalive_count_max=ssh.keepalive_count_max,
            idle_timeout=ssh.idle_timeout.total_seconds(),
            max_connections_per_host=ssh.max_connections_per_host,
            max_sessions_per_connection=ssh.max_sessions_per_connection,
        ),
        guard=ssrf_guard,
    )
    ssh_runner = SshRunner(ssh_pool, kill_grace=ssh.kill_grace.total_seconds())
    ssh_access = SshAccess(storage, box, activity, ssh_runner)
    # One executor per kind of command (docs/architecture.md: adding a kind).
    executors = Executors([SshExecutor(ssh_access), HttpExecutor(HttpCommandRunner(http, box))])
    instance_registry = InstanceRegistry(
        storage.instances,
        instance,
        clock,
        heartbeat_interval=settings.cluster.heartbeat_interval,
        instance_ttl=settings.cluster.instance_ttl,
        leases=leases,
    )
    operations = OperationService(
        storage,
        bus,
        activity,
        executors,
        Verifier(
            HealthChecker(http, box, clock),
            box,
            poll_interval=settings.operations.verify_poll_interval.total_seconds(),
        ),
        version_lists,
        clock,
        output_flush_interval=settings.operations.output_flush_interval.total_seconds(),
        shutdown_timeout=settings.server.shutdown_timeout.total_seconds(),
        metrics=metrics,
        instances=instance_registry,
        cluster=settings.cluster,
        # Cluster mode once app.py shares the leases; alone, a killed predecessor's operations
        # are interrupted at start-up without waiting out its heartbeat's TTL.
        clustered=lambda: leases.shared,
        reservations=ReservationGate(storage.reservations, activity, clock),
    )
    maintenance = MaintenanceService(storage, activity, clock)
    notifications = build_notifications(
        settings.notifications,
        settings.server.public_url,
        storage,
        bus,
        activity,
        box,
        maintenance,
        clock,
        metrics=metrics,
        guard=ssrf_guard,
        instance_id=instance.id,
        leases=leases,
        instance_ttl=settings.cluster.instance_ttl,
    )
    notices = Notices(storage.environments, lambda: notifications.outbox)
    reservations = ReservationService(
        storage, activity, bus, clock, settings.reservations, notices, metrics=metrics
    )
    reservation_expiry = ReservationExpiry(
        reservations,
        storage.reservations,
        notices,
        clock,
        settings.reservations,
        leases=leases,
        metrics=metrics,
    )
    promotions = PromotionService(
        storage,
        operations,
        version_lists,
        activity,
        bus,
        clock,
        settings.promotions,
        PromotionNotices(storage.environments, lambda: notifications.outbox),
        instance_id=instance.id,
    )
    realtime = RealtimeHub(bus, auth, storage.revocations, settings.realtime, clock)
    # Other instances' status refreshes (one per check) are taken only for environments a
    # client here watches or this instance checks: the rest would be work for nobody.
    event_relay = EventRelay(
        bus, instance.id, lambda env_id: realtime.watches(env_id) or health.checks(env_id)
    )
    # Cached views re-read after a write here, or a change another instance announced.
    environment_views = EnvironmentViews(
        environments,
        storage.environments,
        lambda: (
            storage.environments_version + event_relay.environment_changes + reservations.version
        ),
        held=reservations,
    )
    return Services(
        storage=storage,
        bus=bus,
        activity=activity,
        secrets=secrets,
        auth=auth,
        users=UserService(storage, activity, auth, hasher),
        tokens=ApiTokenService(storage, activity, auth, clock),
        setup=SetupService(storage, activity, hasher, Path(settings.data_dir)),
        box=box,
        environments=environments,
        environment_files=EnvironmentFiles(storage, environments, activity, box),
        credentials=CredentialService(storage, activity, box),
        environment_views=environment_views,
        activity_queries=ActivityQueries(storage, clock),
        log_retention=LogRetention(
            storage.logs, timedelta(days=settings.logs.retention_days), clock, leases=leases
        ),
        realtime=realtime,
        http=http,
        health=health,
        health_history=HealthHistoryService(storage, bus, clock),
        health_retention=HealthSampleRetention(
            storage,
            timedelta(days=settings.health.raw_retention_days),
            timedelta(days=settings.health.rollup_retention_days),
            clock,
            leases=leases,
        ),
        version_lists=version_lists,
        command_previews=CommandPreviews(storage.environments, version_lists, executors),
        ssh_pool=ssh_pool,
        ssh_runner=ssh_runner,
        ssh_access=ssh_access,
        operations=operations,
        environment_probes=EnvironmentProbes(storage, ssh_access, activity, bus, clock),
        maintenance=maintenance,
        metrics=metrics,
        metrics_scrape=MetricsScrape(
            metrics, environment_views, realtime, activity, storage_breaker
        ),
        ssrf_guard=ssrf_guard,
        storage_breaker=storage_breaker,
        notifications=notifications,
        instance_registry=instance_registry,
        leases=leases,
        health_shards=ShardLeases(leases, storage.instances, health, clock),
        event_relay=event_relay,
        migration=Migration(
            storage, box, settings.logs.retention_days, announce=environments.announce
        ),
        reservations=reservations,
        reservation_expiry=reservation_expiry,
        status_pages=StatusPageService(storage, activity, clock),
        promotions=promotions,
    )
