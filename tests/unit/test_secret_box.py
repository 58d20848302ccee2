"""AES-256-GCM at rest: sealed values open with the right key, in their own place only, and
only when intact; unbound values of the first version are re-sealed, never opened."""

import base64
import os

import pytest

from envdeck.adapters.secret_box import (
    LEGACY_PREFIX,
    PREFIX,
    SecretBox,
    SecretDecryptionError,
    bound_to,
    is_legacy,
    is_sealed,
)
from tests.support.secrets import legacy_seal

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
HERE = bound_to("credential", "64b000000000000000000001", "secret")


def test_a_sealed_value_opens_to_the_original() -> None:
    box = SecretBox(KEY)
    sealed = box.seal("hunter2 — naïve ünïcode", HERE)

    assert is_sealed(sealed)
    assert sealed.startswith(PREFIX)
    assert "hunter2" not in sealed
    assert box.open(sealed, HERE) == "hunter2 — naïve ünïcode"


def test_sealing_twice_gives_different_values() -> None:
    box = SecretBox(KEY)
    assert box.seal("same", HERE) != box.seal("same", HERE)


@pytest.mark.parametrize(
    "elsewhere",
    [
        bound_to("credential", "64b000000000000000000002", "secret"),  # another record
        bound_to("credential", "64b000000000000000000001", "passphrase"),  # another field
        bound_to("environment", "64b000000000000000000001", "secret"),  # another kind
    ],
)
def test_a_value_copied_to_another_place_does_not_open(elsewhere: str) -> None:
    box = SecretBox(KEY)
    sealed = box.seal("secret", HERE)

    with pytest.raises(SecretDecryptionError):
        box.open(sealed, elsewhere)


def test_a_value_is_bound_to_a_stored_record() -> None:
    with pytest.raises(ValueError, match="id"):
        bound_to("credential", "", "secret")
    with pytest.raises(ValueError, match="context"):
        SecretBox(KEY).seal("secret", "")


def test_another_key_cannot_open_it() -> None:
    sealed = SecretBox(KEY).seal("secret", HERE)

    with pytest.raises(SecretDecryptionError):
        SecretBox(OTHER_KEY).open(sealed, HERE)


def test_a_tampered_value_does_not_open() -> None:
    box = SecretBox(KEY)
    raw = bytearray(base64.urlsafe_b64decode(box.seal("secret", HERE).removeprefix(PREFIX)))
    raw[-1] ^= 1
    tampered = PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode()

    with pytest.raises(SecretDecryptionError):
        box.open(tampered, HERE)


@pytest.mark.parametrize(
    "value",
    ["plaintext", PREFIX, PREFIX + "not base64!", PREFIX + "AAAA", f"{PREFIX}{'A' * 7}"],
)
def test_damaged_or_unsealed_values_do_not_open(value: str) -> None:
    with pytest.raises(SecretDecryptionError):
        SecretBox(KEY).open(value, HERE)


def test_an_unbound_first_version_value_is_resealed_bound_but_never_opened() -> None:
    box = SecretBox(KEY)
    legacy = legacy_seal(KEY, "from before binding")
    assert is_sealed(legacy)
    assert is_legacy(legacy)
    assert legacy.startswith(LEGACY_PREFIX)

    with pytest.raises(SecretDecryptionError):
        box.open(legacy, HERE)
    resealed = box.reseal(legacy, HERE)

    assert resealed.startswith(PREFIX)
    assert box.open(resealed, HERE) == "from before binding"


def test_a_box_of_two_keys_seals_with_the_first_and_opens_with_either() -> None:
    old, new = SecretBox(KEY), SecretBox(OTHER_KEY)
    both = SecretBox([OTHER_KEY, KEY])

    assert both.open(old.seal("under old", HERE), HERE) == "under old"
    assert both.open(new.seal("under new", HERE), HERE) == "under new"
    assert new.open(both.seal("fresh", HERE), HERE) == "fresh"
    with pytest.raises(SecretDecryptionError):
        old.open(both.seal("fresh", HERE), HERE)


def test_reseal_moves_a_value_under_the_first_key() -> None:
    both = SecretBox([OTHER_KEY, KEY])

    resealed = both.reseal(SecretBox(KEY).seal("moved", HERE), HERE)

    assert SecretBox(OTHER_KEY).open(resealed, HERE) == "moved"
    with pytest.raises(SecretDecryptionError):
        SecretBox(KEY).open(resealed, HERE)


@pytest.mark.parametrize("keys", [b"short", [KEY, os.urandom(16)], []])
def test_refuses_keys_that_are_not_256_bits(keys: bytes | list[bytes]) -> None:
    with pytest.raises(ValueError, match="key"):
        SecretBox(keys)
