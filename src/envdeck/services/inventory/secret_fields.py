"""Where an environment keeps secrets, and which of its values are secret.

Every value that may hold a secret is a *leaf* with a path in the environment as the API
spells it (`("healthCheck", "headers", "Authorization")`). The path is what a sealed value is
bound to (sealing.py), what an error names, and how a "********" sent back finds the stored
value it keeps.

The places are the requests an environment configures (`RequestPlace`: the health check, the
restart and upgrade commands, the version list). A header value is secret when the header's
name looks secret: it contains authorization, cookie, token, key, secret, passw or auth, in any
case.

This module only walks and judges: sealing and opening are in sealing.py.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from envdeck.adapters.secret_box import MASK, PREFIX
from envdeck.domain.base import DomainModel
from envdeck.domain.environment import Environment

Path = tuple[str | int, ...]
M = TypeVar("M", bound=DomainModel)

_SECRET_NAME = re.compile(r"authorization|cookie|token|key|secret|passw|auth", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Tell whether a value named so must be kept secret."""
    return bool(_SECRET_NAME.search(name))


@dataclass(frozen=True, slots=True)
class Leaf:
    """One value that may be secret: where it is, what it is, whether its name makes it so."""

    path: Path
    value: Any
    secret: bool


LeafFn = Callable[[Leaf], Any]


@dataclass(frozen=True)
class RequestPlace:
    """One request an environment configures: the object holding it (its attributes from the
    environment, and its path as the API spells it) and the name of its headers field."""

    attributes: tuple[str, ...]
    path: Path
    headers: tuple[str, str]  # (as the API spells it, attribute)

    @property
    def name(self) -> str:
        return ".".join(str(part) for part in self.path)


HEALTH_CHECK = RequestPlace(("health_check",), ("healthCheck",), ("headers", "headers"))
RESTART = RequestPlace(("commands", "restart"), ("commands", "restart"), ("headers", "headers"))
UPGRADE = RequestPlace(
    ("upgrade_config", "upgrade_command"),
    ("upgradeConfig", "upgradeCommand"),
    ("headers", "headers"),
)
VERSION_LIST = RequestPlace(
    ("upgrade_config",),
    ("upgradeConfig",),
    ("versionListHeaders", "version_list_headers"),
)
PLACES = (HEALTH_CHECK, RESTART, UPGRADE, VERSION_LIST)
# Where a command is configured (HttpCommand.configured_at) -> its place.
COMMAND_PLACES = {RESTART.name: RESTART, UPGRADE.name: UPGRADE}


def dotted(path: Path) -> str:
    """Return a path as error messages and `details.field` spell it."""
    return ".".join(str(part) for part in path)


def sealable(value: Any) -> bool:
    """Tell whether a value in a secret place holds something to seal (text, not empty)."""
    return isinstance(value, str) and value != ""


def shown(leaf: Leaf) -> Any:
    """Return a leaf's value as the API shows it: "********" for anything secret."""
    value = leaf.value
    if isinstance(value, str) and value.startswith(PREFIX):
        return MASK
    return MASK if leaf.secret and sealable(value) else value


def map_headers(headers: dict[str, str], path: Path, fn: LeafFn) -> dict[str, str]:
    """Return headers with each value replaced by fn of its leaf."""
    return {
        name: fn(Leaf((*path, name), value, is_secret_name(name)))
        for name, value in headers.items()
    }


@dataclass(frozen=True)
class RequestParts:
    """What one configured request sends that may hold secrets."""

    headers: dict[str, str]

    @classmethod
    def of(cls, place: RequestPlace, owner: Any) -> "RequestParts":
        """Return the parts of place's request, read from the object holding it."""
        return cls(headers=getattr(owner, place.headers[1]))

    def update_of(self, place: RequestPlace) -> dict[str, Any]:
        """Return the attributes of the object holding place's request, for model_copy."""
        return {place.headers[1]: self.headers}


def map_request(place: RequestPlace, parts: RequestParts, fn: LeafFn) -> RequestParts:
    """Return the parts of one request of place with each leaf replaced by fn of it."""
    return RequestParts(headers=map_headers(parts.headers, (*place.path, place.headers[0]), fn))


def map_environment(env: Environment, fn: LeafFn) -> Environment:
    """Return a copy of env with every leaf replaced by fn of it.

    Only the objects holding leaves are copied (shallowly): this runs for every environment
    of every list page, where a deep copy cost more than the query.
    """
    for place in PLACES:
        parts = RequestParts.of(place, _get(env, place.attributes))
        if parts.headers:
            mapped = map_request(place, parts, fn)
            env = _replace(env, place.attributes, mapped.update_of(place))
    return env


def leaves(env: Environment) -> dict[Path, Leaf]:
    """Return every leaf of env by its path."""
    found: dict[Path, Leaf] = {}

    def note(leaf: Leaf) -> Any:
        found[leaf.path] = leaf
        return leaf.value

    map_environment(env, note)
    return found


def mask_environment(env: Environment) -> Environment:
    """Return a copy of env as the API shows it: every secret value reads "********"."""
    return map_environment(env, shown)


def _get(model: DomainModel, attributes: tuple[str, ...]) -> Any:
    for attribute in attributes:
        model = getattr(model, attribute)
    return model


def _replace(model: M, attributes: tuple[str, ...], update: dict[str, Any]) -> M:
    if not attributes:
        return model.model_copy(update=update)
    first, rest = attributes[0], attributes[1:]
    return model.model_copy(update={first: _replace(getattr(model, first), rest, update)})
