"""Time helpers: everything stored is UTC, millisecond precision (what both backends keep)."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Return the current UTC time truncated to milliseconds."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
