"""create_app(settings): builds the FastAPI app and wires storage, services and routes."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import structlog
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from envdeck import __version__
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.api.audit_ack import AuditAcknowledgementMiddleware
from envdeck.api.body_limit import BodyLimitMiddleware
from envdeck.api.deps import require_audit_room
from envdeck.api.docs import mount_docs
from envdeck.api.errors import document_undecodable_bodies, install_error_handlers
from envdeck.api.metrics_middleware import MetricsMiddleware
from envdeck.api.middleware import REQUEST_ID_HEADER, RequestContextMiddleware
from envdeck.api.routes import (
    auth,
    commands,
    credentials,
    environments,
    health_checks,
    health_history,
    logs,
    maintenance,
    metrics,
    migrations,
    notifications,
    operations,
    pipelines,
    probes,
    promotions,
    reservations,
    setup,
    status_pages,
    system,
    tokens,
    users,
    versions,
    ws,
)
from envdeck.api.schemas import error_responses
from envdeck.api.ui import mount_ui
from envdeck.config import Settings
from envdeck.domain.clock import utc_now
from envdeck.domain.errors import StorageUnavailable
from envdeck.domain.instance import InstanceStatus
from envdeck.keyfiles import load_runtime_secrets
from envdeck.repositories.base import ClusterUnsupported, Storage
from envdeck.services.container import Services, build_services
from envdeck.services.inventory.secret_migration import migrate_secrets

if TYPE_CHECKING:
    from envdeck.demo.runner import DemoFleet

log = structlog.get_logger(__name__)

API_PREFIX = "/api/v1"
STORAGE_RETRY_SECONDS = 2.0


def create_storage(settings: Settings) -> Storage:
    """Return the (unopened) backend that database.uri selects."""
    if settings.storage_backend == "sqlite":
        from envdeck.repositories.sqlite import SqliteStorage

        return SqliteStorage(settings.sqlite_path)
    from envdeck.repositories.mongo import MongoStorage

    return MongoStorage(settings.storage_uri, settings.database.database)


async def _open_storage(storage: Storage) -> bool:
    try:
        await storage.open()
    except StorageUnavailable:
        log.warning("storage_unavailable", backend=storage.backend, retry_in=STORAGE_RETRY_SECONDS)
        return False
    log.info("storage_opened", backend=storage.backend)
    return True


async def _join_cluster(services: Services, settings: Settings) -> None:
    """Share leases and events with other instances when storage can carry several."""
    if not settings.cluster.enabled:
        log.info("cluster_mode_off", reason="cluster.enabled is false: running alone")
        return
    while True:
        try:
            store = await services.storage.cluster_store()
            break
        except ClusterUnsupported as exc:
            if services.storage.backend != "sqlite":
                log.warning("cluster_mode_off", reason=str(exc))
            return
        except StorageUnavailable:
            await asyncio.sleep(STORAGE_RETRY_SECONDS)
    services.leases.use(store.leases)
    services.health.share(services.health_shards.holds)
    await services.event_relay.start(store.events)
    services.health_shards.start()
    log.info("cluster_mode_on", instance_id=services.instance_registry.instance_id)
    if not settings.jwt.secret or not settings.encryption.key:
        # Generated into this instance's data dir: sign-ins and stored secrets of one instance
        # would be refused by the others (unless they share that folder).
        log.warning(
            "cluster_secrets_not_configured",
            fix="set JWT_SECRET and ENVDECK_ENCRYPTION__KEY alike on every instance",
        )


async def _after_open(services: Services, settings: Settings) -> None:
    """First-run setup and housekeeping, once storage answers."""
    # Registered first: other instances see this one before it does anything else.
    services.instance_registry.start()
    await _join_cluster(services, settings)
    services.health_retention.start()
    services.log_retention.start()
    # Reservations ending by themselves and their reminders (a singleton job's lease).
    services.reservation_expiry.start()
    await services.storage.revocations.purge_expired(utc_now())
    password = settings.admin_password
    token = await services.setup.prepare(
        settings.admin_username, password.get_secret_value() if password is not None else None
    )
    if token is not None:
        # Printed, not logged: the banner is for the person starting Envdeck.
        print(
            f"  Setup:     no user yet: open the web UI and enter the setup token {token}",
            flush=True,
        )
        print(f"             (also in {services.setup.token_file})", flush=True)
    # Before anything opens a stored secret: each bound to its record and field (enc:v2).
    await migrate_secrets(services.storage, services.box)
    # Operations that a gone instance left running can no longer finish: say so, free the
    # claims (those of live instances are theirs); then sweep for them and take cancel requests.
    await services.operations.recover_interrupted()
    await _recover_promotions(services)
    services.operations.start()
    await services.health.start()


async def _recover_promotions(services: Services) -> None:
    """Close the promotions that a stopped instance was running (alone: every running one)."""
    live: set[str] | None = None
    if services.leases.shared:
        listing = await services.instance_registry.list_instances()
        live = {
            item.instance.id for item in listing.instances if item.status is InstanceStatus.LIVE
        }
    await services.promotions.recover_interrupted(live)


async def _keep_opening(services: Services, settings: Settings) -> None:
    # A database that is down at start-up is waited for; /ready answers 503 meanwhile.
    while True:
        await asyncio.sleep(STORAGE_RETRY_SECONDS)
        if await _open_storage(services.storage):
            await _after_open(services, settings)
            return


async def _start(
    stack: contextlib.AsyncExitStack,
    services: Services,
    settings: Settings,
    demo: "DemoFleet | None",
) -> None:
    """Start every component, pushing its close onto the stack as it starts.

    The stack closes them in reverse, so each starts after what must outlive it: the order
    below is the shutdown order read backwards, and the comments say why it is so.
    """
    # Closed last: everything below reads or writes storage until it has stopped.
    stack.push_async_callback(services.storage.close)
    opened = await _open_storage(services.storage)
    # Heartbeats (started once storage answers, below) stop and the stop is recorded once
    # everything else has stopped: "stopped" means nothing of this instance runs any more.
    stack.push_async_callback(services.instance_registry.close)
    # Closed after everything that publishes on it.
    stack.push_async_callback(services.bus.close)
    # Relays this instance's events to the others until everything that publishes has stopped.
    stack.push_async_callback(services.event_relay.close)
    services.activity.start()
    # Closed after every producer of entries (below), and before the bus: it publishes each
    # entry it stores.
    stack.push_async_callback(services.activity.close)
    # Started before the interrupted operations are recovered (once storage answers, at the
    # end), so they are announced too (docs/notifications.md). Closed after the operations and
    # the health engine, before the log and the bus: what alerting still holds is queued, and
    # deliveries in flight get a short grace (their results go to the log).
    await services.notifications.start()
    stack.push_async_callback(services.notifications.close)
    # Forgets deleted environments' samples; purges old ones (SQLite) or sets TTLs (MongoDB).
    services.health_history.start()
    stack.push_async_callback(services.health_history.close)
    # Purge at once and hourly on SQLite, or set the TTL indexes on MongoDB: started once
    # storage answers (below), on one instance at a time (a singleton job's lease).
    stack.push_async_callback(services.health_retention.close)
    stack.push_async_callback(services.log_retention.close)
    stack.push_async_callback(services.reservation_expiry.close)
    # Sockets close (1001 going away) once operations and checks have stopped, while the bus
    # and storage still run.
    services.realtime.start()
    stack.push_async_callback(services.realtime.close)
    # The one outbound HTTP client outlives the health engine, the operations and their
    # verification, which send through it.
    stack.push_async_callback(services.http.close)
    # The health engine (started once storage answers, below) stops before the client: no new
    # check, statuses written while storage runs.
    stack.push_async_callback(services.health.close)
    # Hands its health shards back (checks stopped, results written) before the engine stops.
    stack.push_async_callback(services.health_shards.close)
    # SSH connections close once the operations that use them have stopped.
    stack.push_async_callback(services.ssh_pool.close)
    # Closed first: running operations get what remains of server.shutdownTimeout (counted
    # from the signal: server.py), then are cancelled (`interrupted`), while everything they
    # report to still runs.
    stack.push_async_callback(services.operations.close)
    # Promotions stop first: their runs start and follow operations (closed as interrupted
    # at the next start).
    stack.push_async_callback(services.promotions.close)
    if opened:
        await _after_open(services, settings)
    else:
        opening = asyncio.create_task(_keep_opening(services, settings), name="open-storage")
        stack.push_async_callback(cancel_and_wait, opening)
    if demo is not None:
        await demo.start(services)
        stack.push_async_callback(demo.stop)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    storage = create_storage(settings)
    services = build_services(settings, storage, load_runtime_secrets(settings), utc_now)
    app.state.services = services
    async with contextlib.AsyncExitStack() as stack:
        await _start(stack, services, settings, app.state.demo)
        yield


def create_app(
    settings: Settings, *, serve_ui: bool = True, demo: "DemoFleet | None" = None
) -> FastAPI:
    """Build the application for these settings; nothing is opened until its lifespan starts.

    With `demo`, the simulated fleet runs in the same event loop and is registered at start.
    """
    app = FastAPI(
        title="Envdeck",
        version=__version__,
        summary="Self-hosted environment manager",
        openapi_url="/api/openapi.json",
        # Swagger UI is mounted below (api/docs.py), with a Content-Security-Policy of its own.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # Operation ids are the route functions' names: the UI's typed client reads them.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = settings
    app.state.demo = demo
    install_error_handlers(app)

    # A change whose audit entry the activity log could not keep is refused before it is made.
    api = APIRouter(
        prefix=API_PREFIX,
        responses=error_responses(422, 500),
        dependencies=[Depends(require_audit_room)],
    )
    for module in (
        system,
        setup,
        auth,
        users,
        tokens,
        environments,
        credentials,
        logs,
        health_checks,
        health_history,
        versions,
        commands,
        probes,
        operations,
        maintenance,
        notifications,
        migrations,
        reservations,
        status_pages,
        pipelines,
        promotions,
    ):
        api.include_router(module.router)
    app.include_router(api)
    document_undecodable_bodies(app)
    mount_docs(app)
    app.include_router(ws.router)
    # At the root, where scrapers look; outside the JSON API (docs/metrics.md).
    app.include_router(metrics.router)
    if serve_ui:
        mount_ui(app)

    # Innermost: a response waits for its request's activity-log entries to be stored.
    app.add_middleware(AuditAcknowledgementMiddleware)
    # Times the request as the router answered it (the audit wait included), by route template.
    app.add_middleware(MetricsMiddleware)
    # Added last = outermost: the request id and headers cover every response, errors included.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Inside CORS and the request context: a 413 has CORS, its request id, headers, access line.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.server.max_body_bytes)
    if settings.allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allow_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER],
        )
    app.add_middleware(RequestContextMiddleware)
    return app
