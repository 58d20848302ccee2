"""An operation executor without a network (services/operations/executors: the Executor protocol).

FakeExecutor renders SSH commands as the real one does (the version shell-quoted, unsafe
versions refused) and runs nothing: each run prints `output`, then, when `gate` is set, waits
for the gate to open or for the run to be cancelled, and ends with `result`. `runs` keeps what
each run was asked to do; `started` counts runs that began, for a test to wait on.
"""

import asyncio
from dataclasses import dataclass, field

from envdeck.domain.auth import Principal
from envdeck.domain.command_kinds import CommandType, HttpCommand, SshCommand
from envdeck.domain.commands import OutputChunk, OutputStream, RunErrorCode, RunOutcome, RunResult
from envdeck.domain.environment import Environment
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.operation import OperationError
from envdeck.services.operations.executors import Executor, PreparedCommand, Preview, RunContext
from envdeck.services.operations.templates import preview_ssh_command, render_ssh_command
from tests.fakes.tally import Tally

SUCCEEDED = RunResult(outcome=RunOutcome.SUCCEEDED, exit_code=0)
CANCELLED = RunResult(
    outcome=RunOutcome.CANCELLED,
    error=OperationError(code=RunErrorCode.CANCELLED, message="cancelled"),
)


@dataclass
class Run:
    """What one run was asked to do."""

    environment_id: str
    script: str
    timeout: float
    actor: Principal | None = None


@dataclass
class FakePreparedCommand:
    executor: "FakeExecutor"
    environment_id: str
    script: str

    async def run(self, ctx: RunContext) -> RunResult:
        executor = self.executor
        executor.runs.append(Run(self.environment_id, self.script, ctx.timeout, ctx.actor))
        executor.started.add()
        for seq, text in enumerate(executor.output, start=1):
            await ctx.on_output(OutputChunk(seq=seq, stream=OutputStream.STDOUT, chunk=text))
        if executor.gate is not None:
            opened = asyncio.ensure_future(executor.gate.wait())
            cancelled = asyncio.ensure_future(ctx.cancel.wait())
            await asyncio.wait({opened, cancelled}, return_when=asyncio.FIRST_COMPLETED)
            opened.cancel()
            cancelled.cancel()
            if ctx.cancel.is_set():
                return CANCELLED.model_copy()
        return executor.result.model_copy()


@dataclass
class FakeExecutor:
    kind: CommandType = CommandType.SSH
    output: list[str] = field(default_factory=lambda: ["restarting\n", "done\n"])
    result: RunResult = field(default_factory=lambda: SUCCEEDED.model_copy())
    gate: asyncio.Event | None = None
    # Set: prepare() refuses every command with this message (a command that cannot run).
    refusal: str | None = None
    runs: list[Run] = field(default_factory=list)
    started: Tally = field(default_factory=Tally)

    def authorize(self, env: Environment, actor: Principal | None) -> None:
        return None

    async def prepare(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> PreparedCommand:
        assert isinstance(command, SshCommand)
        # The real executors read the vault here: another request may overtake this one.
        await asyncio.sleep(0)
        if self.refusal is not None:
            raise ValidationFailed(self.refusal)
        return FakePreparedCommand(self, env.id, render_ssh_command(command.script, version))

    def preview(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> Preview:
        assert isinstance(command, SshCommand)
        return Preview(preview_ssh_command(command.script, version), env.target.host or None)


def _conforms(executor: FakeExecutor) -> Executor:
    """Nothing calls this: mypy checks here that FakeExecutor is still an Executor."""
    return executor
