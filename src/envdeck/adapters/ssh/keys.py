"""SSH private keys as the vault takes them: OpenSSH or PEM, maybe encrypted, fingerprinted.

The fingerprint is the one `ssh-keygen -lf` prints: `SHA256:` and the unpadded base64 of the
SHA-256 of the public key's wire blob. Loading an encrypted key runs its KDF (bcrypt for
OpenSSH keys), which is slow on purpose: call `fingerprint_private_key` off the event loop.
"""

import base64
import hashlib
from typing import cast

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_ssh_private_key,
)

from envdeck.domain.errors import ValidationFailed

OPENSSH_HEADER = "-----BEGIN OPENSSH PRIVATE KEY-----"


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", {"field": field})


def _load(data: bytes, password: bytes | None, *, openssh: bool) -> PrivateKeyTypes:
    if openssh:
        # Newer cryptography releases type OpenSSH keys as a wider union (hybrid ML-DSA keys);
        # those fail at the fingerprint with a clear error, like any key SSH cannot use.
        return cast(PrivateKeyTypes, load_ssh_private_key(data, password))
    return load_pem_private_key(data, password)


def load_private_key(text: str, passphrase: str | None) -> PrivateKeyTypes:
    """Return the private key text holds, or raise ValidationFailed naming the field at fault."""
    data = text.strip().encode("utf-8")
    openssh = OPENSSH_HEADER in text
    try:
        key = _load(data, None, openssh=openssh)
    except TypeError:
        # cryptography's way of saying "encrypted, and no password given".
        if not passphrase:
            raise _refuse("passphrase", "this key is encrypted: give its passphrase") from None
    except (ValueError, UnsupportedAlgorithm):
        raise _refuse("secret", "not an SSH private key in OpenSSH or PEM format") from None
    else:
        if passphrase:
            raise _refuse("passphrase", "this key is not encrypted: leave the passphrase out")
        return key
    try:
        return _load(data, passphrase.encode("utf-8"), openssh=openssh)
    except (ValueError, UnsupportedAlgorithm):
        raise _refuse("passphrase", "wrong passphrase for this key") from None


def openssh_fingerprint(public_key: PublicKeyTypes) -> str:
    """Return the SHA256 fingerprint of a public key, as `ssh-keygen -lf` prints it."""
    try:
        line = public_key.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    except (ValueError, UnsupportedAlgorithm):
        raise _refuse("secret", "this type of key cannot be used with SSH") from None
    digest = hashlib.sha256(base64.b64decode(line.split()[1])).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def fingerprint_private_key(text: str, passphrase: str | None) -> str:
    """Return the fingerprint of the private key text holds (see load_private_key)."""
    return openssh_fingerprint(load_private_key(text, passphrase).public_key())
