"""The hub's pure parts: the coalescing outbox, client frame parsing, the Origin rule."""

import asyncio
import json

import pytest

from envdeck.api.routes.ws import origin_allowed
from envdeck.domain.environment import HealthState, Status
from envdeck.services.realtime.connection import Outbox
from envdeck.services.realtime.protocol import (
    ClientType,
    ErrorCode,
    ProtocolError,
    frame,
    parse_client_frame,
    status_frame,
)

A = "6a00000000000000000000aa"
B = "6a00000000000000000000bb"


async def drain(outbox: Outbox) -> list[dict[str, object]]:
    frames = []
    while len(outbox):
        frames.append(json.loads((await asyncio.wait_for(outbox.get(), 1)).text))
    return frames


async def test_the_outbox_keeps_order() -> None:
    outbox = Outbox(limit=8)
    for n in range(3):
        assert outbox.put(frame("log", {"n": n}))
    assert [f["payload"] for f in await drain(outbox)] == [{"n": 0}, {"n": 1}, {"n": 2}]


async def test_a_newer_status_replaces_the_pending_one_and_keeps_what_the_client_saw() -> None:
    outbox = Outbox(limit=8)
    outbox.put(status_frame(A, Status(health=HealthState.UNHEALTHY), HealthState.HEALTHY))
    outbox.put(frame("log", {"n": 1}))
    outbox.put(status_frame(B, Status(health=HealthState.HEALTHY), HealthState.UNKNOWN))
    outbox.put(status_frame(A, Status(health=HealthState.HEALTHY), HealthState.UNHEALTHY))
    frames = await drain(outbox)
    assert [f["type"] for f in frames] == ["log", "status_update", "status_update"]
    merged = frames[2]["payload"]
    assert isinstance(merged, dict)
    assert merged["environmentId"] == A
    assert merged["status"]["health"] == "healthy"
    assert merged["previous"] == "healthy"  # the client last saw healthy, before the outage
    assert outbox.coalesced == 1


async def test_the_outbox_overflows_only_with_frames_that_cannot_merge() -> None:
    outbox = Outbox(limit=2)
    assert outbox.put(frame("log", {"n": 1}))
    assert outbox.put(status_frame(A, Status(), None))
    assert outbox.put(status_frame(A, Status(), None))  # merged: still two waiting
    assert not outbox.put(frame("log", {"n": 2}))
    assert not outbox.put(status_frame(B, Status(), None))
    assert len(outbox) == 2


def test_parses_a_client_frame() -> None:
    message = parse_client_frame('{"type": "ping", "payload": {"id": 1}}', 1024)
    assert message.type is ClientType.PING
    assert message.payload == {"id": 1}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("{", "invalid_json"),
        ("[]", "invalid_frame"),
        ('{"payload": {}}', "invalid_frame"),
        ('{"type": "ping", "payload": []}', "invalid_payload"),
        ('{"type": "shutdown"}', "unknown_type"),
        (b"{}", "binary_frame"),
        ('{"type": "ping", "payload": {"x": "' + "é" * 600 + '"}}', "too_large"),
    ],
)
def test_refuses_bad_client_frames(data: str | bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_client_frame(data, 1024)
    assert refused.value.reason == reason
    expected = ErrorCode.PAYLOAD_TOO_LARGE if reason == "too_large" else ErrorCode.VALIDATION_ERROR
    assert refused.value.code is expected


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        (None, "envdeck.local:8080", [], True),
        ("http://envdeck.local:8080", "envdeck.local:8080", [], True),
        ("https://envdeck.example.com", "envdeck.example.com", [], True),
        ("https://envdeck.example.com", "envdeck.example.com:443", [], True),
        ("http://evil.example", "envdeck.local:8080", [], False),
        ("http://envdeck.local:9999", "envdeck.local:8080", [], False),
        ("null", "envdeck.local:8080", [], False),
        ("http://localhost:5173", "envdeck.local:8080", ["http://localhost:5173"], True),
        ("http://localhost:5173", "envdeck.local:8080", ["*"], True),
    ],
)
def test_origin_rule(origin: str | None, host: str, allowed: list[str], ok: bool) -> None:
    assert origin_allowed(origin, host, allowed) is ok


async def test_a_merged_status_is_a_transition_when_either_was() -> None:
    outbox = Outbox(limit=8)
    down = Status(health=HealthState.UNHEALTHY)
    outbox.put(status_frame(A, down, HealthState.HEALTHY, transition=True))
    outbox.put(status_frame(A, down, HealthState.UNHEALTHY, transition=False))
    (merged,) = await drain(outbox)
    payload = merged["payload"]
    assert isinstance(payload, dict)
    assert payload["transition"] is True
    assert payload["previous"] == "healthy"
