"""What an environment must be to be stored, beyond what its model checks.

These rules run when an environment is saved (created, replaced, patched, imported), not when
one is read: an environment stored before a rule existed still loads, and each rule says what
happens to such data where it is used.

- Header names are HTTP tokens and header values one line (no CR, LF or other control character
  but tab): the client would refuse them when sending, so they are refused when saved.
- An SSH upgrade command must not have the shell read `{VERSION}` again as code
  (domain/version_templates.py); one stored before the rule is refused when rendered.
- One environment is at most MAX_STORED_BYTES as stored, secrets sealed.
"""

import re
from collections.abc import Iterator

from envdeck.domain.command_kinds import CommandType
from envdeck.domain.environment import Environment
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.version_templates import reevaluation_problem

# One environment as stored (JSON, secrets sealed), at most: room for two 64 KiB scripts and a
# host key, while every page, export and WebSocket message that carries it stays small.
MAX_STORED_BYTES = 256 * 1024

# RFC 9110 §5.1 token and §5.5 field-value (visible characters, space, tab, obs-text).
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\U0010ffff]*")


def header_maps(env: Environment) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (field path, headers) of every header map of an environment."""
    yield "healthCheck.headers", env.health_check.headers
    yield "commands.restart.headers", env.commands.restart.headers
    yield "upgradeConfig.upgradeCommand.headers", env.upgrade_config.upgrade_command.headers
    yield "upgradeConfig.versionListHeaders", env.upgrade_config.version_list_headers


def check_headers(env: Environment) -> None:
    """Raise ValidationFailed naming the first header that could not be sent as it is."""
    for path, headers in header_maps(env):
        for name, value in headers.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValidationFailed(
                    f"{path}: {name[:40]!r} is not a header name (letters, digits and "
                    "!#$%&'*+-.^_`|~ only)",
                    {"field": path},
                )
            if not _HEADER_VALUE.fullmatch(value):
                what = (
                    "a line break (CR or LF)"
                    if re.search(r"[\r\n]", value)
                    else "a control character"
                )
                raise ValidationFailed(
                    f"{path}.{name}: a header value is one line and cannot contain {what}",
                    {"field": f"{path}.{name}"},
                )


def check_upgrade_template(env: Environment) -> None:
    """Raise ValidationFailed if the SSH upgrade command would run {VERSION} as code."""
    upgrade = env.upgrade_config
    if upgrade.type is not CommandType.SSH:
        return
    problem = reevaluation_problem(upgrade.upgrade_command.command)
    if problem is not None:
        raise ValidationFailed(
            f"upgradeConfig.upgradeCommand.command: {problem}",
            {"field": "upgradeConfig.upgradeCommand.command"},
        )


def check_stored_size(ready: Environment) -> None:
    """Raise ValidationFailed if the environment, as stored, is larger than MAX_STORED_BYTES."""
    size = len(ready.model_dump_json(by_alias=True).encode("utf-8"))
    if size > MAX_STORED_BYTES:
        raise ValidationFailed(
            f"environment {ready.name} would take {size // 1024} KiB stored; "
            f"at most {MAX_STORED_BYTES // 1024} KiB (metadata, bodies and scripts together)",
            {"maxBytes": MAX_STORED_BYTES},
        )
