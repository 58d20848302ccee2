"""The seam between an operation and the kind of command it runs.

An `Executor` knows one `CommandType`: who may run it on an environment, how to render and
check it before the operation is accepted (`prepare`, so a command that cannot run is refused
before 202), how it looks in a confirmation dialog (`preview`), and how to run it once prepared
(`PreparedCommand.run`: output streamed as it comes, a time limit, cancel). A failure on the
remote side is a `RunResult`, never an exception. The executor contract suite
(tests/integration/test_executor_contract.py) holds every kind to the same behaviour.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from envdeck.domain.auth import Principal
from envdeck.domain.command_kinds import CommandType, HttpCommand, SshCommand
from envdeck.domain.commands import OutputChunk, RunResult
from envdeck.domain.environment import Environment
from envdeck.services.operations.templates import CommandPreview

OutputCallback = Callable[[OutputChunk], Awaitable[None]]


@dataclass(frozen=True)
class Preview:
    """The exact command a dialog asks to confirm, secrets masked, and where it runs."""

    command: CommandPreview
    target: str | None = None  # user@host:port for SSH


@dataclass(frozen=True)
class RunContext:
    """How one run goes: its time limit (a TIMED_OUT result past it), where output goes as it
    comes, the event that cancels it, and who runs it (for the host-key audit)."""

    timeout: float
    on_output: OutputCallback
    cancel: asyncio.Event
    actor: Principal | None = None


class PreparedCommand(Protocol):
    """A command rendered for one environment, ready to run (secrets opened only inside)."""

    async def run(self, ctx: RunContext) -> RunResult:
        """Run once and return how it ended; never raise for what the remote side did."""
        ...


class Executor(Protocol):
    """Runs the commands of one kind (see the module docstring)."""

    kind: CommandType

    def authorize(self, env: Environment, actor: Principal | None) -> None:
        """Raise Forbidden when actor may not run this kind of command on env."""
        ...

    async def prepare(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> PreparedCommand:
        """Render command for env (version substituted); ValidationFailed when it cannot run."""
        ...

    def preview(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> Preview:
        """Return command as it would run; without a version `{VERSION}` is left in place."""
        ...
