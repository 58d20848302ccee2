"""Stored secrets kept out of what targets send back.

A target may echo what it receives (an echo endpoint, a debug page, an error quoting the
request). Everything Envdeck shows or stores of an answer (a check's message, version and body
excerpt, an HTTP operation's output and error, a version list's values and errors) goes through
the environment's `Scrubber`, which replaces every stored secret of that environment by
"********" in the forms an echo takes: as is; base64, standard and URL-safe, padded or not
(also of `user:password`, as Basic authentication sends a URL's user-info); URL-encoded; and
JSON-escaped. For a value like `Bearer <token>` or `Basic <base64>` the credential alone (and
what a Basic credential decodes to) is scrubbed too.

Secrets shorter than MIN_LENGTH are left: masking every "42" of an answer would make it
unreadable, and a secret that short is no secret.
"""

import base64
import binascii
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from envdeck.adapters.secret_box import MASK

MIN_LENGTH = 4


def _encodings(secret: str) -> set[str]:
    raw = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms |= {text, text.rstrip("=")}
    escaped = json.dumps(secret)[1:-1]
    forms |= {escaped, json.dumps(secret, ensure_ascii=False)[1:-1]}
    return forms


def _parts(secret: str) -> set[str]:
    """Return the secret and what it carries: the credential of "Scheme credential", and what a
    Basic credential decodes to (user:password, and the password)."""
    found = {secret}
    scheme, space, credential = secret.partition(" ")
    if space and credential:
        found.add(credential)
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            if decoded:
                found |= {decoded, decoded.partition(":")[2]}
    return found


class Scrubber:
    """Replaces the given secrets, in every form an echo takes, by the mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            for part in _parts(secret):
                if len(part) >= MIN_LENGTH:
                    forms |= _encodings(part)
        # Longest first: a secret that contains another is replaced whole.
        ordered = sorted((f for f in forms if len(f) >= MIN_LENGTH), key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        # A cut taken this much past a limit holds every secret that starts before it whole.
        self.margin = max(map(len, ordered), default=0)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def scrub(self, text: str) -> str:
        """Return text with every form of every secret replaced by "********"."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)


NOTHING = Scrubber(())
