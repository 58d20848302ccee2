"""Maintenance windows: viewers read them, admins plan them (docs/maintenance.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from envdeck.api.deps import AdminPrincipal, MaintenanceDep, ViewerPrincipal
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.maintenance import (
    MAX_DURATION_MINUTES,
    MaintenanceKind,
    MaintenanceOccurrence,
    MaintenanceSchedule,
    MaintenanceScope,
    MaintenanceWindow,
    MaintenanceWindowListOptions,
    MaintenanceWindowSpec,
)
from envdeck.services.maintenance.windows import MAX_PREVIEW

router = APIRouter(prefix="/maintenance-windows", tags=["maintenance"])

PreviewCount = Annotated[int, Query(ge=1, le=MAX_PREVIEW)]


class MaintenanceWindowList(ApiModel):
    maintenance_windows: list[MaintenanceWindow]
    pagination: Pagination


class MaintenanceWindowPatch(ApiModel):
    """Fields to change; the window that results is validated whole."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    reason: str | None = Field(default=None, max_length=1000)
    scope: MaintenanceScope | None = None
    enabled: bool | None = None
    kind: MaintenanceKind | None = None
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    cron: str | None = Field(default=None, max_length=200)
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION_MINUTES)
    timezone: str | None = Field(default=None, max_length=64)


class MaintenancePreview(ApiModel):
    occurrences: list[MaintenanceOccurrence]


class ActiveMaintenanceWindow(ApiModel):
    """A window running now, with its current run."""

    id: str
    name: str
    reason: str
    scope: MaintenanceScope
    start: UtcDatetime
    end: UtcDatetime


class ActiveMaintenanceWindows(ApiModel):
    windows: list[ActiveMaintenanceWindow]


@router.get(
    "",
    response_model=MaintenanceWindowList,
    responses=error_responses(401, 403),
    summary="List maintenance windows",
)
async def list_maintenance_windows(
    _viewer: ViewerPrincipal,
    maintenance: MaintenanceDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
    enabled: bool | None = None,
) -> MaintenanceWindowList:
    options = MaintenanceWindowListOptions(page=page, limit=limit, enabled=enabled)
    windows, total = await maintenance.list_windows(options)
    return MaintenanceWindowList(
        maintenance_windows=windows, pagination=pagination(page, limit, total)
    )


@router.post(
    "",
    response_model=MaintenanceWindow,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403),
    summary="Plan a one-off or recurring maintenance window",
)
async def create_maintenance_window(
    body: MaintenanceWindowSpec, admin: AdminPrincipal, maintenance: MaintenanceDep
) -> MaintenanceWindow:
    return await maintenance.create_window(admin, body)


@router.post(
    "/preview",
    response_model=MaintenancePreview,
    responses=error_responses(401, 403),
    summary="Show the next runs of an unsaved schedule",
)
async def preview_maintenance_schedule(
    body: MaintenanceSchedule,
    _admin: AdminPrincipal,
    maintenance: MaintenanceDep,
    count: PreviewCount = 5,
) -> MaintenancePreview:
    return MaintenancePreview(occurrences=maintenance.preview(body, count))


# Declared before "/{window_id}" so that "active" is not read as an id.
@router.get(
    "/active",
    response_model=ActiveMaintenanceWindows,
    responses=error_responses(401, 403),
    summary="List the maintenance windows running now",
)
async def list_active_maintenance_windows(
    _viewer: ViewerPrincipal, maintenance: MaintenanceDep
) -> ActiveMaintenanceWindows:
    running = await maintenance.running_windows()
    return ActiveMaintenanceWindows(
        windows=[
            ActiveMaintenanceWindow(
                id=window.id,
                name=window.name,
                reason=window.reason,
                scope=window.scope,
                start=run.start,
                end=run.end,
            )
            for window, run in running
        ]
    )


@router.get(
    "/{window_id}",
    response_model=MaintenanceWindow,
    responses=error_responses(401, 403, 404),
    summary="Get a maintenance window",
)
async def get_maintenance_window(
    window_id: str, _viewer: ViewerPrincipal, maintenance: MaintenanceDep
) -> MaintenanceWindow:
    return await maintenance.get_window(window_id)


@router.get(
    "/{window_id}/preview",
    response_model=MaintenancePreview,
    responses=error_responses(401, 403, 404),
    summary="Show the next runs of a maintenance window",
)
async def preview_maintenance_window(
    window_id: str, _viewer: ViewerPrincipal, maintenance: MaintenanceDep, count: PreviewCount = 5
) -> MaintenancePreview:
    window = await maintenance.get_window(window_id)
    return MaintenancePreview(occurrences=maintenance.preview(window, count))


@router.put(
    "/{window_id}",
    response_model=MaintenanceWindow,
    responses=error_responses(401, 403, 404),
    summary="Replace a maintenance window",
)
async def replace_maintenance_window(
    window_id: str, body: MaintenanceWindowSpec, admin: AdminPrincipal, maintenance: MaintenanceDep
) -> MaintenanceWindow:
    return await maintenance.replace_window(admin, window_id, body)


@router.patch(
    "/{window_id}",
    response_model=MaintenanceWindow,
    responses=error_responses(401, 403, 404),
    summary="Change some fields of a maintenance window",
)
async def update_maintenance_window(
    window_id: str, body: MaintenanceWindowPatch, admin: AdminPrincipal, maintenance: MaintenanceDep
) -> MaintenanceWindow:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    return await maintenance.update_window(admin, window_id, changes)


@router.delete(
    "/{window_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
    summary="Delete a maintenance window",
)
async def delete_maintenance_window(
    window_id: str, admin: AdminPrincipal, maintenance: MaintenanceDep
) -> Response:
    await maintenance.delete_window(admin, window_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
