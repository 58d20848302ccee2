"""Shared building blocks of the entities: camelCase JSON, UTC millisecond times, pages."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

MAX_PAGE_LIMIT = 200
# Keeps (page - 1) * limit within the 64-bit integers both backends skip by.
MAX_PAGE = 10_000_000


def _to_utc_ms(value: datetime) -> datetime:
    # Naive times are taken as UTC; both backends keep milliseconds, so we never hold more.
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _format_utc(value: datetime) -> str:
    # Fixed width ("…T14:03:09.120Z") so stored strings sort in time order. Validated values are
    # already UTC; isoformat is the fast path (this runs for every stored log entry).
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_to_utc_ms),
    PlainSerializer(_format_utc, return_type=str, when_used="json"),
]


def _without_nul(text: str) -> str:
    # Neither SQLite's full-text queries nor MongoDB's regular expressions can hold a NUL.
    if "\x00" in text:
        raise ValueError("must not contain the NUL character")
    return text


# The `q` of a list: a substring to look for.
SearchText = Annotated[str, Field(max_length=200), AfterValidator(_without_nul)]


# Free-form JSON (metadata, request bodies) nests at most this deep. Deeper input is refused
# when it arrives: every recursive walk after it (serialisers, storage, secret sealing) would
# otherwise hit Python's recursion limit (a 500) on a document a few kilobytes long.
MAX_JSON_DEPTH = 32


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Return how deep value nests (a scalar is 0, [] and {} are 1), counting up to limit + 1.

    Iterative, so it measures input that a recursive walk could not.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest


def _bounded_depth(value: Any) -> Any:
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(
            f"nested too deeply: at most {MAX_JSON_DEPTH} levels of objects and arrays"
        )
    return value


# A free-form JSON value (a request body) or object (metadata): MAX_JSON_DEPTH levels at most.
JsonValue = Annotated[Any, AfterValidator(_bounded_depth)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_depth)]


def format_utc(value: datetime) -> str:
    """Return the fixed-width UTC string that JSON and SQLite use for a time."""
    return _format_utc(_to_utc_ms(value))


class DomainModel(BaseModel):
    """Base of every entity: snake_case in Python, camelCase in JSON, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        validate_assignment=True,
    )


class PageOptions(DomainModel):
    """A page of a list: page numbers 1 to MAX_PAGE, at most MAX_PAGE_LIMIT items a page."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_LIMIT)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit
