"""Where an environment keeps secrets, and which of its values are secret.

Every value that may hold a secret is a *leaf* with a path in the environment as the API
spells it (`("healthCheck", "headers", "Authorization")`). The path is what a sealed value is
bound to (sealing.py), what an error names, and how a "********" sent back finds the stored
value it keeps.

The places (`Place`): the requests an environment configures (the health check, the restart
and upgrade commands, the version list), its link (`environmentURL`) and its `metadata`. In
them a value is secret when:

- it is the password of a URL's user-info (always), or the user-info itself when it has no
  password (`https://<token>@host`);
- it is a header, a query parameter, or a JSON field (of a request body or of `metadata`, at
  any depth: a field under a secret one is secret too) whose name looks secret: it contains
  pass, secret, token, key, credential, signature, auth or cookie in any case (password,
  passwd, apikey, api_key, Authorization, X-Auth-Token…), or is `sig` or `pwd`;
- or its name is one of the environment's `secretNames` (the form's "secret" mark), in any
  case.

A secret value is sealed when it is text (not empty) or a number; booleans and nulls say
nothing. A value containing `{VERSION}` is a template, not a secret: it stays in clear so the
version can be put into it.

This module only walks and judges: sealing and opening are in sealing.py.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, unquote, unquote_plus, urlsplit, urlunsplit

from pydantic import HttpUrl

from envdeck.adapters.secret_box import MASK, PREFIX
from envdeck.domain.base import DomainModel
from envdeck.domain.command_kinds import VERSION_PLACEHOLDER
from envdeck.domain.environment import Environment

Path = tuple[str | int, ...]
M = TypeVar("M", bound=DomainModel)

_SECRET_NAME = re.compile(r"pass|secret|token|key|credential|signature|auth|cookie", re.IGNORECASE)
_SECRET_NAMES = frozenset({"sig", "pwd"})


def is_secret_name(name: str, marked: frozenset[str] = frozenset()) -> bool:
    """Tell whether a value named so must be kept secret (marked: names in lower case)."""
    lowered = name.lower()
    return bool(_SECRET_NAME.search(name)) or lowered in _SECRET_NAMES or lowered in marked


def marked_names(env: Environment) -> frozenset[str]:
    """Return the names an environment marks secret, in lower case."""
    return frozenset(name.lower() for name in env.secret_names)


@dataclass(frozen=True, slots=True)
class Leaf:
    """One value that may be secret: where it is, what it is, whether that makes it secret,
    and whether it is a JSON value (sealed as JSON text, so a number comes back a number)."""

    path: Path
    value: Any
    secret: bool
    json: bool = False


LeafFn = Callable[[Leaf], Any]


@dataclass(frozen=True)
class Place:
    """One object of an environment with fields that may hold secrets: the object (its
    attributes from the environment, its path as the API spells it) and its URL, headers and
    JSON fields, each as (name as the API spells it, attribute)."""

    attributes: tuple[str, ...]
    path: Path
    url: tuple[str, str] | None = None
    headers: tuple[str, str] | None = None
    body: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        return ".".join(str(part) for part in self.path)


HEALTH_CHECK = Place(
    ("health_check",),
    ("healthCheck",),
    url=("endpoint", "endpoint"),
    headers=("headers", "headers"),
    body=("body", "body"),
)
RESTART = Place(
    ("commands", "restart"),
    ("commands", "restart"),
    url=("url", "url"),
    headers=("headers", "headers"),
    body=("body", "body"),
)
UPGRADE = Place(
    ("upgrade_config", "upgrade_command"),
    ("upgradeConfig", "upgradeCommand"),
    url=("url", "url"),
    headers=("headers", "headers"),
    body=("body", "body"),
)
VERSION_LIST = Place(
    ("upgrade_config",),
    ("upgradeConfig",),
    url=("versionListURL", "version_list_url"),
    headers=("versionListHeaders", "version_list_headers"),
    body=("versionListBody", "version_list_body"),
)
LINK = Place((), (), url=("environmentURL", "environment_url"))
METADATA = Place((), (), body=("metadata", "metadata"))
PLACES = (HEALTH_CHECK, RESTART, UPGRADE, VERSION_LIST, LINK, METADATA)
# Where a command is configured (HttpCommand.configured_at) -> its place.
COMMAND_PLACES = {RESTART.name: RESTART, UPGRADE.name: UPGRADE}


def dotted(path: Path) -> str:
    """Return a path as error messages and `details.field` spell it."""
    return ".".join(str(part) for part in path)


def sealable(value: Any, *, json: bool = False) -> bool:
    """Tell whether a value in a secret place holds something to seal."""
    if isinstance(value, str):
        return value != "" and VERSION_PLACEHOLDER not in value
    return json and isinstance(value, int | float) and not isinstance(value, bool)


def is_bound(value: Any) -> bool:
    """Tell whether a stored value is sealed and bound (enc:v2)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def shown(leaf: Leaf) -> Any:
    """Return a leaf's value as the API shows it: "********" for anything secret."""
    value = leaf.value
    if is_bound(value) or (leaf.secret and sealable(value, json=leaf.json)):
        return MASK
    return value


