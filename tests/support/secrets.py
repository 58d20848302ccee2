"""Sealed values in tests: opening an environment's by path, and making the unbound values
(`enc:v1:`) that installations stored before sealed values were bound to their place."""

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from envdeck.adapters.secret_box import LEGACY_PREFIX, NONCE_BYTES, SecretBox
from envdeck.services.inventory.sealing import leaf_context


def open_at(box: SecretBox, environment_id: str, sealed: str, *path: str | int) -> str:
    """Return the plaintext of the sealed value stored at path of an environment."""
    return box.open(sealed, leaf_context(environment_id, path))


def seal_at(box: SecretBox, environment_id: str, plaintext: str, *path: str | int) -> str:
    """Return plaintext sealed for path of an environment."""
    return box.seal(plaintext, leaf_context(environment_id, path))


def legacy_seal(key: bytes, plaintext: str) -> str:
    """Return plaintext sealed as Envdeck did before binding: `enc:v1:`, no context."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), LEGACY_PREFIX.encode())
    return LEGACY_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
