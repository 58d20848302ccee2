"""Secrets at rest: AES-256-GCM under the installation's key (DESIGN §4).

A sealed value is the text `enc:v2:<base64url(nonce | ciphertext+tag)>`: self-describing, so a
stored value is never mistaken for plaintext, and versioned. It is bound to where it belongs:
sealing takes a `context` naming the record and the field (`credential/<id>/secret`, see
`bound_to`), which GCM authenticates as associated data, so a value copied into another record
or another field does not open there (a header secret moved into a request that goes to another
host, a credential's secret moved onto another credential).

`enc:v1:` values (sealed before that binding, under the associated data "enc:v1:") no longer
open: `reseal` turns them into bound `enc:v2:` values, which is what the start-up migration
(services/inventory/secret_migration.py) and the key rotation do.

The key comes from `encryption.key` or the data dir; `envdeck secrets rotate-key` re-seals
everything under a new one. While a rotation is under way a box holds two keys: it seals with
the new one and opens with either, so a rotation that stops half-way loses nothing.
"""

import base64
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v2:"
LEGACY_PREFIX = "enc:v1:"
NONCE_BYTES = 12
MASK = "********"


class SecretDecryptionError(Exception):
    """A sealed value could not be opened: another key, another place, or a damaged value."""


def bound_to(kind: str, record_id: str, field: str) -> str:
    """Return the context that binds a sealed value to one field of one record."""
    if not record_id:
        raise ValueError("a sealed value must be bound to a stored record (it has no id yet)")
    return f"{kind}/{record_id}/{field}"


class SecretBox:
    """Seals with the first key; opens with any of them."""

    def __init__(self, keys: bytes | Sequence[bytes]) -> None:
        keys = [keys] if isinstance(keys, bytes) else list(keys)
        if not keys:
            raise ValueError("a secret box needs at least one key")
        if any(len(key) != 32 for key in keys):
            raise ValueError("the encryption key must be 32 bytes (AES-256)")
        self._aeads = [AESGCM(key) for key in keys]

    def seal(self, plaintext: str, context: str) -> str:
        """Return plaintext encrypted under the first key and a fresh nonce, bound to context."""
        if not context:
            raise ValueError("a sealed value needs a context")
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[0].encrypt(nonce, plaintext.encode("utf-8"), _aad(context))
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, context: str) -> str:
        """Return the plaintext of a value sealed for context, whichever key sealed it."""
        if not sealed.startswith(PREFIX):
            raise SecretDecryptionError("not a sealed value")
        return self._decrypt(sealed.removeprefix(PREFIX), _aad(context))

    def reseal(self, sealed: str, context: str) -> str:
        """Return a value sealed again under the first key, bound to context.

        Opens an unbound `enc:v1:` value too: this is how stored values move to `enc:v2:`.
        """
        if sealed.startswith(LEGACY_PREFIX):
            plain = self._decrypt(sealed.removeprefix(LEGACY_PREFIX), LEGACY_PREFIX.encode())
        else:
            plain = self.open(sealed, context)
        return self.seal(plain, context)

    def _decrypt(self, text: str, aad: bytes) -> str:
        try:
            raw = base64.urlsafe_b64decode(text)
        except ValueError as exc:
            raise SecretDecryptionError("cannot decrypt: damaged value") from exc
        for aead in self._aeads:
            try:
                plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
            except (InvalidTag, ValueError):
                continue
            return plain.decode("utf-8")
        raise SecretDecryptionError("cannot decrypt: wrong key, another place or damaged value")


def _aad(context: str) -> bytes:
    return (PREFIX + context).encode("utf-8")


def is_sealed(value: str) -> bool:
    """Tell whether a stored string is a sealed secret (of either version)."""
    return value.startswith((PREFIX, LEGACY_PREFIX))


def is_legacy(value: str) -> bool:
    """Tell whether a stored string is an unbound `enc:v1:` value, to be re-sealed."""
    return value.startswith(LEGACY_PREFIX)