# ---- walking one kind of field -----------------------------------------------------------


def map_headers(
    headers: dict[str, str], path: Path, marked: frozenset[str], fn: LeafFn
) -> dict[str, str]:
    """Return headers with each value replaced by fn of its leaf."""
    return {
        name: fn(Leaf((*path, name), value, is_secret_name(name, marked)))
        for name, value in headers.items()
    }


def map_url(url: str, path: Path, marked: frozenset[str], fn: LeafFn) -> str:
    """Return url with its user-info password (or lone user-info) and each query parameter's
    value (as written, percent-encoding included) replaced by fn of its leaf."""
    parts = urlsplit(url)
    netloc, query = parts.netloc, parts.query
    if "@" in netloc:
        netloc = _map_userinfo(netloc, path, fn)
    if query:
        query = _map_query(query, (*path, "query"), marked, fn)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _map_userinfo(netloc: str, path: Path, fn: LeafFn) -> str:
    userinfo, _, hostport = netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if colon:
        value = unquote(password)
        new = fn(Leaf((*path, "password"), value, True))
        return netloc if new == value else f"{user}:{quote(new, safe='*')}@{hostport}"
    value = unquote(userinfo)
    new = fn(Leaf((*path, "userinfo"), value, True))
    return netloc if new == value else f"{quote(new, safe='*')}@{hostport}"


def _map_query(query: str, path: Path, marked: frozenset[str], fn: LeafFn) -> str:
    seen: Counter[str] = Counter()
    pieces = []
    for piece in query.split("&"):
        raw_name, equals, value = piece.partition("=")
        name = unquote_plus(raw_name)
        occurrence = seen[name]
        seen[name] += 1
        if equals:
            leaf = Leaf((*path, name, occurrence), value, is_secret_name(name, marked))
            value = fn(leaf)
        pieces.append(f"{raw_name}{equals}{value}")
    return "&".join(pieces)


def map_json(
    value: Any, path: Path, marked: frozenset[str], fn: LeafFn, *, secret: bool = False
) -> Any:
    """Return a copy of a JSON value with each scalar replaced by fn of its leaf (secret when
    its field or any field above it has a secret name).

    Iterative, not recursive: a deeply nested document must not exhaust the stack.
    """
    if not isinstance(value, dict | list):
        return fn(Leaf(path, value, secret, json=True))
    root: dict[Any, Any] | list[Any] = {} if isinstance(value, dict) else []
    stack = [(_items(value), root, path, secret)]
    while stack:
        items, out, here, above = stack[-1]
        for key, item in items:
            item_secret = above or (isinstance(key, str) and is_secret_name(key, marked))
            item_path = (*here, key)
            if isinstance(item, dict | list):
                child: dict[Any, Any] | list[Any] = {} if isinstance(item, dict) else []
                _put(out, key, child)
                stack.append((_items(item), child, item_path, item_secret))
                break
            _put(out, key, fn(Leaf(item_path, item, item_secret, json=True)))
        else:
            stack.pop()
    return root


