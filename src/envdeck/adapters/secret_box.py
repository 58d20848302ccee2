"""Secrets at rest: AES-256-GCM under the installation's key (DESIGN §4).

A sealed value is the text `enc:v1:<base64url(nonce | ciphertext+tag)>`: self-describing, so a
stored value is never mistaken for plaintext, and versioned for a later change of scheme. The
key comes from `encryption.key` or the data dir; `envdeck secrets rotate-key` re-seals
everything under a new one. While a rotation is under way a box holds two keys: it seals with
the new one and opens with either, so a rotation that stops half-way loses nothing.
"""

import base64
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
NONCE_BYTES = 12
MASK = "********"


class SecretDecryptionError(Exception):
    """A sealed value could not be opened: another key, or a damaged value."""


class SecretBox:
    """Seals with the first key; opens with any of them."""

    def __init__(self, keys: bytes | Sequence[bytes]) -> None:
        keys = [keys] if isinstance(keys, bytes) else list(keys)
        if not keys:
            raise ValueError("a secret box needs at least one key")
        if any(len(key) != 32 for key in keys):
            raise ValueError("the encryption key must be 32 bytes (AES-256)")
        self._aeads = [AESGCM(key) for key in keys]

    def seal(self, plaintext: str) -> str:
        """Return plaintext encrypted under the first key and a fresh nonce."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[0].encrypt(nonce, plaintext.encode("utf-8"), PREFIX.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str) -> str:
        """Return the plaintext of a sealed value, whichever of the keys sealed it."""
        if not is_sealed(sealed):
            raise SecretDecryptionError("not a sealed value")
        try:
            raw = base64.urlsafe_b64decode(sealed.removeprefix(PREFIX))
        except ValueError as exc:
            raise SecretDecryptionError("cannot decrypt: damaged value") from exc
        for aead in self._aeads:
            try:
                plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PREFIX.encode())
            except (InvalidTag, ValueError):
                continue
            return plain.decode("utf-8")
        raise SecretDecryptionError("cannot decrypt: wrong key or damaged value")

    def reseal(self, sealed: str) -> str:
        """Return a sealed value sealed again under the first key."""
        return self.seal(self.open(sealed))


def is_sealed(value: str) -> bool:
    """Tell whether a stored string is a sealed secret."""
    return value.startswith(PREFIX)
