"""Password policy: 12 to 72 bytes, not the username, strong enough by zxcvbn."""

import pytest

from envdeck.adapters.passwords import PasswordHasher, check_password_policy
from envdeck.domain.errors import ValidationFailed

STRONG = "quartz-lantern-orbit-91"


def test_accepts_a_strong_password() -> None:
    check_password_policy(STRONG, "alice")


def test_refuses_a_short_password() -> None:
    with pytest.raises(ValidationFailed, match="at least 12 bytes"):
        check_password_policy("Qz9!kL2#", "alice")


@pytest.mark.parametrize("size", [71, 72])
def test_accepts_up_to_72_bytes(size: int) -> None:
    password = ("Zq8-" + "pLm3xR7vT2nK" * 10)[:size]
    check_password_policy(password, "alice")


def test_refuses_73_bytes_with_a_clear_message() -> None:
    password = ("Zq8-" + "pLm3xR7vT2nK" * 10)[:73]
    with pytest.raises(ValidationFailed, match="at most 72 bytes") as raised:
        check_password_policy(password, "alice")
    assert raised.value.details["bytes"] == 73


def test_counts_bytes_not_characters() -> None:
    # 25 characters of 3 bytes each: 75 bytes, over bcrypt's limit.
    with pytest.raises(ValidationFailed, match="72 bytes"):
        check_password_policy("€" * 25, "alice")
    # 24 distinct 3-byte characters: exactly 72 bytes, and not guessable.
    check_password_policy("漢字仮名交混文書体系列春夏秋冬東西南北上下左右前", "alice")


def test_refuses_a_password_containing_the_username() -> None:
    with pytest.raises(ValidationFailed, match="username"):
        check_password_policy("xX-Alice-Lantern-Orbit-91", "alice")


def test_refuses_a_guessable_password_with_advice() -> None:
    with pytest.raises(ValidationFailed, match="too easy") as raised:
        check_password_policy("password1234", "alice")
    details = raised.value.details
    assert details["score"] < 3
    assert isinstance(details["suggestions"], list)


async def test_hashes_verify_and_differ_each_time() -> None:
    hasher = PasswordHasher(cost=4)
    first, second = await hasher.hash(STRONG), await hasher.hash(STRONG)
    assert first != second
    assert await hasher.verify(STRONG, first)
    assert not await hasher.verify(STRONG + "x", first)


async def test_verifying_without_a_hash_says_no() -> None:
    assert not await PasswordHasher(cost=4).verify(STRONG, None)
