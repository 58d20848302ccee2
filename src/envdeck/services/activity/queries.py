"""The activity log's read path: filtered pages, counts, one entry, exports, the unread marker."""

import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from envdeck.domain.base import format_utc
from envdeck.domain.errors import LogNotFound
from envdeck.domain.log import (
    ADMIN_ONLY_ACTIONS,
    LogCounts,
    LogEntry,
    LogFilter,
    LogListOptions,
    UnreadLogs,
)
from envdeck.domain.user import Role
from envdeck.repositories.base import Storage

# Entries read per query while exporting: memory holds one batch, whatever the export's size.
EXPORT_BATCH = 1000
# The notification bell shows "999+" past this; counting further would cost for nothing.
UNREAD_CAP = 1000

CSV_COLUMNS = (
    "timestamp",
    "level",
    "type",
    "action",
    "environmentName",
    "environmentId",
    "username",
    "userId",
    "message",
    "details",
)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.NDJSON: "application/x-ndjson",
}


def _cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_row(entry: LogEntry) -> list[str]:
    return [
        format_utc(entry.timestamp),
        entry.level.value,
        entry.type.value,
        entry.action,
        _cell(entry.environment_name),
        entry.environment_id or "",
        _cell(entry.username),
        entry.user_id or "",
        _cell(entry.message),
        json.dumps(entry.details, separators=(",", ":"), sort_keys=True, default=str),
    ]


def _csv_chunk(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


async def _render(
    first: list[LogEntry] | None, rest: AsyncIterator[list[LogEntry]], fmt: ExportFormat
) -> AsyncIterator[str]:
    if fmt is ExportFormat.CSV:
        yield _csv_chunk([list(CSV_COLUMNS)])
    if first is None:
        return
    yield _format(first, fmt)
    async for batch in rest:
        yield _format(batch, fmt)


def _format(batch: list[LogEntry], fmt: ExportFormat) -> str:
    if fmt is ExportFormat.CSV:
        return _csv_chunk([_csv_row(entry) for entry in batch])
    return "".join(entry.model_dump_json(by_alias=True) + "\n" for entry in batch)


F = TypeVar("F", bound=LogFilter)


def hidden_from(role: Role) -> tuple[str, ...]:
    """Return the actions whose entries a reader of this role may not see."""
    return () if role is Role.ADMIN else ADMIN_ONLY_ACTIONS


def visible_to(entry: LogEntry, role: Role) -> bool:
    """Tell whether a reader of this role may see an entry."""
    return entry.action not in hidden_from(role)


def _for(log_filter: F, role: Role) -> F:
    return log_filter.model_copy(update={"exclude_actions": hidden_from(role)})


class ActivityQueries:
    """Reads the activity log for the API (the writes are ActivityLog's).

    Every read takes the reader's role: entries of ADMIN_ONLY_ACTIONS (failed sign-ins and
    password changes) are left out of lists, counts and exports, and not found one by one,
    for anyone but an admin.
    """

    def __init__(self, storage: Storage, clock: Callable[[], datetime]) -> None:
        self._logs = storage.logs
        self._users = storage.users
        self._clock = clock

    async def list_logs(self, options: LogListOptions, role: Role) -> tuple[list[LogEntry], int]:
        """Return one page of matching entries, newest first, and the total that match."""
        return await self._logs.list(_for(options, role))

    async def count_logs(self, log_filter: LogFilter, role: Role) -> LogCounts:
        """Return how many entries match, in all, by type and by level."""
        return await self._logs.summarize(_for(log_filter, role))

    async def get_log(self, log_id: str, role: Role) -> LogEntry:
        """Return one entry (LogNotFound if there is none the reader may see)."""
        entry = await self._logs.get_by_id(log_id)
        if not visible_to(entry, role):
            raise LogNotFound()
        return entry

    async def export(
        self, log_filter: LogFilter, fmt: ExportFormat, role: Role
    ) -> AsyncIterator[str]:
        """Return the matching entries, newest first, as chunks of CSV (with a header row) or
        NDJSON text.

        The first batch is read before this returns, so an unreachable storage is an error the
        caller can still answer with; the rest is read one batch at a time as it is consumed,
        so an export of any size holds one batch in memory.
        """
        batches = self._logs.iterate(_for(log_filter, role), EXPORT_BATCH)
        first = await anext(batches, None)
        return _render(first, batches, fmt)

    async def unread(self, user_id: str, role: Role) -> UnreadLogs:
        """Return how many entries that need a person (domain/attention.py) others made since
        the user last read the log (capped).

        A user who never marked the log read counts from when their account was created.
        """
        user = await self._users.get_by_id(user_id)
        since = user.logs_read_at or user.created_at
        count = await self._logs.count_unread(
            since, user_id, UNREAD_CAP, hidden_from(role), attention=True
        )
        return UnreadLogs(count=count, since=since)

    async def mark_read(self, user_id: str) -> None:
        """Set the user's read marker to now."""
        await self._users.set_logs_read_at(user_id, self._clock())

    def export_filename(self, fmt: ExportFormat) -> str:
        """Return the download's file name, stamped with the time of the export."""
        stamp = self._clock().strftime("%Y%m%dT%H%M%SZ")
        return f"envdeck-activity-{stamp}.{fmt.value}"
