"""Header values that look secret are sealed at rest and shown masked.

A header is secret when its name is Authorization, Cookie or Proxy-Authorization, or contains
token, key, secret, password, passwd or auth (case-insensitive). On update, a value of
"********" keeps the stored secret; any other value replaces it.
"""

import re

from envdeck.adapters.secret_box import MASK, SecretBox, is_sealed
from envdeck.domain.errors import ValidationFailed

_SECRET_NAME = re.compile(r"authorization|cookie|token|key|secret|passw|auth", re.IGNORECASE)


def is_secret_header(name: str) -> bool:
    """Tell whether a header's value must be kept secret."""
    return bool(_SECRET_NAME.search(name))


def seal_headers(
    incoming: dict[str, str], stored: dict[str, str], box: SecretBox, field: str
) -> dict[str, str]:
    """Return the headers to store: secret values sealed, masked values kept from stored."""
    result: dict[str, str] = {}
    for name, value in incoming.items():
        if not is_secret_header(name):
            result[name] = value
        elif value == MASK:
            kept = stored.get(name)
            if kept is None or not is_sealed(kept):
                raise ValidationFailed(
                    f"{field}.{name}: {MASK} keeps a stored value, but none is stored",
                    {"field": f"{field}.{name}"},
                )
            result[name] = kept
        else:
            result[name] = box.seal(value)
    return result


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    """Return headers as the API shows them: secret values replaced by the mask."""
    return {name: MASK if is_secret_header(name) else value for name, value in headers.items()}


def open_headers(headers: dict[str, str], box: SecretBox) -> dict[str, str]:
    """Return headers with their secrets decrypted, for sending a request (never for showing)."""
    return {name: box.open(value) if is_sealed(value) else value for name, value in headers.items()}
