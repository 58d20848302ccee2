"""Identifiers: 24-hex ObjectId strings on every backend."""

import re

from bson import ObjectId

_ID = re.compile(r"^[0-9a-f]{24}$")


def new_id() -> str:
    """Return a fresh, time-ordered 24-hex id."""
    return str(ObjectId())


def is_valid_id(value: str) -> bool:
    """Tell whether value has the shape of an id (lowercase 24-hex)."""
    return bool(_ID.match(value))
