"""The `/ws` wire protocol (DESIGN §6): JSON frames `{"type", "payload"}`, close codes, errors.

Client frames are parsed and validated here; server frames are built here, each serialised once
into a `Frame` that the hub hands to every connection that should get it.
"""

import json
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from envdeck.domain.attention import needs_attention
from envdeck.domain.auth import Principal
from envdeck.domain.base import MAX_JSON_DEPTH, json_depth
from envdeck.domain.environment import Environment, HealthState, Status
from envdeck.domain.log import LogEntry
from envdeck.domain.operation import Operation
from envdeck.domain.promotion import Promotion
from envdeck.domain.reservation import ReservationView

# How many ids one connection may watch: a page shows at most 200 environments.
MAX_WATCHED_ENVIRONMENTS = 1000
MAX_WATCHED_OPERATIONS = 100
MAX_TOKEN_LENGTH = 4096
_ID_PATTERN = r"^[0-9a-f]{24}$"


class CloseCode(IntEnum):
    """Why the server closed a connection (4000-4999 are the application's own codes)."""

    GOING_AWAY = 1001  # the server is shutting down: reconnect with backoff
    INTERNAL_ERROR = 1011  # a server bug (also: no pong in time, sent by uvicorn)
    TRY_AGAIN_LATER = 1013  # storage could not check the token: reconnect with backoff
    UNAUTHORIZED = 4001  # no/bad auth in time, or the token expired, was revoked, user inactive
    TOO_SLOW = 4008  # the client could not keep up: reconnect and refetch (resync)
    FLOOD = 4429  # the client sent frames faster than the rate limit


class ClientType(StrEnum):
    AUTH = "auth"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    PING = "ping"


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"  # malformed JSON, unknown type, invalid payload
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNAUTHORIZED = "UNAUTHORIZED"
    UNAVAILABLE = "UNAVAILABLE"


