"""The activity log in SQLite: batched inserts, index-served filters, newest first.

Every equality filter leads an index ending in (timestamp DESC, id DESC), and the date range
is a range on that suffix, so a filtered page, and each batch of an export (keyset pagination
on timestamp and id), is read straight off one index. Text search goes through the trigram
FTS5 table `logs_fts`; counts by type, level and action go through the hourly rollup
`log_counts` (both kept by triggers, see schema.py).
"""

import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from envdeck.domain.attention import ATTENTION_RULES
from envdeck.domain.base import format_utc
from envdeck.domain.errors import LogNotFound
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogBatch, LogCounts, LogEntry, LogFilter, LogListOptions
from envdeck.repositories.sqlite.database import SqliteDatabase
from envdeck.repositories.sqlite.documents import DocumentTable, dump, escape_like

_NEWEST_FIRST = "timestamp DESC, id DESC"
# The trigram tokenizer indexes substrings of three characters: a shorter text is matched
# with LIKE, which reads every row (the API asks for three characters at least).
_TRIGRAM = 3
# Entries deleted per statement when purging: other writes get the lock between chunks.
PURGE_CHUNK = 5000
_FTS_MATCHES = "SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?"
# A page's search matches, found once and used by both the count and the page.
_SAVED_TABLE = "log_matches"
_SAVED_MATCHES = f"temp.{_SAVED_TABLE}"
# A search matching more entries than this is paged by scanning the time index (see above).
FEW_MATCHES = 500
_HOUR = timedelta(hours=1)
_MS = timedelta(milliseconds=1)

Params = list[str]


def _fts_phrase(text: str) -> str:
    # One FTS5 phrase: the text as a contiguous substring, its quotes doubled.
    return '"' + text.replace('"', '""') + '"'


def _searches_text(log_filter: LogFilter) -> bool:
    return bool(log_filter.q) and len(log_filter.q or "") >= _TRIGRAM


def _text_clause(q: str, by_time: bool, saved: bool) -> tuple[str, Params]:
    if len(q) >= _TRIGRAM:
        # Either the matches are looked up (and sorted): best when they are few; or `+rowid`
        # keeps SQLite on the time index (or another filter's), checking each entry against
        # the matches until the page is full: best when they are many, and for exports.
        rowid = "+rowid" if by_time else "rowid"
        if saved:
            return f"{rowid} IN {_SAVED_MATCHES}", []
        return f"{rowid} IN ({_FTS_MATCHES})", [_fts_phrase(q)]
    clause = (
        "(message LIKE ? ESCAPE '\\' OR environment_name LIKE ? ESCAPE '\\'"
        " OR username LIKE ? ESCAPE '\\')"
    )
    return clause, [escape_like(q)] * 3


