"""HttpCommandRunner against real targets on loopback: a recording aiohttp server and the
demo fleet (a separate process)."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from aiohttp import web

from envdeck.adapters.outbound_http import OutboundHttp
from envdeck.adapters.secret_box import MASK, SecretBox
from envdeck.domain.command_kinds import HttpCommand, HttpMethod
from envdeck.domain.commands import OutputChunk, RunErrorCode, RunOutcome
from envdeck.services.inventory.sealing import SecretScope
from envdeck.services.operations.executors.http import HttpCommandRunner
from tests.support.fleet import FleetProcess, fleet_fixture
from tests.support.secrets import seal_at

fleet = fleet_fixture(scope="module")

TOKEN = "s3cr3t-t0ken-value-9f8e7d"
ENV_ID = "64b0000000000000000000c1"
RESTART_AUTHORIZATION = ("commands", "restart", "headers", "Authorization")


@dataclass
class Received:
    method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """A tiny aiohttp target that records every request and answers as told."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    status: int = 200
    reply: bytes = b'{"accepted": true}'
    delay: float = 0.0
    echo_headers: bool = False
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(
            Received(request.method, request.raw_path, dict(request.headers), await request.read())
        )
        self.arrived.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        body = json.dumps(dict(request.headers)).encode() if self.echo_headers else self.reply
        return web.Response(status=self.status, body=body, content_type="application/json")


@pytest_asyncio.fixture
async def recorder() -> AsyncIterator[Recorder]:
    target = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", target.handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    target.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield target
    await runner.cleanup()


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(b"k" * 32)


@pytest_asyncio.fixture
async def runner(box: SecretBox) -> AsyncIterator[HttpCommandRunner]:
    http = OutboundHttp(max_connections=10, max_body_bytes=1 << 20, max_redirects=0)
    yield HttpCommandRunner(http, box)
    await http.close()


class Chunks:
    def __init__(self) -> None:
        self.items: list[OutputChunk] = []

    async def __call__(self, chunk: OutputChunk) -> None:
        self.items.append(chunk)


async def test_it_url_encodes_the_version_in_the_url(
    recorder: Recorder, runner: HttpCommandRunner
) -> None:
    spec = HttpCommand(url=f"{recorder.url}/deploy/{{VERSION}}?v={{VERSION}}#x")
    result = await runner.run(spec, version="1.2+build~3", timeout=5, on_output=None)
    assert result.outcome is RunOutcome.SUCCEEDED, result
    assert recorder.received[0].raw_path == "/deploy/1.2%2Bbuild~3?v=1.2%2Bbuild~3"


async def test_it_json_encodes_the_version_in_the_body(
    recorder: Recorder, runner: HttpCommandRunner
) -> None:
    spec = HttpCommand(
        url=f"{recorder.url}/upgrade",
        method=HttpMethod.PUT,
        body={"version": "{VERSION}", "note": "to {VERSION}", "n": 1, "list": ["{VERSION}"]},
    )
    result = await runner.run(spec, version="2.4.1", timeout=5, on_output=None)
    assert result.succeeded
    got = recorder.received[0]
    assert got.method == "PUT"
    assert got.headers["Content-Type"].startswith("application/json")
    assert json.loads(got.body) == {
        "version": "2.4.1",
        "note": "to 2.4.1",
        "n": 1,
        "list": ["2.4.1"],
    }


async def test_it_refuses_a_hostile_version_before_sending_anything(
    recorder: Recorder, runner: HttpCommandRunner
) -> None:
    spec = HttpCommand(url=f"{recorder.url}/upgrade", body={"version": "{VERSION}"})
    for hostile in ('1.0", "admin": true, "x": "', "1.0/../../etc", "1.0\r\nX-Evil: 1", "1.0&a=b"):
        result = await runner.run(spec, version=hostile, timeout=5, on_output=None)
        assert result.outcome is RunOutcome.FAILED
        assert result.error is not None
        assert result.error.code == RunErrorCode.COMMAND_INVALID
        assert "invalid version" in result.error.message
    assert recorder.received == []


