"""The activity log's read path: filtered pages, counts, one entry, exports, the unread marker."""

import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from enum import StrEnum

from envdeck.domain.base import format_utc
from envdeck.domain.log import LogCounts, LogEntry, LogFilter, LogListOptions, UnreadLogs
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


class ActivityQueries:
    """Reads the activity log for the API (the writes are ActivityLog's)."""

    def __init__(self, storage: Storage, clock: Callable[[], datetime]) -> None:
        self._logs = storage.logs
        self._users = storage.users
        self._clock = clock

    async def list_logs(self, options: LogListOptions) -> tuple[list[LogEntry], int]:
        """Return one page of matching entries, newest first, and the total that match."""
        return await self._logs.list(options)

    async def count_logs(self, log_filter: LogFilter) -> LogCounts:
        """Return how many entries match, in all, by type and by level."""
        return await self._logs.summarize(log_filter)

    async def get_log(self, log_id: str) -> LogEntry:
        """Return one entry (LogNotFound if there is none)."""
        return await self._logs.get_by_id(log_id)

    async def export(self, log_filter: LogFilter, fmt: ExportFormat) -> AsyncIterator[str]:
        """Return the matching entries, newest first, as chunks of CSV (with a header row) or
        NDJSON text.

        The first batch is read before this returns, so an unreachable storage is an error the
        caller can still answer with; the rest is read one batch at a time as it is consumed,
        so an export of any size holds one batch in memory.
        """
        batches = self._logs.iterate(log_filter, EXPORT_BATCH)
        first = await anext(batches, None)
        return _render(first, batches, fmt)

    async def unread(self, user_id: str) -> UnreadLogs:
        """Return how many entries others made since the user last read the log (capped).

        A user who never marked the log read counts from when their account was created.
        """
        user = await self._users.get_by_id(user_id)
        since = user.logs_read_at or user.created_at
        count = await self._logs.count_unread(since, user_id, UNREAD_CAP)
        return UnreadLogs(count=count, since=since)

    async def mark_read(self, user_id: str) -> None:
        """Set the user's read marker to now."""
        await self._users.set_logs_read_at(user_id, self._clock())

    def export_filename(self, fmt: ExportFormat) -> str:
        """Return the download's file name, stamped with the time of the export."""
        stamp = self._clock().strftime("%Y%m%dT%H%M%SZ")
        return f"envdeck-activity-{stamp}.{fmt.value}"