def _save_matches(conn: sqlite3.Connection, q: str) -> None:
    """Keep the entries matching q in a temporary table of this connection (its one thread
    runs one repository call at a time, so the table is this call's alone)."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_SAVED_TABLE} (id INTEGER PRIMARY KEY)")
    conn.execute(f"DELETE FROM {_SAVED_MATCHES}")  # noqa: S608
    conn.execute(f"INSERT INTO {_SAVED_MATCHES} {_FTS_MATCHES}", [_fts_phrase(q)])


def _equalities(log_filter: LogFilter) -> list[tuple[str, str]]:
    """Return the (column, value) equality filters, the one whose index to use first.

    The most selective filter leads (an environment or a user before an action, an action
    before a type or level); the others are written `+column` in SQL, which keeps SQLite from
    choosing their less selective index without statistics to tell it so.
    """
    pairs = [
        ("environment_id", log_filter.environment_id),
        ("user_id", log_filter.user_id),
        ("action", log_filter.action),
        ("type", log_filter.type),
        ("level", log_filter.level),
    ]
    return [(column, str(value)) for column, value in pairs if value is not None]


def _attention_clause() -> tuple[str, Params]:
    """Return the clause of the entries that need a person: one term per rule, each on columns
    that the rollup has too (type, level, action) and led by an action, which has an index."""
    terms: list[str] = []
    params: Params = []
    for rule in ATTENTION_RULES:
        parts = [f"action IN ({', '.join('?' * len(rule.actions))})", "type = ?"]
        params += [*rule.actions, rule.type.value]
        if rule.levels:
            parts.append(f"level IN ({', '.join('?' * len(rule.levels))})")
            params += [level.value for level in rule.levels]
        terms.append(f"({' AND '.join(parts)})")
    return f"({' OR '.join(terms)})", params


def _equality_clauses(log_filter: LogFilter, *, use_index: bool = True) -> tuple[list[str], Params]:
    clauses: list[str] = []
    params: Params = []
    for n, (column, value) in enumerate(_equalities(log_filter)):
        # type and level share logs_type_level_time: both may use it.
        leads = use_index and (n == 0 or (column == "level" and clauses == ["type = ?"]))
        clauses.append(f"{column} = ?" if leads else f"+{column} = ?")
        params.append(value)
    if log_filter.exclude_actions:
        # Checked on the rows the other filters' index yields (rare actions: few are skipped).
        marks = ", ".join("?" * len(log_filter.exclude_actions))
        clauses.append(f"+action NOT IN ({marks})")
        params += log_filter.exclude_actions
    if log_filter.attention:
        clause, rule_params = _attention_clause()
        clauses.append(clause)
        params += rule_params
    return clauses, params


def _where(
    log_filter: LogFilter, *, by_time: bool = False, saved: bool = False
) -> tuple[str, Params]:
    clauses, params = _equality_clauses(log_filter)
    if log_filter.start_date is not None:
        clauses.append("timestamp >= ?")
        params.append(format_utc(log_filter.start_date))
    if log_filter.end_date is not None:
        clauses.append("timestamp <= ?")
        params.append(format_utc(log_filter.end_date))
    if log_filter.q:
        clause, text_params = _text_clause(log_filter.q, by_time, saved)
        clauses.append(clause)
        params += text_params
    return " AND ".join(clauses) or "1", params


# --- counting -----------------------------------------------------------------------------
#
# log_counts holds, per hour (the first 13 characters of the timestamp) and per type, level and
# action, how many entries there are. A filter of only those fields and a date range is counted
# from it: the whole hours inside the range from the rollup, the partial hours at its two ends
# from the log itself. Any other filter (environment, user, text) counts matching entries.


def _hour_key(at: datetime) -> str:
    return format_utc(at)[:13]


def _floor_hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _rolled_up(log_filter: LogFilter) -> bool:
    return not (log_filter.environment_id or log_filter.user_id or log_filter.q)


def _group_parts(log_filter: LogFilter) -> tuple[list[str], Params]:
    """Return SELECTs of (type, level, n) rows whose sums by type and level count the filter."""
    if not _rolled_up(log_filter):
        # A search with other filters checks the matches along their index (see _text_clause).
        where, params = _where(log_filter, by_time=_others(log_filter))
        return [f"SELECT type, level, 1 AS n FROM logs WHERE {where}"], params  # noqa: S608
    start, end = log_filter.start_date, log_filter.end_date
    # [first_hour, end_hour) is the run of whole hours inside the range.
    first_hour = None if start is None else _floor_hour(start - _MS) + _HOUR
    end_hour = None if end is None else _floor_hour(end + _MS)
    if first_hour is not None and end_hour is not None and first_hour >= end_hour:
        return _logs_part(log_filter, start, end, end_inclusive=True)
    equal, params = _equality_clauses(log_filter, use_index=False)
    rollup = [c.lstrip("+") for c in equal]
    if first_hour is not None:
        rollup.append("hour >= ?")
        params.append(_hour_key(first_hour))
    if end_hour is not None:
        rollup.append("hour < ?")
        params.append(_hour_key(end_hour))
    where = " AND ".join(rollup) or "1"
    parts = [f"SELECT type, level, n FROM log_counts WHERE {where}"]  # noqa: S608
    for edge_start, edge_end, inclusive in ((start, first_hour, False), (end_hour, end, True)):
        if (
            edge_start is not None
            and edge_end is not None
            and (edge_start < edge_end or (inclusive and edge_start == edge_end))
        ):
            edge_parts, edge_params = _logs_part(log_filter, edge_start, edge_end, inclusive)
            parts += edge_parts
            params += edge_params
    return parts, params


def _logs_part(
    log_filter: LogFilter, start: datetime | None, end: datetime | None, end_inclusive: bool
) -> tuple[list[str], Params]:
    # Some of an hour or two: read off the timestamp index, the other filters checked per row.
    clauses, params = _equality_clauses(log_filter, use_index=False)
    if start is not None:
        clauses.append("timestamp >= ?")
        params.append(format_utc(start))
    if end is not None:
        clauses.append("timestamp <= ?" if end_inclusive else "timestamp < ?")
        params.append(format_utc(end))
    where = " AND ".join(clauses)
    return [f"SELECT type, level, 1 AS n FROM logs WHERE {where}"], params  # noqa: S608


def _others(log_filter: LogFilter) -> bool:
    """Tell whether the filter has anything besides q."""
    return (
        bool(_equalities(log_filter))
        or bool(log_filter.start_date or log_filter.end_date)
        or bool(log_filter.exclude_actions)
        or log_filter.attention
    )


def _count_sql(log_filter: LogFilter, *, saved: bool = False) -> tuple[str, Params]:
    if _searches_text(log_filter) and not _others(log_filter):
        # A search alone: logs_fts has one row per entry, so count its matches.
        if saved:
            return f"SELECT count(*) FROM {_SAVED_MATCHES}", []  # noqa: S608
        return f"SELECT count(*) FROM ({_FTS_MATCHES})", [_fts_phrase(log_filter.q or "")]  # noqa: S608
    if not _rolled_up(log_filter):
        where, params = _where(log_filter, by_time=True, saved=saved)
        return f"SELECT count(*) FROM logs WHERE {where}", params  # noqa: S608
    parts, params = _group_parts(log_filter)
    return f"SELECT coalesce(sum(n), 0) FROM ({' UNION ALL '.join(parts)})", params  # noqa: S608


def _groups_sql(log_filter: LogFilter) -> tuple[str, Params]:
    parts, params = _group_parts(log_filter)
    union = " UNION ALL ".join(parts)
    return f"SELECT type, level, sum(n) FROM ({union}) GROUP BY type, level", params  # noqa: S608


BatchRow = tuple[str, str, str]  # id, doc, timestamp
DocRow = tuple[str, str]  # id, doc


def _batch_reader(
    where: str, params: list[str], after: tuple[str, str] | None, batch_size: int
) -> Callable[[sqlite3.Connection], list[BatchRow]]:
    """Return a read of the next batch (id, doc, timestamp) newest first, after a cursor."""
    if after is not None:
        # A row-value comparison: SQLite serves it as a range on the index's suffix.
        where, params = f"{where} AND (timestamp, id) < (?, ?)", [*params, *after]
    sql = (
        f"SELECT id, doc, timestamp FROM logs WHERE {where}"  # noqa: S608
        f" ORDER BY {_NEWEST_FIRST} LIMIT ?"
    )

    def read(conn: sqlite3.Connection) -> list[BatchRow]:
        return conn.execute(sql, (*params, batch_size)).fetchall()

    return read


def read_page(conn: sqlite3.Connection, options: LogListOptions) -> tuple[list[DocRow], int]:
    """Return the (id, doc) rows of one page, newest first, and the total that match."""
    saved = _searches_text(options)
    if saved:
        _save_matches(conn, options.q or "")
    (total,) = conn.execute(*_count_sql(options, saved=saved)).fetchone()
    where, params = _where(options, by_time=total > FEW_MATCHES, saved=saved)
    sql = f"SELECT id, doc FROM logs WHERE {where} ORDER BY {_NEWEST_FIRST} LIMIT ? OFFSET ?"  # noqa: S608
    rows = conn.execute(sql, (*params, options.limit, options.offset)).fetchall()
    return rows, int(total)


def _with_id(entry: LogEntry) -> LogEntry:
    # The activity log names entries when it records them; anything else gets an id here.
    return entry if entry.id else entry.model_copy(update={"id": new_id()})


class SqliteLogRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self._table = DocumentTable(db, "logs", LogEntry, LogNotFound)

    async def create(self, entry: LogEntry) -> LogEntry:
        return await self._table.insert(_with_id(entry))

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        stored = [_with_id(entry) for entry in entries]
        rows = [(entry.id, dump(entry)) for entry in stored]

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                # An id already stored is an entry already written: a retried batch is a no-op.
                conn.executemany("INSERT OR IGNORE INTO logs (id, doc) VALUES (?, ?)", rows)

        if rows:
            await self._db.run(write)
        return stored

    async def get_by_id(self, log_id: str) -> LogEntry:
        return await self._table.get(log_id)

    async def list(self, options: LogListOptions) -> tuple[list[LogEntry], int]:
        rows, total = await self._db.run(lambda conn: read_page(conn, options))
        return [self._table.load(*row) for row in rows], total

    async def iterate(self, log_filter: LogFilter, batch_size: int) -> AsyncIterator[LogBatch]:
        where, params = _where(log_filter, by_time=True)
        after: tuple[str, str] | None = None
        while True:
            rows = await self._db.run(_batch_reader(where, params, after, batch_size))
            if rows:
                yield [self._table.load(row_id, doc) for row_id, doc, _ in rows]
            if len(rows) < batch_size:
                return
            last_id, _, last_timestamp = rows[-1]
            after = (last_timestamp, last_id)

    async def count(self, log_filter: LogFilter) -> int:
        sql, params = _count_sql(log_filter)
        row = await self._db.run(lambda c: c.execute(sql, params).fetchone())
        return int(row[0])

    async def summarize(self, log_filter: LogFilter) -> LogCounts:
        sql, params = _groups_sql(log_filter)
        rows = await self._db.run(lambda c: c.execute(sql, params).fetchall())
        return LogCounts.of({(str(t), str(lv)): int(n) for t, lv, n in rows})

    async def count_unread(
        self,
        since: datetime | None,
        user_id: str,
        cap: int,
        exclude_actions: tuple[str, ...] = (),
        *,
        attention: bool = False,
    ) -> int:
        clauses = ["(user_id IS NULL OR user_id != ?)"]
        params: list[object] = [user_id]
        if attention:
            clause, rule_params = _attention_clause()
            clauses.append(clause)
            params += rule_params
        if since is not None:
            clauses.append("timestamp > ?")
            params.append(format_utc(since))
        if exclude_actions:
            clauses.append(f"action NOT IN ({', '.join('?' * len(exclude_actions))})")
            params += exclude_actions
        sql = f"SELECT count(*) FROM (SELECT 1 FROM logs WHERE {' AND '.join(clauses)} LIMIT ?)"  # noqa: S608
        row = await self._db.run(lambda c: c.execute(sql, (*params, cap)).fetchone())
        return int(row[0])

    async def delete_before(self, cutoff: datetime) -> int:
        sql = "DELETE FROM logs WHERE rowid IN (SELECT rowid FROM logs WHERE timestamp < ? LIMIT ?)"
        params = (format_utc(cutoff), PURGE_CHUNK)
        deleted = 0
        while True:
            cursor = await self._db.run(lambda c: c.execute(sql, params))
            deleted += int(cursor.rowcount)
            if cursor.rowcount < PURGE_CHUNK:
                break
        # The rollup's hours that the purge emptied.
        await self._db.run(lambda c: c.execute("DELETE FROM log_counts WHERE n <= 0"))
        return deleted

    async def expire_after(self, retention: timedelta) -> bool:
        # SQLite has no expiry of its own: the retention service purges with delete_before.
        return False