class ProtocolError(Exception):
    """A client frame that cannot be handled; answered with an `error` frame."""

    def __init__(self, code: ErrorCode, message: str, reason: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason


class _Payload(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


PayloadT = TypeVar("PayloadT", bound=_Payload)
Id = Annotated[str, Field(pattern=_ID_PATTERN)]


class AuthPayload(_Payload):
    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


class SubscriptionPayload(_Payload):
    """What to (un)subscribe: environment ids or "*", operation ids, and the log tail."""

    environments: Annotated[list[Id], Field(max_length=MAX_WATCHED_ENVIRONMENTS)] | Literal["*"] = (
        Field(default_factory=list)
    )
    operations: list[Id] = Field(default_factory=list, max_length=MAX_WATCHED_OPERATIONS)
    # true: (un)subscribe the live tail of every activity-log entry; false: leave it as it is.
    logs: bool = False

    def environment_ids(self) -> list[str]:
        return [] if self.environments == "*" else self.environments


@dataclass(frozen=True)
class ClientMessage:
    type: ClientType
    payload: dict[str, Any]


def parse_client_frame(data: str | bytes, max_bytes: int) -> ClientMessage:
    """Return the type and raw payload of a client frame, or raise ProtocolError."""
    if isinstance(data, bytes):
        raise ProtocolError(
            ErrorCode.VALIDATION_ERROR, "send JSON text frames, not binary", "binary_frame"
        )
    if len(data) > max_bytes or len(data.encode("utf-8")) > max_bytes:
        raise ProtocolError(
            ErrorCode.PAYLOAD_TOO_LARGE, f"frames are limited to {max_bytes} bytes", "too_large"
        )
    try:
        frame = json.loads(data)
    except ValueError:
        raise ProtocolError(
            ErrorCode.VALIDATION_ERROR, "the frame is not valid JSON", "invalid_json"
        ) from None
    except RecursionError:
        # Deeper than the parser can go: an answer like any bad frame, not a dead reader.
        raise _too_deep() from None
    # Echoed (ping) and validated (subscribe) by code that recurses: bounded before either.
    if json_depth(frame) > MAX_JSON_DEPTH:
        raise _too_deep()
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ProtocolError(
            ErrorCode.VALIDATION_ERROR,
            'a frame is a JSON object {"type": …, "payload": {…}}',
            "invalid_frame",
        )
    payload = frame.get("payload", {})
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ProtocolError(
            ErrorCode.VALIDATION_ERROR, "payload must be a JSON object", "invalid_payload"
        )
    try:
        kind = ClientType(frame["type"])
    except ValueError:
        raise ProtocolError(
            ErrorCode.VALIDATION_ERROR,
            f"unknown message type {frame['type'][:40]!r}",
            "unknown_type",
        ) from None
    return ClientMessage(kind, payload)


def _too_deep() -> ProtocolError:
    return ProtocolError(
        ErrorCode.VALIDATION_ERROR,
        f"the frame nests deeper than {MAX_JSON_DEPTH} levels",
        "too_deep",
    )


def parse_payload(model: type[PayloadT], payload: dict[str, Any]) -> PayloadT:
    """Validate a payload, or raise ProtocolError naming the first problem."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise ProtocolError(
            ErrorCode.VALIDATION_ERROR, f"{where}: {first['msg']}", "invalid_payload"
        ) from None


# --- server frames -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """One server message, serialised once and shared by every connection that gets it.

    `key` is set on frames that may be coalesced: a newer frame with the same key replaces a
    pending one (status updates of one environment).
    """

    text: str
    key: str | None = None
    payload: dict[str, Any] | None = None


def _encode(kind: str, payload: dict[str, Any]) -> str:
    return json.dumps({"type": kind, "payload": payload}, separators=(",", ":"))


def _json(model: BaseModel, **options: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, **options)
    return data


def frame(kind: str, payload: dict[str, Any]) -> Frame:
    return Frame(_encode(kind, payload))


def ready_frame(principal: Principal, connection_id: str, limits: dict[str, Any]) -> Frame:
    user = _json(principal.user, include={"id", "username", "email", "role", "active"})
    return frame(
        "ready",
        {"connectionId": connection_id, "user": user, "role": principal.role, "limits": limits},
    )


def error_frame(code: ErrorCode, message: str, reason: str | None = None) -> Frame:
    payload: dict[str, Any] = {"code": code.value, "message": message}
    if reason:
        payload["details"] = {"reason": reason}
    return frame("error", payload)


def pong_frame(echo: dict[str, Any]) -> Frame:
    return frame("pong", echo)


def status_frame(
    environment_id: str, status: Status, previous: HealthState | None, transition: bool = True
) -> Frame:
    payload = {
        "environmentId": environment_id,
        "status": _json(status),
        "previous": previous,
        "transition": transition,
    }
    return Frame(_encode("status_update", payload), key=environment_id, payload=payload)


def coalesce_status(older: Frame, newer: Frame) -> Frame:
    """Return newer, keeping `previous` from older: the client never saw what lay between.

    The merged frame is a transition when either was: a refresh must not hide a change.
    """
    assert older.payload is not None
    assert newer.payload is not None
    transition = bool(older.payload.get("transition")) or bool(newer.payload.get("transition"))
    payload = dict(newer.payload, previous=older.payload["previous"], transition=transition)
    return Frame(_encode("status_update", payload), key=newer.key, payload=payload)


def environment_frame(action: str, environment: Environment) -> Frame:
    data = _json(environment)
    # As the API shows it (EnvironmentPublic): with the URL its health check requests.
    data["healthCheck"]["resolvedEndpoint"] = environment.health_check_url_or_none()
    return frame("environment_update", {"action": action, "environment": data})


def operation_frame(operation: Operation) -> Frame:
    # The output tail can be 64 KiB: it streams as operation_output to subscribers instead
    # (and its outputSeq goes with it: a frame does not say which chunks a client holds).
    data = _json(operation, exclude={"output", "output_seq"})
    return frame("operation_update", {"operation": data})


def output_frame(operation_id: str, seq: int, stream: str, chunk: str) -> Frame:
    return frame(
        "operation_output",
        {"operationId": operation_id, "seq": seq, "stream": stream, "chunk": chunk},
    )


def reservation_frame(action: str, reservation: ReservationView) -> Frame:
    return frame("reservation_update", {"action": action, "reservation": _json(reservation)})


def promotion_frame(promotion: Promotion) -> Frame:
    return frame("promotion_update", {"promotion": _json(promotion)})


def log_frame(entry: LogEntry) -> Frame:
    # As the API shows an entry: with whether it needs a person (the bell counts those).
    return frame("log", {"entry": _json(entry) | {"attention": needs_attention(entry)}})
