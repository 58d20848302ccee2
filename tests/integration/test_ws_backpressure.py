"""A slow client never slows the others: its status updates are coalesced, then it is closed.

The slow client is a real WebSocket client that stops reading (a tiny socket receive buffer and
a one-frame client queue), so the server's socket backs up for real. Events are paced by the
fast client: each batch is published only once the fast client has read the previous one.
"""

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from envdeck.adapters.events import StatusChanged
from envdeck.config import load_settings
from envdeck.domain.environment import HealthState, Status
from envdeck.services.realtime import CloseCode
from tests.support.live_app import (
    Account,
    LiveApp,
    close_code,
    create_account,
    open_session,
    recv_frame,
    send_frame,
    set_up_admin,
)

QUEUE_SIZE = 16
ENVIRONMENT_ID = "6a00000000000000000000aa"
MAX_EVENTS = 5000  # bounds each phase; the slow client backs up after a few hundred


@pytest.fixture
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    settings = load_settings(
        environ={
            "ENVDECK_DATA_DIR": str(tmp_path_factory.mktemp("ws-slow") / "data"),
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            "ENVDECK_REALTIME__QUEUE_SIZE": str(QUEUE_SIZE),
        }
    )
    app = LiveApp(settings).start()
    yield app
    app.stop()


def status_event(environment_id: str, seq: int) -> StatusChanged:
    # 16 KiB of incompressible text per frame fills socket buffers quickly.
    message = f"{seq} {os.urandom(8192).hex()}"
    return StatusChanged(
        environment_id=environment_id,
        status=Status(health=HealthState.UNHEALTHY, message=message),
        previous=HealthState.HEALTHY,
    )


def seq_of(frame: dict[str, Any]) -> int:
    return int(frame["payload"]["status"]["message"].split(" ", 1)[0])


async def connect_slow(live: LiveApp, account: Account) -> ClientConnection:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", live.port))
    return await open_session(live, account.token, sock=sock, max_queue=1, compression=None)


async def slow_connection(live: LiveApp) -> dict[str, Any] | None:
    snapshot = await live.call(live.services.realtime.snapshot)
    for connection in snapshot["connections"]:
        if connection["username"] == "slowpoke":
            return dict(connection)
    return None


async def test_a_slow_client_is_coalesced_then_closed_while_a_fast_one_sees_everything(
    live: LiveApp,
) -> None:
    admin = set_up_admin(live)
    slowpoke = create_account(live, admin, "slowpoke", "viewer")
    fast = await open_session(live, admin.token, compression=None)
    slow = await connect_slow(live, slowpoke)
    fast_seen: list[int] = []
    seq = 0

    # 1. One environment's status, event after event: the stalled client's pending updates
    #    merge into the latest, so it never overflows.
    while True:
        seq += 1
        assert seq < MAX_EVENTS, "the slow client never backed up"
        await live.publish(status_event(ENVIRONMENT_ID, seq))
        fast_seen.append(seq_of(await recv_frame(fast)))
        state = await slow_connection(live)
        if state is not None and state["coalesced"] >= 3:
            break
    last_of_phase_one = seq
    slow_seen: list[int] = []
    while not slow_seen or slow_seen[-1] != last_of_phase_one:
        slow_seen.append(seq_of(await recv_frame(slow)))
    assert slow_seen == sorted(set(slow_seen))
    assert len(slow_seen) < last_of_phase_one  # some were merged away
    assert slow_seen[-1] == last_of_phase_one  # but never the latest

    # 2. Updates that cannot merge (another environment each time): the stalled client's queue
    #    fills and it is closed with 4008.
    while await slow_connection(live) is not None:
        batch = [status_event(f"6b{n:022x}", n) for n in range(seq + 1, seq + 9)]
        seq += len(batch)
        assert seq < 2 * MAX_EVENTS, "the slow client was never closed"
        await live.publish(*batch)
        for _ in batch:
            fast_seen.append(seq_of(await recv_frame(fast)))
    assert await close_code(slow) == CloseCode.TOO_SLOW

    assert fast_seen == list(range(1, seq + 1))
    await send_frame(fast, "ping")
    assert (await recv_frame(fast))["type"] == "pong"
    snapshot = await live.call(live.services.realtime.snapshot)
    assert snapshot["closed_too_slow"] == 1
    await fast.close()
