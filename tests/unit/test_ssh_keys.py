"""The vault's SSH key reading: formats, passphrases, fingerprints (ssh-keygen's agreement is
checked in tests/integration/test_ssh_keygen.py)."""

import pytest
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from envdeck.adapters.ssh.keys import fingerprint_private_key
from envdeck.domain.errors import ValidationFailed
from tests.support.ssh_keys import (
    ED25519,
    KEY_CASES,
    KeyFormat,
    SshKey,
    expected_fingerprint,
    private_text,
    public_line,
)


@pytest.mark.parametrize(("key", "key_format"), KEY_CASES)
def test_fingerprints_plain_and_encrypted_keys(key: SshKey, key_format: KeyFormat) -> None:
    plain = private_text(key, key_format)
    encrypted = private_text(key, key_format, "correct horse")

    assert fingerprint_private_key(plain, None) == expected_fingerprint(key)
    assert fingerprint_private_key(encrypted, "correct horse") == expected_fingerprint(key)


def test_keys_pasted_with_crlf_and_blank_lines_are_read() -> None:
    pasted = "\r\n" + private_text(ED25519, "openssh").replace("\n", "\r\n") + "\r\n\r\n"

    assert fingerprint_private_key(pasted, None) == expected_fingerprint(ED25519)


def refused_field(secret: str, passphrase: str | None) -> str:
    with pytest.raises(ValidationFailed) as caught:
        fingerprint_private_key(secret, passphrase)
    return str(caught.value.details["field"])


@pytest.mark.parametrize("key_format", ["openssh", "pkcs8"])
def test_an_encrypted_key_needs_its_passphrase(key_format: KeyFormat) -> None:
    encrypted = private_text(ED25519, key_format, "correct horse")

    assert refused_field(encrypted, None) == "passphrase"
    assert refused_field(encrypted, "") == "passphrase"
    assert refused_field(encrypted, "wrong horse") == "passphrase"


def test_a_plain_key_refuses_a_passphrase() -> None:
    assert refused_field(private_text(ED25519, "openssh"), "surplus") == "passphrase"


@pytest.mark.parametrize(
    "secret",
    [
        "not a key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        public_line(ED25519),
    ],
    ids=["text", "openssh-garbage", "pem-garbage", "public-key"],
)
def test_what_is_not_a_private_key_is_refused_on_the_secret(secret: str) -> None:
    assert refused_field(secret, None) == "secret"


def test_a_key_type_ssh_cannot_use_is_refused() -> None:
    x = x25519.X25519PrivateKey.generate()
    pem = x.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()

    assert refused_field(pem, None) == "secret"
