"""An environment's secrets sealed, opened and re-sealed, each bound to its place.

A secret leaf (secret_fields.py) is stored sealed (`enc:v2:`) and bound to the environment's
id and the leaf's path (`environment/<id>/["healthCheck","headers","Authorization"]`): a value
copied into another environment, or into another field of the same one (a restart header
moved into the health check, whose endpoint may be another host), does not open there.

- `seal_environment`: what an API write stores. Secret values are sealed; "********" keeps the
  stored value of the same path; an incoming value that looks sealed is sealed like any other
  text (a client never supplies ciphertext).
- `SecretScope.open_request`: one request's values opened at send time, never stored or shown.
- `reseal_environment`: the start-up migration (`enc:v1:` and plaintext secrets sealed, bound)
  and the key rotation (everything sealed again under the new key).
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from envdeck.adapters.secret_box import (
    MASK,
    SecretBox,
    SecretDecryptionError,
    bound_to,
    is_legacy,
)
from envdeck.domain.environment import Environment
from envdeck.domain.errors import ValidationFailed
from envdeck.services.inventory.scrubbing import Scrubber
from envdeck.services.inventory.secret_fields import (
    Leaf,
    Path,
    Place,
    RequestParts,
    dotted,
    is_bound,
    leaves,
    map_environment,
    map_request,
    marked_names,
    sealable,
    shown,
    url_users,
)


def leaf_context(environment_id: str, path: Path) -> str:
    """Return what the sealed value at path of an environment is bound to."""
    field = json.dumps(list(path), ensure_ascii=False, separators=(",", ":"))
    return bound_to("environment", environment_id, field)


def _seal(box: SecretBox, leaf: Leaf, value: Any, context: str) -> str:
    # A JSON value is sealed as JSON text, so that a number opens as a number again.
    return box.seal(json.dumps(value) if leaf.json else value, context)


def _open(box: SecretBox, leaf: Leaf, context: str) -> Any:
    plain = box.open(leaf.value, context)
    if not leaf.json:
        return plain
    try:
        return json.loads(plain)
    except ValueError:
        raise SecretDecryptionError("not a sealed JSON value") from None


def _holds_secret(leaf: Leaf) -> bool:
    return is_bound(leaf.value) or (leaf.secret and sealable(leaf.value, json=leaf.json))


def _legacy(leaf: Leaf) -> bool:
    # Unbound values were only ever stored in headers (text).
    return not leaf.json and isinstance(leaf.value, str) and is_legacy(leaf.value)


def seal_environment(
    incoming: Environment, stored: Environment | None, box: SecretBox
) -> Environment:
    """Return incoming as it is to be stored: its secret values sealed, bound to its id, and
    each "********" replaced by the stored value of the same path (stored is the same record).

    Raise ValidationFailed when "********" is sent for a secret nothing is stored for.
    """
    if stored is not None and stored.id != incoming.id:
        raise ValueError("the stored environment is another record")
    kept = leaves(stored) if stored is not None else {}

    def seal(leaf: Leaf) -> Any:
        value = leaf.value
        context = leaf_context(incoming.id, leaf.path)
        if value == MASK:
            return _keep(leaf, kept.get(leaf.path), context, box)
        if (leaf.secret and sealable(value, json=leaf.json)) or is_bound(value):
            return _seal(box, leaf, value, context)
        return value

    return map_environment(incoming, seal)


def _keep(leaf: Leaf, stored: Leaf | None, context: str, box: SecretBox) -> Any:
    if stored is not None and shown(stored) == MASK:
        value = stored.value
        if is_bound(value):
            return value
        try:
            # Stored before the start-up migration reached it: sealed (bound) now.
            if _legacy(stored):
                return box.reseal(value, context)
            return _seal(box, stored, value, context)
        except SecretDecryptionError:
            pass  # as if nothing were stored: it must be sent again
    if not leaf.secret:
        return leaf.value  # "********" is only text where nothing secret is kept
    field = dotted(leaf.path)
    raise ValidationFailed(
        f"{field}: {MASK} keeps a stored value, but none is stored", {"field": field}
    )


def kept_paths(incoming: Environment, stored: Environment) -> list[Path]:
    """Return the paths where a "********" of incoming would take a stored secret."""
    kept = leaves(stored)
    return [
        path
        for path, leaf in leaves(incoming).items()
        if leaf.value == MASK and path in kept and shown(kept[path]) == MASK
    ]


def reseal_environment(
    env: Environment,
    box: SecretBox,
    *,
    rekey: bool,
    unreadable: Callable[[Path], None] | None = None,
) -> tuple[Environment, int]:
    """Return env with its secrets sealed and bound, and how many values changed.

    Secret values in clear or sealed unbound (`enc:v1:`, only ever in headers) are sealed,
    bound to their place; with `rekey` (a key rotation) every sealed value is sealed again
    under the box's first key. A value that does not open raises SecretDecryptionError naming
    its path, or, given `unreadable`, is reported there and left as it is.
    """
    count = 0

    def reseal(leaf: Leaf) -> Any:
        nonlocal count
        value = leaf.value
        bound = is_bound(value)
        if (bound and not rekey) or not (bound or leaf.secret):
            return value  # done already, or not secret (even if it looks sealed)
        if not bound and not sealable(value, json=leaf.json):
            return value
        context = leaf_context(env.id, leaf.path)
        try:
            if bound or _legacy(leaf):
                resealed = box.reseal(value, context)
            else:
                resealed = _seal(box, leaf, value, context)
        except SecretDecryptionError:
            if unreadable is None:
                raise SecretDecryptionError(dotted(leaf.path)) from None
            unreadable(leaf.path)
            return value
        count += 1
        return resealed

    resealed_env = map_environment(env, reseal)
    return resealed_env, count


@dataclass(frozen=True)
class SecretScope:
    """One environment's secrets as its requests need them: its id (what its sealed values are
    bound to), the names it marks secret, and every secret value it holds (still sealed), for
    scrubbing what comes back."""

    environment_id: str
    marked: frozenset[str] = frozenset()
    secrets: tuple[Leaf, ...] = ()
    # The user of each URL whose password is a secret: Basic authentication sends both.
    url_users: tuple[tuple[Path, str], ...] = ()

    @classmethod
    def of(cls, env: Environment, *more: Environment) -> "SecretScope":
        """Return env's scope, holding the secrets of more (unsaved copies of it) too."""
        secrets: list[Leaf] = []
        users: list[tuple[Path, str]] = []
        for each in (env, *more):
            secrets += [leaf for leaf in leaves(each).values() if _holds_secret(leaf)]
            users += url_users(each).items()
        return cls(env.id, marked_names(env), tuple(secrets), tuple(users))

    def scrubber(self, box: SecretBox, extra: Iterable[str] = ()) -> Scrubber:
        """Return a scrubber of every secret of the environment (and extra), opened for it.

        A value that does not open is left out: it was never sent, so it cannot come back.
        """
        users = dict(self.url_users)
        plain = list(extra)
        for leaf in self.secrets:
            value = leaf.value
            if is_bound(value):
                try:
                    value = _open(box, leaf, leaf_context(self.environment_id, leaf.path))
                except (SecretDecryptionError, ValueError):
                    continue
            text = value if isinstance(value, str) else json.dumps(value)
            plain += [text, unquote_plus(text)]
            if leaf.path in users:
                plain.append(f"{users[leaf.path]}:{text}")
        return Scrubber(plain)

    def shown_request(self, place: Place, parts: RequestParts) -> RequestParts:
        """Return one request's parts as the API shows them: every secret "********"."""
        return map_request(place, parts, shown, self.marked)

    def open_request(self, box: SecretBox, place: Place, parts: RequestParts) -> RequestParts:
        """Return one request's parts with its sealed values opened, for sending only.

        Raise SecretDecryptionError when one does not open (another key, another place).
        """

        def open_leaf(leaf: Leaf) -> Any:
            if not is_bound(leaf.value):
                return leaf.value
            if not self.environment_id:
                raise SecretDecryptionError("a sealed value outside an environment")
            return _open(box, leaf, leaf_context(self.environment_id, leaf.path))

        return map_request(place, parts, open_leaf)
