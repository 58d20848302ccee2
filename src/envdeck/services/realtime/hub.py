"""The real-time hub: one bus subscription, fanned out to every WebSocket connection.

Events become frames once (serialised once) and are queued on each interested connection's
outbox without waiting: a slow client only ever fills its own outbox, and is closed (4008) when
that is full. `handle_event` is the only way in, so a bus that spans several instances
(DESIGN §11) only has to hand its events to it; fan-out does not care where they come from.
"""

import asyncio
import contextlib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import structlog
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from envdeck.adapters.events import (
    EnvironmentChanged,
    Event,
    EventBus,
    LogRecorded,
    OperationOutput,
    OperationUpdated,
    PromotionUpdated,
    ReservationUpdated,
    StatusChanged,
    Subscription,
)
from envdeck.adapters.tasks import cancel_and_wait
from envdeck.config import RealtimeSettings
from envdeck.domain.auth import Principal, TokenKind
from envdeck.domain.errors import EnvdeckError, Unauthorized
from envdeck.domain.ids import new_id
from envdeck.domain.user import Role
from envdeck.repositories.base import RevocationRepository
from envdeck.services.activity.queries import visible_to
from envdeck.services.identity.auth import AuthService, hash_api_token
from envdeck.services.realtime.connection import Connection, Transport
from envdeck.services.realtime.protocol import (
    MAX_WATCHED_ENVIRONMENTS,
    MAX_WATCHED_OPERATIONS,
    AuthPayload,
    ClientMessage,
    ClientType,
    CloseCode,
    ErrorCode,
    Frame,
    ProtocolError,
    SubscriptionPayload,
    environment_frame,
    error_frame,
    log_frame,
    operation_frame,
    output_frame,
    parse_client_frame,
    parse_payload,
    pong_frame,
    promotion_frame,
    ready_frame,
    reservation_frame,
    status_frame,
)

log = structlog.get_logger(__name__)

# How long a close frame may wait for a client that does not read before we give up on it.
CLOSE_TIMEOUT = 5.0
# Sessions re-checked at once: storage round trips overlap, and one round of thousands of
# tokens stays well inside realtime.recheckInterval.
RECHECK_CONCURRENCY = 64
TOPICS = {
    EnvironmentChanged.topic,
    StatusChanged.topic,
    OperationUpdated.topic,
    OperationOutput.topic,
    LogRecorded.topic,
    ReservationUpdated.topic,
    PromotionUpdated.topic,
}


@dataclass
class HubStats:
    """Counters since start-up (for tests, the bench and later /metrics)."""

    accepted: int = 0
    rejected: int = 0
    closed_too_slow: int = 0
    closed_flood: int = 0
    closed_unauthorized: int = 0
    frames_out: int = 0


