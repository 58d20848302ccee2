"""Operations: restart or upgrade an environment (202, then in the background); the records."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import Field

from envdeck.api.deps import OperationsDep, OperatorPrincipal, ViewerPrincipal
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.operation import (
    Operation,
    OperationListOptions,
    OperationStatus,
    OperationType,
)

router = APIRouter(tags=["operations"])

Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)]
Id = Annotated[str | None, Query(max_length=64)]


class RestartRequest(ApiModel):
    # Admins: go ahead although someone else holds an exclusive reservation (audited).
    force: bool = False


class UpgradeRequest(ApiModel):
    # Checked by the service (pattern, and the version list): a clear 422 names the rule.
    version: str = Field(max_length=65536)
    # Admins: go ahead although someone else holds an exclusive reservation (audited).
    force: bool = False


class OperationAccepted(ApiModel):
    """An operation was accepted and runs in the background: follow it by its id."""

    operation_id: str
    status: Literal["in_progress"] = "in_progress"
    started_at: UtcDatetime | None
    # E.g. the environment is reserved by someone else (advisory policy, or forced).
    warnings: list[str] = Field(default_factory=list)


class OperationList(ApiModel):
    operations: list[Operation]
    pagination: Pagination


def _accepted(op: Operation) -> OperationAccepted:
    return OperationAccepted(
        operation_id=op.id, started_at=op.created_at, warnings=list(op.warnings)
    )


@router.post(
    "/environments/{environment_id}/restart",
    response_model=OperationAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 404, 409, 502, 503),
    summary="Restart an environment",
)
async def restart_environment(
    environment_id: str,
    user: OperatorPrincipal,
    operations: OperationsDep,
    body: RestartRequest | None = None,
) -> OperationAccepted:
    """Validate, then run the configured restart in the background (one at a time per
    environment: 409 names the running operation)."""
    force = body.force if body is not None else False
    op = await operations.restart_environment(user, environment_id, force=force)
    return _accepted(op)


@router.post(
    "/environments/{environment_id}/upgrade",
    response_model=OperationAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 404, 409, 502, 503),
    summary="Upgrade an environment to a version",
)
async def upgrade_environment(
    environment_id: str, body: UpgradeRequest, user: OperatorPrincipal, operations: OperationsDep
) -> OperationAccepted:
    """Validate the version (listed, safe characters), then upgrade in the background."""
    op = await operations.upgrade_environment(user, environment_id, body.version, force=body.force)
    return _accepted(op)


@router.get(
    "/operations",
    response_model=OperationList,
    responses=error_responses(401),
    summary="List operations",
)
async def list_operations(
    _viewer: ViewerPrincipal,
    operations: OperationsDep,
    page: Page = 1,
    limit: Limit = 20,
    environment_id: Annotated[str | None, Query(alias="environmentId", max_length=64)] = None,
    type: OperationType | None = None,
    status: OperationStatus | None = None,
    user_id: Annotated[str | None, Query(alias="userId", max_length=64)] = None,
) -> OperationList:
    """Newest first, filtered by environment, type, status and requesting user."""
    options = OperationListOptions(
        page=page,
        limit=limit,
        environment_id=environment_id,
        type=type,
        status=status,
        user_id=user_id,
    )
    found, total = await operations.list_operations(options)
    return OperationList(operations=found, pagination=pagination(page, limit, total))


@router.get(
    "/operations/{operation_id}",
    response_model=Operation,
    responses=error_responses(401, 404),
    summary="Get an operation",
)
async def get_operation(
    operation_id: str, _viewer: ViewerPrincipal, operations: OperationsDep
) -> Operation:
    return await operations.get_operation(operation_id)


@router.post(
    "/operations/{operation_id}/cancel",
    response_model=Operation,
    status_code=202,
    responses=error_responses(401, 403, 404, 409),
    summary="Cancel a running operation",
)
async def cancel_operation(
    operation_id: str, user: OperatorPrincipal, operations: OperationsDep
) -> Operation:
    """Ask it to stop and answer at once (202, the record as it is); requester or admin. The
    outcome arrives as operation updates: `cancelled` once the remote script is confirmed
    stopped, `stop_unconfirmed` with the reason when it cannot be confirmed."""
    return await operations.cancel_operation(user, operation_id)


@router.get(
    "/environments/{environment_id}/operations",
    response_model=OperationList,
    responses=error_responses(401, 404),
    summary="List an environment's operations",
)
async def list_environment_operations(
    environment_id: str,
    _viewer: ViewerPrincipal,
    operations: OperationsDep,
    page: Page = 1,
    limit: Limit = 20,
) -> OperationList:
    options = OperationListOptions(page=page, limit=limit)
    found, total = await operations.list_environment_operations(environment_id, options)
    return OperationList(operations=found, pagination=pagination(page, limit, total))
