"""The activity log: filtered pages, counts, one entry, exports, and the unread marker.

Anyone signed in reads the log (DESIGN §5: a viewer reads everything non-secret; entries never
hold secrets), except entries only admins may read (failed sign-ins and password changes,
ActivityQueries says which).
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi.responses import StreamingResponse
from pydantic import Field

from envdeck.api.deps import ActivityQueriesDep, ViewerPrincipal
from envdeck.api.responses import json_response
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.attention import needs_attention
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.log import (
    ACTION_PATTERN,
    LogEntry,
    LogFilter,
    LogLevel,
    LogListOptions,
    LogType,
)
from envdeck.domain.user import Role
from envdeck.services.activity.queries import MEDIA_TYPES, ActivityQueries, ExportFormat

router = APIRouter(tags=["logs"])

ID_PATTERN = r"^[0-9a-f]{24}$"
# Shorter texts cannot use SQLite's trigram index: each would read the whole log.
MIN_SEARCH = 3


class LogEntryPublic(ApiModel):
    """One activity-log entry: who did what, to which environment, and how it went."""

    id: str
    timestamp: UtcDatetime
    environment_id: str | None
    environment_name: str | None
    user_id: str | None
    username: str | None
    type: LogType
    level: LogLevel
    action: str
    message: str
    details: dict[str, Any]
    attention: bool = Field(
        description="it needs a person (the notification bell counts it): an unhealthy"
        " transition, a failed operation, a reservation that ended or was broken"
    )


def _public(entry: LogEntry) -> LogEntryPublic:
    # Entries come validated from storage: re-type them without validating again.
    return LogEntryPublic.model_construct(**dict(entry), attention=needs_attention(entry))


class LogList(ApiModel):
    logs: list[LogEntryPublic]
    pagination: Pagination


class LogCountsPublic(ApiModel):
    total: int
    by_type: dict[str, int]
    by_level: dict[str, int]


class UnreadLogsPublic(ApiModel):
    count: int
    since: UtcDatetime | None


async def shared_filter(
    type_: Annotated[LogType | None, Query(alias="type")] = None,
    level: LogLevel | None = None,
    action: Annotated[str | None, Query(pattern=ACTION_PATTERN)] = None,
    user_id: Annotated[str | None, Query(alias="userId", pattern=ID_PATTERN)] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=MIN_SEARCH,
            max_length=200,
            description="text in the message, environment name or username, any case"
            f" (at least {MIN_SEARCH} characters: a substring index of trigrams serves it)",
        ),
    ] = None,
    start_date: Annotated[
        datetime | None, Query(alias="startDate", description="inclusive")
    ] = None,
    end_date: Annotated[datetime | None, Query(alias="endDate", description="inclusive")] = None,
    attention: Annotated[
        bool, Query(description="only the entries that need a person (what the bell counts)")
    ] = False,
) -> LogFilter:
    """Return the filter that every log route takes (the environment aside)."""
    return LogFilter(
        type=type_,
        level=level,
        action=action,
        user_id=user_id,
        q=q,
        start_date=start_date,
        end_date=end_date,
        attention=attention,
    )


async def log_filter(
    shared: Annotated[LogFilter, Depends(shared_filter)],
    environment_id: Annotated[str | None, Query(alias="environmentId", pattern=ID_PATTERN)] = None,
) -> LogFilter:
    return shared.model_copy(update={"environment_id": environment_id})


FilterDep = Annotated[LogFilter, Depends(log_filter)]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)]


async def _page(
    queries: ActivityQueries, log_filter: LogFilter, page: int, limit: int, role: Role
) -> Response:
    options = LogListOptions(**log_filter.model_dump(), page=page, limit=limit)
    entries, total = await queries.list_logs(options, role)
    return json_response(
        LogList.model_construct(
            logs=[_public(e) for e in entries], pagination=pagination(page, limit, total)
        )
    )


@router.get(
    "/logs",
    response_model=LogList,
    responses=error_responses(401),
    summary="List activity-log entries, newest first",
)
async def list_logs(
    viewer: ViewerPrincipal,
    queries: ActivityQueriesDep,
    log_filter: FilterDep,
    page: Page = 1,
    limit: Limit = 20,
) -> Response:
    return await _page(queries, log_filter, page, limit, viewer.role)


@router.get(
    "/logs/count",
    response_model=LogCountsPublic,
    responses=error_responses(401),
    summary="Count activity-log entries: in all, by type and by level",
)
async def count_logs(
    viewer: ViewerPrincipal, queries: ActivityQueriesDep, log_filter: FilterDep
) -> LogCountsPublic:
    counts = await queries.count_logs(log_filter, viewer.role)
    return LogCountsPublic(total=counts.total, by_type=counts.by_type, by_level=counts.by_level)


_EXPORT_CONTENT: dict[str, Any] = {
    media_type.split(";")[0]: {"schema": {"type": "string"}} for media_type in MEDIA_TYPES.values()
}


@router.get(
    "/logs/export",
    response_class=StreamingResponse,
    responses={200: {"content": _EXPORT_CONTENT}, **error_responses(401)},
    summary="Download the filtered activity log as CSV or NDJSON, newest first",
)
async def export_logs(
    viewer: ViewerPrincipal,
    queries: ActivityQueriesDep,
    log_filter: FilterDep,
    format_: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV,
) -> StreamingResponse:
    chunks = await queries.export(log_filter, format_, viewer.role)
    disposition = f'attachment; filename="{queries.export_filename(format_)}"'
    return StreamingResponse(
        chunks, media_type=MEDIA_TYPES[format_], headers={"Content-Disposition": disposition}
    )


@router.get(
    "/logs/unread",
    response_model=UnreadLogsPublic,
    responses=error_responses(401),
    summary="How many entries that need a person others made since you last marked the log"
    " read (at most 1000)",
)
async def unread_logs(principal: ViewerPrincipal, queries: ActivityQueriesDep) -> UnreadLogsPublic:
    unread = await queries.unread(principal.user_id, principal.role)
    return UnreadLogsPublic(count=unread.count, since=unread.since)


@router.post(
    "/logs/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401),
    summary="Mark the activity log read up to now (resets your unread count)",
)
async def mark_logs_read(principal: ViewerPrincipal, queries: ActivityQueriesDep) -> Response:
    await queries.mark_read(principal.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/logs/{log_id}",
    response_model=LogEntryPublic,
    responses=error_responses(401, 404),
    summary="Get one activity-log entry",
)
async def get_log(log_id: str, viewer: ViewerPrincipal, queries: ActivityQueriesDep) -> Response:
    return json_response(_public(await queries.get_log(log_id, viewer.role)))


@router.get(
    "/environments/{environment_id}/logs",
    response_model=LogList,
    responses=error_responses(401),
    summary="List the activity log of one environment (deleted ones too), newest first",
)
async def list_environment_logs(
    environment_id: Annotated[str, Path(pattern=ID_PATTERN)],
    viewer: ViewerPrincipal,
    queries: ActivityQueriesDep,
    shared: Annotated[LogFilter, Depends(shared_filter)],
    page: Page = 1,
    limit: Limit = 20,
) -> Response:
    log_filter = shared.model_copy(update={"environment_id": environment_id})
    return await _page(queries, log_filter, page, limit, viewer.role)
