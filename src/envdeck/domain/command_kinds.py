"""The kinds of command an operation runs: one model per kind, discriminated on `type`.

An environment keeps its restart and upgrade commands in the seed's flat shape
(`commands{type, restart{command, url, …}}`, `upgradeConfig{type, upgradeCommand{…}}`), which
is also the API's. Operations take them as a `Command`, so each executor sees only its own
kind's fields (`Environment.restart_command()`, `Environment.upgrade_command()`).

Adding a kind: a `CommandType` value, a model here registered in `COMMAND_KINDS`, an executor
registered in services/operations/executors/, and a section of the UI's form
(docs/architecture.md).
"""

from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field

from envdeck.domain.base import DomainModel

VERSION_PLACEHOLDER = "{VERSION}"


class CommandType(StrEnum):
    SSH = "ssh"
    HTTP = "http"


class HttpMethod(StrEnum):
    GET = "GET"
    HEAD = "HEAD"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class CommandFields(Protocol):
    """The seed's flat command shape (restart and upgrade commands alike)."""

    @property
    def command(self) -> str: ...
    @property
    def method(self) -> HttpMethod: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def body(self) -> Any: ...
    @property
    def timeout(self) -> int: ...


class Missing(DomainModel):
    """What a command lacks to be run: its field and how a person calls it."""

    field: str  # relative to the command ("command", "url")
    label: str  # with "{action}" for restart / upgrade


class SshCommand(DomainModel):
    """A shell script run as one script in one session on the environment's target."""

    type: Literal[CommandType.SSH] = CommandType.SSH
    script: str = ""
    timeout: int = 300

    @classmethod
    def of(cls, fields: CommandFields, url: str, configured_at: str = "") -> "SshCommand":
        return cls(script=fields.command, timeout=fields.timeout)

    def missing(self) -> Missing | None:
        """Return what is missing for this command to run, or None."""
        if not self.script.strip():
            return Missing(field="command", label="SSH {action} command")
        return None

    def takes_version(self) -> bool:
        return VERSION_PLACEHOLDER in self.script

    @staticmethod
    def version_hint() -> str:
        return f"the upgrade command must contain {VERSION_PLACEHOLDER}"


class HttpCommand(DomainModel):
    """One HTTP request sent through the shared outbound client."""

    type: Literal[CommandType.HTTP] = CommandType.HTTP
    url: str = ""
    method: HttpMethod = HttpMethod.POST
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    timeout: int = 300
    # Where the environment configures it ("commands.restart", "upgradeConfig.upgradeCommand"):
    # the field its sealed values are bound to.
    configured_at: str = ""

    @classmethod
    def of(cls, fields: CommandFields, url: str, configured_at: str = "") -> "HttpCommand":
        return cls(
            url=url,
            method=fields.method,
            headers=fields.headers,
            body=fields.body,
            timeout=fields.timeout,
            configured_at=configured_at,
        )

    def missing(self) -> Missing | None:
        """Return what is missing for this command to run, or None."""
        if not self.url:
            return Missing(field="url", label="{action} URL")
        return None

    def takes_version(self) -> bool:
        return VERSION_PLACEHOLDER in self.url + repr(self.body)

    @staticmethod
    def version_hint() -> str:
        return f"the upgrade url or body must contain {VERSION_PLACEHOLDER}"


Command = Annotated[SshCommand | HttpCommand, Field(discriminator="type")]

# One registration per kind: the model that reads the seed's flat shape.
COMMAND_KINDS: dict[CommandType, type[SshCommand] | type[HttpCommand]] = {
    CommandType.SSH: SshCommand,
    CommandType.HTTP: HttpCommand,
}


def command_of(
    kind: CommandType, fields: CommandFields, url: str, configured_at: str
) -> SshCommand | HttpCommand:
    """Return the command of this kind that the flat fields (and their URL as text) describe,
    configured at that field of the environment."""
    return COMMAND_KINDS[kind].of(fields, url, configured_at)