def _items(container: dict[Any, Any] | list[Any]) -> Any:
    return iter(container.items()) if isinstance(container, dict) else iter(enumerate(container))


def _put(out: dict[Any, Any] | list[Any], key: Any, value: Any) -> None:
    if isinstance(out, dict):
        out[key] = value
    else:
        out.append(value)


# ---- walking a place, and the environment ------------------------------------------------


@dataclass(frozen=True)
class RequestParts:
    """What one place holds that may be secret: a URL (as text), headers, a JSON value."""

    url: str | None = None
    headers: dict[str, str] | None = None
    body: Any = None

    @classmethod
    def of(cls, place: Place, owner: Any) -> "RequestParts":
        """Return the parts of place, read from the object holding them."""
        url = getattr(owner, place.url[1]) if place.url else None
        return cls(
            url=None if url is None else str(url),
            headers=getattr(owner, place.headers[1]) if place.headers else None,
            body=getattr(owner, place.body[1]) if place.body else None,
        )


def map_request(
    place: Place, parts: RequestParts, fn: LeafFn, marked: frozenset[str] = frozenset()
) -> RequestParts:
    """Return the parts of place with each leaf replaced by fn of it."""
    url, headers, body = parts.url, parts.headers, parts.body
    if place.url and url is not None:
        url = map_url(url, (*place.path, place.url[0]), marked, fn)
    if place.headers and headers:
        headers = map_headers(headers, (*place.path, place.headers[0]), marked, fn)
    if place.body and body is not None:
        body = map_json(body, (*place.path, place.body[0]), marked, fn)
    return RequestParts(url=url, headers=headers, body=body)


def map_environment(env: Environment, fn: LeafFn) -> Environment:
    """Return a copy of env with every leaf replaced by fn of it.

    Only the objects holding leaves are copied (shallowly): this runs for every environment
    of every list page, where a deep copy cost more than the query.
    """
    marked = marked_names(env)
    for place in PLACES:
        update = _mapped_fields(place, _get(env, place.attributes), fn, marked)
        if update:
            env = _replace(env, place.attributes, update)
    return env


def _mapped_fields(place: Place, owner: Any, fn: LeafFn, marked: frozenset[str]) -> dict[str, Any]:
    """Return the fields of owner that fn changes, for model_copy; skip at once what cannot
    hold a leaf (a URL without user-info or query, empty headers, no body)."""
    update: dict[str, Any] = {}
    if place.url and (current := getattr(owner, place.url[1])) is not None:
        text = str(current)
        if "@" in text or "?" in text:
            new_url = map_url(text, (*place.path, place.url[0]), marked, fn)
            if new_url != text:
                update[place.url[1]] = HttpUrl(new_url) if isinstance(current, HttpUrl) else new_url
    if place.headers and (headers := getattr(owner, place.headers[1])):
        new_headers = map_headers(headers, (*place.path, place.headers[0]), marked, fn)
        if new_headers != headers:
            update[place.headers[1]] = new_headers
    if place.body and (body := getattr(owner, place.body[1])) not in (None, {}, []):
        new_body = map_json(body, (*place.path, place.body[0]), marked, fn)
        if new_body != body:
            update[place.body[1]] = new_body
    return update


def leaves(env: Environment) -> dict[Path, Leaf]:
    """Return every leaf of env by its path."""
    found: dict[Path, Leaf] = {}

    def note(leaf: Leaf) -> Any:
        found[leaf.path] = leaf
        return leaf.value

    map_environment(env, note)
    return found


def url_users(env: Environment) -> dict[Path, str]:
    """Return the user of every URL of env that has a password, by the password's path."""
    users: dict[Path, str] = {}
    for place in PLACES:
        if place.url is None:
            continue
        url = getattr(_get(env, place.attributes), place.url[1])
        parts = urlsplit(str(url)) if url is not None else None
        if parts is not None and parts.password is not None:
            users[(*place.path, place.url[0], "password")] = unquote(parts.username or "")
    return users


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
