"""What the restart and upgrade dialogs show before a person confirms: the exact command.

A preview renders the configured command as it will run (`command_templates.preview_*`): an
SSH script with the version shell-quoted, or an HTTP request with the version URL-/JSON-encoded
and every secret shown as "********". Sealed values are never opened here. A version is checked
exactly as the upgrade itself checks it: the pattern, and membership of the version list when
the environment has one. Without a version, `{VERSION}` is left in place.
"""

from dataclasses import dataclass
from enum import StrEnum

from envdeck.domain.environment import CommandType, Environment
from envdeck.domain.errors import ValidationFailed
from envdeck.repositories.base import EnvironmentRepository
from envdeck.services.operations.templates import (
    CommandPreview,
    preview_http_request,
    preview_ssh_command,
    validate_version,
)
from envdeck.services.operations.version_lists import VersionLists


class PreviewKind(StrEnum):
    RESTART = "restart"
    UPGRADE = "upgrade"


@dataclass(frozen=True)
class Preview:
    command: CommandPreview
    target: str | None  # user@host:port for SSH


class CommandPreviews:
    """Render the restart or upgrade command of an environment for its confirmation dialog."""

    def __init__(self, environments: EnvironmentRepository, version_lists: VersionLists) -> None:
        self._environments = environments
        self._version_lists = version_lists

    async def preview(self, environment_id: str, kind: PreviewKind, version: str | None) -> Preview:
        """Return the command as it would run; ValidationFailed when it is not configured or
        the version is refused."""
        env = await self._environments.get_by_id(environment_id)
        if kind is PreviewKind.RESTART:
            return _restart_preview(env)
        if version is not None:
            await self._check_version(env, version)
        return _upgrade_preview(env, version)

    async def _check_version(self, env: Environment, version: str) -> None:
        listed = None
        if env.upgrade_config.version_list_url is not None:
            listed = await self._version_lists.fetch(env.id, env.upgrade_config)
        validate_version(version, listed)


def _not_configured(env: Environment, what: str, field: str) -> ValidationFailed:
    return ValidationFailed(f"{env.name} has no {what} configured", {"field": field})


def _ssh_target(env: Environment) -> str | None:
    if not env.target.host:
        return None
    user = env.credentials.username or "?"
    return f"{user}@{env.target.host}:{env.target.port}"


def _restart_preview(env: Environment) -> Preview:
    restart = env.commands.restart
    if not restart.enabled:
        raise ValidationFailed(
            f"restart is not enabled for {env.name}", {"field": "commands.restart.enabled"}
        )
    if env.commands.type is CommandType.SSH:
        if not restart.command.strip():
            raise _not_configured(env, "SSH restart command", "commands.restart.command")
        return Preview(preview_ssh_command(restart.command), _ssh_target(env))
    if restart.url is None:
        raise _not_configured(env, "restart URL", "commands.restart.url")
    request = preview_http_request(
        restart.method.value, str(restart.url), restart.headers, restart.body
    )
    return Preview(request, None)


def _upgrade_preview(env: Environment, version: str | None) -> Preview:
    config = env.upgrade_config
    if not config.enabled:
        raise ValidationFailed(
            f"upgrade is not enabled for {env.name}", {"field": "upgradeConfig.enabled"}
        )
    command = config.upgrade_command
    if config.type is CommandType.SSH:
        if not command.command.strip():
            raise _not_configured(
                env, "SSH upgrade command", "upgradeConfig.upgradeCommand.command"
            )
        return Preview(preview_ssh_command(command.command, version), _ssh_target(env))
    if not command.url:
        raise _not_configured(env, "upgrade URL", "upgradeConfig.upgradeCommand.url")
    request = preview_http_request(
        command.method.value, command.url, command.headers, command.body, version
    )
    return Preview(request, None)
