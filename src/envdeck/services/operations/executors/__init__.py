"""Executors: one per kind of command (ssh, http), behind one protocol (base.py).

`Executors` is the registry the operation service and the previews pick from by
`command.type`; adding a kind is one executor module and one registration here.
"""

from collections.abc import Iterable

from envdeck.domain.command_kinds import CommandType
from envdeck.domain.errors import ValidationFailed
from envdeck.services.operations.executors.base import (
    Executor,
    PreparedCommand,
    Preview,
    RunContext,
)

__all__ = ["Executor", "Executors", "PreparedCommand", "Preview", "RunContext"]


class Executors:
    """The executors of this process, keyed by the kind of command they run."""

    def __init__(self, executors: Iterable[Executor]) -> None:
        self._by_kind = {executor.kind: executor for executor in executors}

    def get(self, kind: CommandType) -> Executor:
        """Return the executor of kind; ValidationFailed when none is registered."""
        try:
            return self._by_kind[kind]
        except KeyError:
            raise ValidationFailed(f"no executor runs {kind.value} commands") from None

    def kinds(self) -> list[CommandType]:
        """Return the kinds that can run, in registration order."""
        return list(self._by_kind)
