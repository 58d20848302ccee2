"""SSH keys for tests, and their fingerprints computed without the code under test.

`expected_fingerprint` builds the public key's wire blob by hand (RFC 4253 §6.6, RFC 8709) and
hashes it, as `ssh-keygen -lf` does; it never calls `public_bytes(OpenSSH)`.
"""

import base64
import hashlib
import struct
from typing import Literal

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    KeySerializationEncryption,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

SshKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
KeyFormat = Literal["openssh", "pkcs8", "traditional"]

_FORMATS = {
    "openssh": PrivateFormat.OpenSSH,
    "pkcs8": PrivateFormat.PKCS8,
    "traditional": PrivateFormat.TraditionalOpenSSL,
}


def private_text(key: SshKey, key_format: KeyFormat, passphrase: str | None = None) -> str:
    """Return the private key as a file would hold it, encrypted when given a passphrase."""
    encryption: KeySerializationEncryption = (
        BestAvailableEncryption(passphrase.encode()) if passphrase else NoEncryption()
    )
    return key.private_bytes(Encoding.PEM, _FORMATS[key_format], encryption).decode()


def public_line(key: SshKey) -> str:
    """Return the authorized_keys line of the key (for `ssh-keygen -lf`)."""
    return key.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _mpint(value: int) -> bytes:
    # Big-endian two's complement: a leading zero byte when the top bit is set.
    return _string(value.to_bytes(value.bit_length() // 8 + 1, "big"))


def expected_fingerprint(key: SshKey) -> str:
    """Return `SHA256:…` for the key, from its public numbers."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        blob = _string(b"ssh-ed25519") + _string(raw)
    else:
        numbers = key.public_key().public_numbers()
        blob = _string(b"ssh-rsa") + _mpint(numbers.e) + _mpint(numbers.n)
    digest = hashlib.sha256(blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


ED25519 = ed25519.Ed25519PrivateKey.generate()
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)

# Every (key, format) the vault must read: both key types, OpenSSH and both kinds of PEM.
KEY_CASES = [
    pytest.param(ED25519, "openssh", id="ed25519-openssh"),
    pytest.param(ED25519, "pkcs8", id="ed25519-pem"),
    pytest.param(RSA, "openssh", id="rsa-openssh"),
    pytest.param(RSA, "pkcs8", id="rsa-pem-pkcs8"),
    pytest.param(RSA, "traditional", id="rsa-pem-traditional"),
]
