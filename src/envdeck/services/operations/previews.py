"""What the restart and upgrade dialogs show before a person confirms: the exact command.

A preview renders the configured command as it will run (each executor's `preview`): an SSH
script with the version shell-quoted, or an HTTP request with the version URL-/JSON-encoded
and every secret shown as "********" (rendered from the environment as the API shows it).
Sealed values are never opened here. A version is checked exactly as the upgrade itself checks
it: the pattern, and membership of the version list when the environment has one. Without a
version, `{VERSION}` is left in place.
"""

from enum import StrEnum

from envdeck.domain.command_kinds import HttpCommand, SshCommand
from envdeck.domain.environment import Environment
from envdeck.domain.errors import ValidationFailed
from envdeck.repositories.base import EnvironmentRepository
from envdeck.services.inventory.secret_fields import mask_environment
from envdeck.services.operations.executors import Executors, Preview
from envdeck.services.operations.templates import validate_version
from envdeck.services.operations.version_lists import VersionLists

__all__ = ["CommandPreviews", "Preview", "PreviewKind"]


class PreviewKind(StrEnum):
    RESTART = "restart"
    UPGRADE = "upgrade"


class CommandPreviews:
    """Render the restart or upgrade command of an environment for its confirmation dialog."""

    def __init__(
        self,
        environments: EnvironmentRepository,
        version_lists: VersionLists,
        executors: Executors,
    ) -> None:
        self._environments = environments
        self._version_lists = version_lists
        self._executors = executors

    async def preview(self, environment_id: str, kind: PreviewKind, version: str | None) -> Preview:
        """Return the command as it would run; ValidationFailed when it is not configured or
        the version is refused."""
        env = await self._environments.get_by_id(environment_id)
        # Rendered from what the API shows: every secret is "********" already.
        shown = mask_environment(env)
        if kind is PreviewKind.RESTART:
            return self._render(shown, _restart_command(shown), "commands.restart", "restart", None)
        if version is not None:
            await self._check_version(env, version)
        command = _upgrade_command(shown)
        return self._render(shown, command, "upgradeConfig.upgradeCommand", "upgrade", version)

    def _render(
        self,
        env: Environment,
        command: SshCommand | HttpCommand,
        prefix: str,
        action: str,
        version: str | None,
    ) -> Preview:
        missing = command.missing()
        if missing is not None:
            what = missing.label.format(action=action)
            raise ValidationFailed(
                f"{env.name} has no {what} configured", {"field": f"{prefix}.{missing.field}"}
            )
        return self._executors.get(command.type).preview(env, command, version)

    async def _check_version(self, env: Environment, version: str) -> None:
        listed = None
        if env.upgrade_config.version_list_url is not None:
            listed = await self._version_lists.fetch(env)
        validate_version(version, listed)


def _restart_command(env: Environment) -> SshCommand | HttpCommand:
    if not env.commands.restart.enabled:
        raise ValidationFailed(
            f"restart is not enabled for {env.name}", {"field": "commands.restart.enabled"}
        )
    return env.commands.command()


def _upgrade_command(env: Environment) -> SshCommand | HttpCommand:
    if not env.upgrade_config.enabled:
        raise ValidationFailed(
            f"upgrade is not enabled for {env.name}", {"field": "upgradeConfig.enabled"}
        )
    return env.upgrade_config.command()