class RealtimeHub:
    """Serves every /ws connection of this process and fans bus events out to them."""

    def __init__(
        self,
        bus: EventBus,
        auth: AuthService,
        revocations: RevocationRepository,
        settings: RealtimeSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self._bus = bus
        self._auth = auth
        self._revocations = revocations
        self._settings = settings
        self._clock = clock
        self._limit = parse(settings.message_rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._connections: dict[str, Connection] = {}
        self._operation_watchers: dict[str, set[Connection]] = {}
        self._environment_watchers: dict[str, set[Connection]] = {}
        self._all_environment_watchers: set[Connection] = set()
        self._log_watchers: set[Connection] = set()
        self._subscription: Subscription | None = None
        self._recheck: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self.stats = HubStats()

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Subscribe to the bus (once) and start re-checking sessions."""
        self._subscription = self._bus.subscribe("realtime", self._on_event, topics=TOPICS)
        self._recheck = asyncio.create_task(self._recheck_forever(), name="realtime-recheck")

    async def close(self) -> None:
        """Close every connection with 1001 (going away) and stop listening; idempotent."""
        self._closing = True
        await cancel_and_wait(self._recheck)
        self._recheck = None
        if self._subscription is not None:
            await self._bus.unsubscribe(self._subscription)
            self._subscription = None
        for connection in list(self._connections.values()):
            connection.finish(CloseCode.GOING_AWAY, "server shutting down")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), CLOSE_TIMEOUT + 1)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def snapshot(self) -> dict[str, Any]:
        """Return the counters and, per connection, its user and outbox state."""
        return {
            **asdict(self.stats),
            "connections": [
                {
                    "id": c.id,
                    "username": c.principal.username,
                    "queued": len(c.outbox),
                    "coalesced": c.outbox.coalesced,
                }
                for c in self._connections.values()
            ],
        }

    # --- fan-out -------------------------------------------------------------------------

    async def _on_event(self, event: Event) -> None:
        self.handle_event(event)

    def handle_event(self, event: Event) -> None:
        """Turn an event into one frame and queue it for every connection that should get it."""
        if isinstance(event, StatusChanged):
            self._deliver_status(event)
        elif isinstance(event, EnvironmentChanged):
            self._deliver(
                environment_frame(event.action, event.environment), self._connections.values()
            )
        elif isinstance(event, OperationUpdated):
            self._deliver(operation_frame(event.operation), self._connections.values())
        elif isinstance(event, OperationOutput):
            watchers = self._operation_watchers.get(event.operation_id)
            if watchers:
                frame = output_frame(event.operation_id, event.seq, event.stream, event.chunk)
                self._deliver(frame, list(watchers))
        elif isinstance(event, LogRecorded):
            self._deliver_log(event)
        elif isinstance(event, ReservationUpdated):
            frame = reservation_frame(event.action, event.reservation)
            self._deliver(frame, self._connections.values())
        elif isinstance(event, PromotionUpdated):
            self._deliver(promotion_frame(event.promotion), self._connections.values())

    def watches(self, environment_id: str) -> bool:
        """Tell whether a client here wants this environment's status refreshes."""
        watched = self._environment_watchers.get(environment_id)
        return bool(self._all_environment_watchers or watched)

    def _deliver_status(self, event: StatusChanged) -> None:
        # A transition goes to everyone (dashboards); a refresh only to who watches the
        # environment, and costs nothing when nobody does (a thousand a second at scale).
        connections: Iterable[Connection]
        if event.transition:
            connections = self._connections.values()
        else:
            watchers = self._environment_watchers.get(event.environment_id)
            if not watchers and not self._all_environment_watchers:
                return
            connections = self._all_environment_watchers | (watchers or set())
        frame = status_frame(event.environment_id, event.status, event.previous, event.transition)
        self._deliver(frame, connections)

    def _deliver_log(self, event: LogRecorded) -> None:
        environment_id = event.entry.environment_id
        watchers = self._log_watchers | self._all_environment_watchers
        if environment_id is not None:
            watchers = watchers | self._environment_watchers.get(environment_id, set())
        if not visible_to(event.entry, Role.VIEWER):
            watchers = {c for c in watchers if visible_to(event.entry, c.principal.role)}
        if watchers:
            self._deliver(log_frame(event.entry), watchers)

    def _deliver(self, frame: Frame, connections: Iterable[Connection]) -> None:
        for connection in connections:
            self._send(connection, frame)

    def _send(self, connection: Connection, frame: Frame) -> None:
        if connection.finished.is_set():
            return
        if connection.outbox.put(frame):
            self.stats.frames_out += 1
            return
        self.stats.closed_too_slow += 1
        connection.finish(CloseCode.TOO_SLOW, "too slow: reconnect and refetch")

    # --- one connection ------------------------------------------------------------------

    async def serve(self, transport: Transport, query_token: str | None = None) -> None:
        """Run one accepted WebSocket until it ends: authenticate, then read and write."""
        try:
            await self._serve(transport, query_token)
        except Exception as exc:
            # Logged here, without locals (they hold the token), rather than by uvicorn.
            log.error(
                "realtime_failed",
                error=type(exc).__name__,
                traceback="".join(traceback.format_exception(exc)),
            )
            await transport.close(CloseCode.INTERNAL_ERROR, "internal error")

    async def _serve(self, transport: Transport, query_token: str | None) -> None:
        if self._closing:
            await transport.close(CloseCode.GOING_AWAY, "server shutting down")
            return
        authenticated = await self._authenticate(transport, query_token)
        if authenticated is None:
            return
        principal, token = authenticated
        connection = Connection(new_id(), transport, principal, token, self._settings.queue_size)
        self._send(connection, ready_frame(principal, connection.id, self._public_limits()))
        self._register(connection)
        log.info(
            "realtime_connected",
            connection_id=connection.id,
            user_id=principal.user_id,
            token_kind=principal.kind.value,
        )
        writer = asyncio.create_task(connection.write(), name=f"ws-write:{connection.id}")
        reader = asyncio.create_task(self._read(connection), name=f"ws-read:{connection.id}")
        try:
            await connection.finished.wait()
        finally:
            for task in (reader, writer):
                task.cancel()
            await asyncio.gather(reader, writer, return_exceptions=True)
            self._unregister(connection)
            await self._close(connection)

    async def _close(self, connection: Connection) -> None:
        code = connection.close_code or CloseCode.GOING_AWAY
        if not connection.peer_closed:
            # A client that stopped reading cannot take a close frame either: give up on it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    connection.transport.close(code, connection.close_reason), CLOSE_TIMEOUT
                )
        log.info(
            "realtime_closed",
            connection_id=connection.id,
            user_id=connection.principal.user_id,
            code=int(code),
            reason=connection.close_reason,
        )

    def _public_limits(self) -> dict[str, Any]:
        return {
            "maxMessageBytes": self._settings.max_message_bytes,
            "messageRate": self._settings.message_rate,
            "queueSize": self._settings.queue_size,
        }

    async def _authenticate(
        self, transport: Transport, query_token: str | None
    ) -> tuple[Principal, str] | None:
        """Return the principal and token of a new connection, or close it and return None."""
        try:
            token = query_token or await self._first_frame_token(transport)
            if token is None:
                return None  # the peer left
            return await self._auth.authenticate(token), token
        except (ProtocolError, Unauthorized) as exc:
            await self._reject(transport, ErrorCode.UNAUTHORIZED, exc.message)
        except EnvdeckError as exc:
            # Storage is down: the client should retry later, not sign in again.
            await self._reject(
                transport, ErrorCode.UNAVAILABLE, exc.message, CloseCode.TRY_AGAIN_LATER
            )
        return None

    async def _first_frame_token(self, transport: Transport) -> str | None:
        timeout = self._settings.auth_timeout.total_seconds()
        try:
            data = await asyncio.wait_for(transport.receive(), timeout)
        except TimeoutError:
            raise Unauthorized("authentication timed out: send an auth frame first") from None
        if data is None:
            return None
        message = parse_client_frame(data, self._settings.max_message_bytes)
        if message.type is not ClientType.AUTH:
            raise Unauthorized("authenticate first with an auth frame")
        return parse_payload(AuthPayload, message.payload).token

    async def _reject(
        self,
        transport: Transport,
        code: ErrorCode,
        message: str,
        close_code: int = CloseCode.UNAUTHORIZED,
    ) -> None:
        self.stats.rejected += 1
        await self._send_now(transport, error_frame(code, message))
        await transport.close(close_code, message[:120])

    @staticmethod
    async def _send_now(transport: Transport, frame: Frame) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(transport.send(frame.text), CLOSE_TIMEOUT)

    def _register(self, connection: Connection) -> None:
        self._connections[connection.id] = connection
        self._idle.clear()
        self.stats.accepted += 1

    def _unregister(self, connection: Connection) -> None:
        self._connections.pop(connection.id, None)
        self._unwatch_all(connection)
        if not self._connections:
            self._idle.set()

    async def _read(self, connection: Connection) -> None:
        while True:
            data = await connection.transport.receive()
            if data is None:
                connection.finish(1000, "closed by the client", peer_closed=True)
                return
            if not await self._limiter.hit(self._limit, "ws", connection.id):
                self.stats.closed_flood += 1
                connection.finish(CloseCode.FLOOD, "too many messages")
                return
            try:
                message = parse_client_frame(data, self._settings.max_message_bytes)
                self._handle(connection, message)
            except ProtocolError as exc:
                self._send(connection, error_frame(exc.code, exc.message, exc.reason))

    def _handle(self, connection: Connection, message: ClientMessage) -> None:
        if message.type is ClientType.PING:
            self._send(connection, pong_frame(message.payload))
        elif message.type is ClientType.SUBSCRIBE:
            self._watch(connection, parse_payload(SubscriptionPayload, message.payload))
        elif message.type is ClientType.UNSUBSCRIBE:
            self._unwatch(connection, parse_payload(SubscriptionPayload, message.payload))
        else:
            raise ProtocolError(ErrorCode.VALIDATION_ERROR, "already authenticated", "auth_again")

    # --- subscriptions -------------------------------------------------------------------

    def _watch(self, connection: Connection, wanted: SubscriptionPayload) -> None:
        environments = set(wanted.environment_ids()) - connection.environments
        operations = set(wanted.operations) - connection.operations
        if len(connection.environments) + len(environments) > MAX_WATCHED_ENVIRONMENTS:
            raise _too_many("environments", MAX_WATCHED_ENVIRONMENTS)
        if len(connection.operations) + len(operations) > MAX_WATCHED_OPERATIONS:
            raise _too_many("operations", MAX_WATCHED_OPERATIONS)
        if wanted.environments == "*":
            connection.all_environments = True
            self._all_environment_watchers.add(connection)
        for environment_id in environments:
            connection.environments.add(environment_id)
            self._environment_watchers.setdefault(environment_id, set()).add(connection)
        for operation_id in operations:
            connection.operations.add(operation_id)
            self._operation_watchers.setdefault(operation_id, set()).add(connection)
        if wanted.logs:
            connection.logs = True
            self._log_watchers.add(connection)

    def _unwatch(self, connection: Connection, unwanted: SubscriptionPayload) -> None:
        if unwanted.environments == "*":
            connection.all_environments = False
            self._all_environment_watchers.discard(connection)
            environments = set(connection.environments)
        else:
            environments = set(unwanted.environments) & connection.environments
        for environment_id in environments:
            connection.environments.discard(environment_id)
            _discard(self._environment_watchers, environment_id, connection)
        for operation_id in set(unwanted.operations) & connection.operations:
            connection.operations.discard(operation_id)
            _discard(self._operation_watchers, operation_id, connection)
        if unwanted.logs:
            connection.logs = False
            self._log_watchers.discard(connection)

    def _unwatch_all(self, connection: Connection) -> None:
        self._unwatch(
            connection,
            SubscriptionPayload(
                environments="*", operations=list(connection.operations), logs=True
            ),
        )

    # --- sessions ------------------------------------------------------------------------

    async def _recheck_forever(self) -> None:
        interval = self._settings.recheck_interval.total_seconds()
        loop = asyncio.get_running_loop()
        due = loop.time() + interval
        while True:
            # A fixed rate, not a fixed pause: a long round does not push the next one back.
            await asyncio.sleep(max(0.0, due - loop.time()))
            due = max(due + interval, loop.time())
            try:
                await self.recheck_once()
            except Exception as exc:
                # No traceback: its frames hold tokens, which a console renderer would show.
                log.error("realtime_recheck_failed", error=type(exc).__name__)

    async def recheck_once(self) -> None:
        """Close (4001) every connection whose token expired or was revoked, or whose user
        was deactivated, deleted or demoted; caches are bypassed so another instance's change
        counts too."""
        by_token: dict[str, list[Connection]] = {}
        for connection in list(self._connections.values()):
            if not connection.finished.is_set():
                by_token.setdefault(connection.token, []).append(connection)
        for user_id in {c[0].principal.user_id for c in by_token.values()}:
            self._auth.forget_user(user_id)
        groups = list(by_token.items())
        for start in range(0, len(groups), RECHECK_CONCURRENCY):
            chunk = groups[start : start + RECHECK_CONCURRENCY]
            answered = await asyncio.gather(*(self._recheck_token(t, c) for t, c in chunk))
            if not all(answered):
                return  # storage is down: keep the connections; the next round checks again

    async def _recheck_token(self, token: str, connections: list[Connection]) -> bool:
        try:
            fresh = await self._verify(token, connections[0].principal)
        except Unauthorized as exc:
            for connection in connections:
                self.stats.closed_unauthorized += 1
                connection.finish(CloseCode.UNAUTHORIZED, exc.message[:120])
        except EnvdeckError as exc:
            log.warning("realtime_recheck_unavailable", error=exc.code)
            return False
        else:
            for connection in connections:
                connection.principal = fresh
        return True

    async def _verify(self, token: str, principal: Principal) -> Principal:
        if principal.expires_at is not None and principal.expires_at <= self._clock():
            raise Unauthorized("the token has expired", {"reason": "expired"})
        if principal.kind is TokenKind.API:
            self._auth.forget_api_token(hash_api_token(token))
        fresh = await self._auth.authenticate(token)
        # The revocation cache is per process: ask storage, which every instance writes.
        if fresh.kind is TokenKind.LOGIN and await self._revocations.is_revoked(fresh.token_id):
            raise Unauthorized("the token was revoked", {"reason": "revoked"})
        return fresh


def _too_many(what: str, limit: int) -> ProtocolError:
    return ProtocolError(
        ErrorCode.VALIDATION_ERROR,
        f"a connection may watch at most {limit} {what}",
        "too_many_subscriptions",
    )


def _discard(index: dict[str, set[Connection]], key: str, connection: Connection) -> None:
    watchers = index.get(key)
    if watchers is not None:
        watchers.discard(connection)
        if not watchers:
            del index[key]
