"""Header values whose name looks secret are sealed, masked, and kept by the mask."""

import pytest

from envdeck.adapters.secret_box import MASK, SecretBox, is_sealed
from envdeck.domain.errors import ValidationFailed
from envdeck.services.inventory.secret_headers import (
    is_secret_header,
    mask_headers,
    open_headers,
    seal_headers,
)

BOX = SecretBox(bytes(range(32)))


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "authorization",
        "Proxy-Authorization",
        "Cookie",
        "X-Api-Key",
        "X-Auth-Token",
        "X-Client-Secret",
        "X-Password",
        "X-Passwd",
        "Private-TOKEN",
    ],
)
def test_names_that_look_secret_are_secret(name: str) -> None:
    assert is_secret_header(name)


@pytest.mark.parametrize("name", ["Accept", "Content-Type", "User-Agent", "X-Request-Id"])
def test_ordinary_names_are_not_secret(name: str) -> None:
    assert not is_secret_header(name)


def test_secret_values_are_sealed_and_others_kept_as_they_are() -> None:
    stored = seal_headers({"Authorization": "Bearer abc", "Accept": "text/plain"}, {}, BOX, "h")

    assert stored["Accept"] == "text/plain"
    assert is_sealed(stored["Authorization"])
    assert BOX.open(stored["Authorization"]) == "Bearer abc"


def test_the_mask_keeps_the_stored_secret() -> None:
    stored = seal_headers({"Authorization": "Bearer abc"}, {}, BOX, "h")

    again = seal_headers({"Authorization": MASK}, stored, BOX, "h")

    assert again == stored


def test_a_new_value_replaces_the_stored_secret() -> None:
    stored = seal_headers({"Authorization": "Bearer abc"}, {}, BOX, "h")

    again = seal_headers({"Authorization": "Bearer xyz"}, stored, BOX, "h")

    assert BOX.open(again["Authorization"]) == "Bearer xyz"


def test_the_mask_without_a_stored_value_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        seal_headers({"X-Api-Key": MASK}, {}, BOX, "healthCheck.headers")

    assert caught.value.details == {"field": "healthCheck.headers.X-Api-Key"}


def test_a_removed_header_is_gone() -> None:
    stored = seal_headers({"Authorization": "Bearer abc", "Accept": "*/*"}, {}, BOX, "h")

    assert seal_headers({"Accept": "*/*"}, stored, BOX, "h") == {"Accept": "*/*"}


def test_masked_output_hides_secrets_only() -> None:
    stored = seal_headers({"Cookie": "session=1", "Accept": "*/*"}, {}, BOX, "h")

    assert mask_headers(stored) == {"Cookie": MASK, "Accept": "*/*"}


def test_open_headers_gives_back_the_plaintext_for_sending() -> None:
    stored = seal_headers({"Cookie": "session=1", "Accept": "*/*"}, {}, BOX, "h")

    assert open_headers(stored, BOX) == {"Cookie": "session=1", "Accept": "*/*"}
