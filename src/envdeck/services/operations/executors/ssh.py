"""SSH commands: one script in one session on the environment's target, host key verified.

The target and the credential come from the vault through `SshAccess` (inventory); the script
is rendered with the version shell-quoted (templates.render_ssh_command). A password credential
echoed by the script is masked in the output, like secret headers of HTTP commands.
"""

from dataclasses import dataclass, field

import structlog

from envdeck.adapters.secret_box import MASK
from envdeck.adapters.ssh import SshCredential, SshTarget
from envdeck.domain.auth import Principal
from envdeck.domain.command_kinds import CommandType, HttpCommand, SshCommand
from envdeck.domain.commands import OutputChunk, RunErrorCode, RunResult
from envdeck.domain.environment import Environment
from envdeck.services.inventory.ssh_access import SshAccess
from envdeck.services.operations.executors.base import Preview, RunContext
from envdeck.services.operations.templates import preview_ssh_command, render_ssh_command

log = structlog.get_logger(__name__)

# Shorter secrets would mask ordinary words of the output.
MIN_SCRUBBED_LENGTH = 4


@dataclass
class PreparedScript:
    access: SshAccess
    env: Environment
    script: str
    target: SshTarget
    credential: SshCredential = field(repr=False)

    async def run(self, ctx: RunContext) -> RunResult:
        secret = self.credential.password or ""
        scrub = secret if len(secret) >= MIN_SCRUBBED_LENGTH else ""

        async def scrubbed(chunk: OutputChunk) -> None:
            if scrub and scrub in chunk.chunk:
                chunk = chunk.model_copy(update={"chunk": chunk.chunk.replace(scrub, MASK)})
            await ctx.on_output(chunk)

        result = await self.access.runner.run_script(
            self.target,
            self.credential,
            self.script,
            timeout=ctx.timeout,
            on_output=scrubbed,
            cancel=ctx.cancel,
        )
        if scrub:
            result.output = result.output.replace(scrub, MASK)
        await self.access.note_host_key(self.env, result.host_key, ctx.actor)
        if result.error is not None and result.error.code == RunErrorCode.HOST_KEY_MISMATCH:
            log.error("ssh_host_key_mismatch", environment_id=self.env.id)
        return result


class SshExecutor:
    """Runs SSH commands; see the module docstring."""

    kind = CommandType.SSH

    def __init__(self, access: SshAccess) -> None:
        self._access = access

    def authorize(self, env: Environment, actor: Principal | None) -> None:
        self._access.require_allowed(env, actor)

    async def prepare(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> PreparedScript:
        assert isinstance(command, SshCommand)
        script = render_ssh_command(command.script, version)
        target, credential = await self._access.endpoint(env)
        return PreparedScript(self._access, env, script, target, credential)

    def preview(
        self, env: Environment, command: SshCommand | HttpCommand, version: str | None
    ) -> Preview:
        assert isinstance(command, SshCommand)
        where = None
        if env.target.host:
            user = env.credentials.username or "?"
            where = f"{user}@{env.target.host}:{env.target.port}"
        return Preview(preview_ssh_command(command.script, version), where)
