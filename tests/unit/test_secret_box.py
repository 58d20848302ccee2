"""AES-256-GCM at rest: sealed values open with the right key only, and only when intact."""

import base64
import os

import pytest

from envdeck.adapters.secret_box import PREFIX, SecretBox, SecretDecryptionError, is_sealed

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def test_a_sealed_value_opens_to_the_original() -> None:
    box = SecretBox(KEY)
    sealed = box.seal("hunter2 — naïve ünïcode")

    assert is_sealed(sealed)
    assert sealed.startswith(PREFIX)
    assert "hunter2" not in sealed
    assert box.open(sealed) == "hunter2 — naïve ünïcode"


def test_sealing_twice_gives_different_values() -> None:
    box = SecretBox(KEY)
    assert box.seal("same") != box.seal("same")


def test_another_key_cannot_open_it() -> None:
    sealed = SecretBox(KEY).seal("secret")

    with pytest.raises(SecretDecryptionError):
        SecretBox(OTHER_KEY).open(sealed)


def test_a_tampered_value_does_not_open() -> None:
    box = SecretBox(KEY)
    raw = bytearray(base64.urlsafe_b64decode(box.seal("secret").removeprefix(PREFIX)))
    raw[-1] ^= 1
    tampered = PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode()

    with pytest.raises(SecretDecryptionError):
        box.open(tampered)


@pytest.mark.parametrize(
    "value",
    ["plaintext", PREFIX, PREFIX + "not base64!", PREFIX + "AAAA", f"{PREFIX}{'A' * 7}"],
)
def test_damaged_or_unsealed_values_do_not_open(value: str) -> None:
    with pytest.raises(SecretDecryptionError):
        SecretBox(KEY).open(value)


def test_a_box_of_two_keys_seals_with_the_first_and_opens_with_either() -> None:
    old, new = SecretBox(KEY), SecretBox(OTHER_KEY)
    both = SecretBox([OTHER_KEY, KEY])

    assert both.open(old.seal("under old")) == "under old"
    assert both.open(new.seal("under new")) == "under new"
    assert new.open(both.seal("fresh")) == "fresh"
    with pytest.raises(SecretDecryptionError):
        old.open(both.seal("fresh"))


def test_reseal_moves_a_value_under_the_first_key() -> None:
    both = SecretBox([OTHER_KEY, KEY])

    resealed = both.reseal(SecretBox(KEY).seal("moved"))

    assert SecretBox(OTHER_KEY).open(resealed) == "moved"
    with pytest.raises(SecretDecryptionError):
        SecretBox(KEY).open(resealed)


@pytest.mark.parametrize("keys", [b"short", [KEY, os.urandom(16)], []])
def test_refuses_keys_that_are_not_256_bits(keys: bytes | list[bytes]) -> None:
    with pytest.raises(ValueError, match="key"):
        SecretBox(keys)
