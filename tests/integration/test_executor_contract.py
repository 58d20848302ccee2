"""The executor contract: every kind of command behaves the same to the operation service.

Each test runs over both executors, SSH against asyncssh's in-process server on loopback and
HTTP against an aiohttp target on loopback, with a real SQLite store behind the vault. A new
executor joins by adding one `Kind` here and passing every test.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from envdeck.adapters.events import EventBus
from envdeck.adapters.outbound_http import OutboundHttp
from envdeck.adapters.secret_box import MASK, SecretBox
from envdeck.adapters.ssh import SshRunner
from envdeck.domain.command_kinds import CommandType, HttpCommand, SshCommand
from envdeck.domain.commands import OutputChunk, RunErrorCode, RunOutcome, RunResult
from envdeck.domain.credential import Credential
from envdeck.domain.environment import CredentialKind, Environment, HostKeyPolicy
from envdeck.domain.ids import new_id
from envdeck.repositories.sqlite import SqliteStorage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.credentials import credential_context
from envdeck.services.inventory.ssh_access import SshAccess
from envdeck.services.operations.executors import Executor, Executors, RunContext
from envdeck.services.operations.executors.http import HttpCommandRunner, HttpExecutor
from envdeck.services.operations.executors.ssh import SshExecutor
from tests.support import sshd as ssh_servers
from tests.support.secrets import seal_at
from tests.support.sshd import AsyncsshServer

ssh_account = ssh_servers.ssh_account
asyncssh_server = ssh_servers.asyncssh_server
ssh_pool = ssh_servers.ssh_pool

GREETING = "hello-from-the-target"
HTTP_SECRET = "Bearer contract-s3cret-9f8e7d6c"
RESTART_AUTHORIZATION = ("commands", "restart", "headers", "Authorization")


@dataclass
class Output:
    chunks: list[OutputChunk] = field(default_factory=list)
    first: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, chunk: OutputChunk) -> None:
        self.chunks.append(chunk)
        self.first.set()

    @property
    def text(self) -> str:
        return "".join(chunk.chunk for chunk in self.chunks)


@dataclass
class Kind:
    """One executor under test, with the commands that make it succeed, fail, hang, or echo
    a stored secret."""

    name: str
    executor: Executor
    env: Environment
    commands: dict[str, SshCommand | HttpCommand]
    secret: str
    failure: Callable[[RunResult], bool]

    async def run(
        self,
        behaviour: str,
        *,
        timeout: float = 10,  # noqa: ASYNC109 (the command's own limit)
        cancel: asyncio.Event | None = None,
    ) -> tuple[RunResult, Output]:
        output = Output()
        prepared = await self.executor.prepare(self.env, self.commands[behaviour], None)
        result = await prepared.run(RunContext(timeout, output, cancel or asyncio.Event()))
        return result, output


async def _http_target() -> tuple[web.AppRunner, str]:
    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text=GREETING)

    async def fail(_request: web.Request) -> web.Response:
        return web.Response(status=503, text="down for maintenance")

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(text="late")

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(dict(request.headers)))

    app = web.Application()
    for path, handler in (("/ok", ok), ("/fail", fail), ("/slow", slow), ("/echo", echo)):
        app.router.add_route("*", path, handler)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest_asyncio.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "executors.db")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(b"e" * 32)


async def _ssh_kind(
    storage: SqliteStorage, box: SecretBox, server: AsyncsshServer, runner: SshRunner
) -> Kind:
    activity = ActivityLog(storage.logs, EventBus(), flush_interval=0.05)
    credential_id = new_id()
    credential = await storage.credentials.create(
        Credential(
            id=credential_id,
            name="contract-password",
            type=CredentialKind.PASSWORD,
            username=server.username,
            secret=box.seal(server.password, credential_context(credential_id, "secret")),
        )
    )
    env = Environment.model_validate(
        {
            "name": "contract-ssh",
            "target": {
                "host": "127.0.0.1",
                "port": server.port,
                "hostKeyPolicy": HostKeyPolicy.PIN.value,
                "hostKey": server.host_key_line,
            },
            "credentials": {"type": "password", "keyId": credential.id},
        }
    )
    env = await storage.environments.create(env.model_copy(update={"id": new_id()}))
    commands: dict[str, SshCommand | HttpCommand] = {
        "succeeds": SshCommand(script=f"echo {GREETING}"),
        "fails": SshCommand(script="echo about to fail; exit 3"),
        "hangs": SshCommand(script="echo started; sleep 30"),
        "echoes_secret": SshCommand(script=f"echo 'the password is {server.password}'"),
    }
    return Kind(
        "ssh",
        SshExecutor(SshAccess(storage, box, activity, runner)),
        env,
        commands,
        server.password,
        lambda result: (
            result.exit_code == 3
            and result.error is not None
            and result.error.code == RunErrorCode.EXIT_STATUS
        ),
    )


def _http_kind(base: str, box: SecretBox, http: OutboundHttp) -> Kind:
    def request(path: str, **fields: object) -> HttpCommand:
        return HttpCommand.model_validate({"url": f"{base}{path}", **fields})

    env = Environment.model_validate({"id": new_id(), "name": "contract-http"})
    sealed = seal_at(box, env.id, HTTP_SECRET, *RESTART_AUTHORIZATION)
    commands: dict[str, SshCommand | HttpCommand] = {
        "succeeds": request("/ok"),
        "fails": request("/fail"),
        "hangs": request("/slow"),
        "echoes_secret": request(
            "/echo", headers={"Authorization": sealed}, configured_at="commands.restart"
        ),
    }
    return Kind(
        "http",
        HttpExecutor(HttpCommandRunner(http, box)),
        env,
        commands,
        HTTP_SECRET.partition(" ")[2],
        lambda result: (
            result.http_status == 503
            and result.error is not None
            and result.error.code == RunErrorCode.HTTP_STATUS
        ),
    )


@pytest_asyncio.fixture(params=["ssh", "http"])
async def kind(
    request: pytest.FixtureRequest,
    storage: SqliteStorage,
    box: SecretBox,
    ssh_pool: ssh_servers.SshPool,
    asyncssh_server: AsyncsshServer,
) -> AsyncIterator[Kind]:
    if request.param == "ssh":
        runner = SshRunner(ssh_pool, kill_grace=1.0)
        yield await _ssh_kind(storage, box, asyncssh_server, runner)
        return
    target, base = await _http_target()
    http = OutboundHttp(max_connections=10, max_body_bytes=1 << 20, max_redirects=0)
    try:
        yield _http_kind(base, box, http)
    finally:
        await http.close()
        await target.cleanup()


def test_the_registry_finds_each_kind_and_refuses_none() -> None:
    executors = Executors([SshExecutor.__new__(SshExecutor), HttpExecutor.__new__(HttpExecutor)])
    assert executors.kinds() == [CommandType.SSH, CommandType.HTTP]
    assert executors.get(CommandType.HTTP).kind is CommandType.HTTP


async def test_a_successful_command_streams_its_output_and_succeeds(kind: Kind) -> None:
    result, output = await kind.run("succeeds")
    assert result.outcome is RunOutcome.SUCCEEDED
    assert result.succeeded
    assert GREETING in output.text
    assert GREETING in result.output
    assert [chunk.seq for chunk in output.chunks] == list(range(1, len(output.chunks) + 1))


async def test_a_remote_failure_is_a_failed_result_with_its_status(kind: Kind) -> None:
    result, output = await kind.run("fails")
    assert result.outcome is RunOutcome.FAILED
    assert kind.failure(result)
    assert output.text  # what the target said is kept


async def test_a_command_past_its_time_limit_times_out(kind: Kind) -> None:
    result, _output = await kind.run("hangs", timeout=0.5)
    assert result.outcome is RunOutcome.TIMED_OUT
    assert result.error is not None
    assert result.error.code == RunErrorCode.TIMED_OUT


async def test_cancel_stops_a_running_command(kind: Kind) -> None:
    cancel = asyncio.Event()
    running = asyncio.create_task(kind.run("hangs", timeout=20, cancel=cancel))
    await asyncio.sleep(0.5)  # let it start: the request is in flight, the script sleeping
    cancel.set()
    result, _output = await asyncio.wait_for(running, 15)
    assert result.outcome is RunOutcome.CANCELLED
    assert result.error is not None
    assert result.error.code == RunErrorCode.CANCELLED


async def test_a_stored_secret_never_shows_in_the_output(kind: Kind) -> None:
    result, output = await kind.run("echoes_secret")
    assert result.succeeded
    assert kind.secret not in output.text
    assert kind.secret not in result.output
    assert MASK in result.output


async def test_the_preview_shows_the_command_without_secrets(kind: Kind) -> None:
    command = kind.commands["echoes_secret"]
    preview = kind.executor.preview(kind.env, command, None)
    assert preview.command.type == kind.name
    shown = json.dumps(
        [preview.command.command, preview.command.url, preview.command.headers, preview.target]
    )
    if kind.name == "http":
        assert kind.secret not in shown
        assert MASK in shown
    else:
        assert preview.target == f"{kind.env.credentials.username or '?'}@127.0.0.1:" + str(
            kind.env.target.port
        )
