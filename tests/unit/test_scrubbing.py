"""The scrubber: every form an echo gives a stored secret comes out as "********"."""

import base64
import json
from urllib.parse import quote, quote_plus

from envdeck.adapters.secret_box import MASK
from envdeck.services.inventory.scrubbing import Scrubber

SECRET = "s3cret/päss+word=1"


def test_it_masks_a_secret_as_is_and_in_its_encoded_forms() -> None:
    raw = SECRET.encode()
    echoes = [
        SECRET,
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        json.dumps(SECRET)[1:-1],
    ]
    scrubber = Scrubber([SECRET])

    assert [scrubber.scrub(f"<{echo}>") for echo in echoes] == [f"<{MASK}>"] * len(echoes)


def test_it_masks_the_credential_of_a_scheme_and_what_basic_carries() -> None:
    basic = base64.b64encode(b"deploy:hunter22").decode()
    scrubber = Scrubber(["Bearer tok-123456", f"Basic {basic}"])

    text = scrubber.scrub("token tok-123456, user deploy:hunter22, password hunter22")

    assert text == f"token {MASK}, user {MASK}, password {MASK}"


def test_a_longer_secret_is_masked_whole_before_one_it_contains() -> None:
    scrubber = Scrubber(["abcd", "abcdefgh"])
    assert scrubber.scrub("xx abcdefgh yy abcd") == f"xx {MASK} yy {MASK}"


def test_very_short_secrets_and_no_secrets_leave_text_alone() -> None:
    assert Scrubber(["42", ""]).scrub("answer 42") == "answer 42"
    assert not Scrubber([])
    assert Scrubber([]).scrub("anything") == "anything"
