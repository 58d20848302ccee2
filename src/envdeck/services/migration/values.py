"""The original's BSON values as Envdeck's: ObjectIds as ids, times as UTC, the rest as JSON."""

import base64
import re
from datetime import UTC, datetime
from typing import Any

Document = dict[str, Any]


def mapping(value: Any) -> dict[str, Any]:
    """Return value if it is an object (a sub-document), else an empty one: a document of
    another shape is carried as far as it goes, never a crash."""
    return value if isinstance(value, dict) else {}


def plain(value: Any) -> Any:
    """Return a BSON value as JSON data (ObjectId and other BSON types as text)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def utc(value: datetime) -> datetime:
    # PyMongo hands back naive UTC times unless told otherwise.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def time_of(value: Any) -> datetime | None:
    if isinstance(value, str):  # sent as JSON (source.as_json)
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    at = utc(value)
    return None if at.year < 1971 else at  # Go's zero time (0001-01-01) means "never"


def object_id(value: Any) -> str | None:
    """Return an ObjectId (or its 24-hex text) as Envdeck's id, None for anything else."""
    text = str(value).lower() if value is not None else ""
    return text if re.fullmatch(r"[0-9a-f]{24}", text) else None