async def test_it_sends_secret_headers_but_never_shows_them(
    recorder: Recorder, runner: HttpCommandRunner, box: SecretBox
) -> None:
    recorder.echo_headers = True
    sealed = seal_at(box, ENV_ID, f"Bearer {TOKEN}", *RESTART_AUTHORIZATION)
    spec = HttpCommand(
        url=f"{recorder.url}/restart",
        headers={"Authorization": sealed, "X-Team": "blue"},
        configured_at="commands.restart",
    )
    chunks = Chunks()
    result = await runner.run(
        spec, version=None, timeout=5, on_output=chunks, scope=SecretScope(ENV_ID)
    )
    assert result.succeeded
    assert recorder.received[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert recorder.received[0].headers["X-Team"] == "blue"
    # The target echoed its headers back: the record and the stream show the mask instead.
    assert TOKEN not in result.output
    assert MASK in result.output
    assert "blue" in result.output
    assert [c.chunk for c in chunks.items] == [result.output]
    assert TOKEN not in repr(result)


async def test_it_records_the_status_and_a_short_excerpt(
    recorder: Recorder, runner: HttpCommandRunner
) -> None:
    recorder.reply = b'{"status": "restarting", "pad": "' + b"x" * 10_000 + b'"}'
    chunks = Chunks()
    spec = HttpCommand(url=f"{recorder.url}/restart")
    result = await runner.run(spec, version=None, timeout=5, on_output=chunks)
    assert result.succeeded
    assert result.http_status == 200
    assert result.exit_code is None
    assert result.output.startswith(f"POST {recorder.url}/restart\nHTTP 200 OK\n")
    assert '{"status": "restarting"' in result.output
    assert len(result.output) < 3000
    assert "response cut" in result.output
    assert len(chunks.items) == 1
    assert chunks.items[0].seq == 1
    assert chunks.items[0].stream == "stdout"


async def test_a_non_2xx_answer_is_a_failure_with_its_status(
    recorder: Recorder, runner: HttpCommandRunner
) -> None:
    recorder.status = 503
    recorder.reply = b'{"error": "maintenance"}'
    spec = HttpCommand(url=f"{recorder.url}/restart")
    result = await runner.run(spec, version=None, timeout=5, on_output=None)
    assert result.outcome is RunOutcome.FAILED
    assert result.http_status == 503
    assert result.error is not None
    assert result.error.code == RunErrorCode.HTTP_STATUS
    assert result.error.message == "the target answered HTTP 503 Service Unavailable"
    assert "maintenance" in result.output


async def test_a_slow_target_times_out(recorder: Recorder, runner: HttpCommandRunner) -> None:
    recorder.delay = 5
    spec = HttpCommand(url=f"{recorder.url}/restart")
    result = await runner.run(spec, version=None, timeout=0.3, on_output=None)
    assert result.outcome is RunOutcome.TIMED_OUT
    assert result.error is not None
    assert result.error.code == RunErrorCode.TIMED_OUT
    assert result.http_status is None


async def test_cancel_abandons_the_request(recorder: Recorder, runner: HttpCommandRunner) -> None:
    recorder.delay = 5
    cancel = asyncio.Event()
    spec = HttpCommand(url=f"{recorder.url}/restart")
    running = asyncio.ensure_future(
        runner.run(spec, version=None, timeout=30, on_output=None, cancel=cancel)
    )
    await asyncio.wait_for(recorder.arrived.wait(), 10)
    cancel.set()
    result = await running
    assert result.outcome is RunOutcome.CANCELLED
    assert result.error is not None
    assert result.error.code == RunErrorCode.CANCELLED


async def test_a_refused_connection_is_a_request_failure(runner: HttpCommandRunner) -> None:
    spec = HttpCommand(url="http://127.0.0.1:9/restart")
    result = await runner.run(spec, version=None, timeout=5, on_output=None)
    assert result.outcome is RunOutcome.FAILED
    assert result.error is not None
    assert result.error.code == RunErrorCode.HTTP_REQUEST_FAILED
    assert result.error.message.startswith("cannot connect")


async def test_a_header_sealed_with_another_key_fails_clearly(
    recorder: Recorder, runner: HttpCommandRunner
) -> None:
    other = SecretBox(b"o" * 32)
    spec = HttpCommand(
        url=f"{recorder.url}/restart",
        headers={
            "X-Api-Key": seal_at(
                other, ENV_ID, "abc", "commands", "restart", "headers", "X-Api-Key"
            )
        },
        configured_at="commands.restart",
    )
    result = await runner.run(
        spec, version=None, timeout=5, on_output=None, scope=SecretScope(ENV_ID)
    )
    assert result.error is not None
    assert result.error.code == RunErrorCode.SECRET_UNAVAILABLE
    assert recorder.received == []


async def test_it_upgrades_a_fleet_environment(
    fleet: FleetProcess, runner: HttpCommandRunner
) -> None:
    spec = HttpCommand(url=fleet.env_url("shop-prod") + "/upgrade", body={"version": "{VERSION}"})
    result = await runner.run(spec, version="2.4.1", timeout=5, on_output=None)
    assert result.succeeded, result
    assert result.http_status == 202
    assert fleet.state("shop-prod")["pendingVersion"] == "2.4.1"


async def test_a_fleet_that_refuses_the_version_fails_the_run(
    fleet: FleetProcess, runner: HttpCommandRunner
) -> None:
    spec = HttpCommand(url=fleet.env_url("shop-dev") + "/upgrade", body={"version": "{VERSION}"})
    result = await runner.run(spec, version="9.9.9", timeout=5, on_output=None)
    assert result.outcome is RunOutcome.FAILED
    assert result.http_status == 400
    assert "unknown version" in result.output


async def test_a_fleet_command_failure_mode_is_reported(
    fleet: FleetProcess, runner: HttpCommandRunner
) -> None:
    fleet.configure("search-qa", commandStatus=500)
    try:
        spec = HttpCommand(
            url=fleet.env_url("search-qa") + "/restart",
        )
        result = await runner.run(spec, version=None, timeout=5, on_output=None)
    finally:
        fleet.configure("search-qa", commandStatus=None)
    assert result.http_status == 500
    assert result.error is not None
    assert result.error.code == RunErrorCode.HTTP_STATUS
