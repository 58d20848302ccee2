"""The environment inventory: list, summary, get (anyone signed in); create, replace, patch,
delete (admins)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status

from envdeck.api.deps import AdminPrincipal, ServicesDep, ViewerPrincipal
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE_LIMIT
from envdeck.domain.environment import (
    Environment,
    EnvironmentListOptions,
    EnvironmentSort,
    HealthState,
)

router = APIRouter(prefix="/environments", tags=["environments"])


class EnvironmentConfig(Environment):
    """An environment's configuration. Server-set fields (id, status, systemInfo, timestamps,
    activeOperation) are accepted and ignored; secret header values may be "********" to keep
    the stored value."""


class EnvironmentPublic(Environment):
    """An environment as the API shows it: secret header values read "********"."""


class EnvironmentList(ApiModel):
    environments: list[EnvironmentPublic]
    pagination: Pagination


class EnvironmentSummary(ApiModel):
    total: int
    by_health: dict[str, int]
    by_tag: dict[str, int]


def _public(env: Environment) -> EnvironmentPublic:
    return EnvironmentPublic.model_validate(env.model_dump())


@router.get(
    "", response_model=EnvironmentList, responses=error_responses(401), summary="List environments"
)
async def list_environments(
    _viewer: ViewerPrincipal,
    services: ServicesDep,
    status_: Annotated[HealthState | None, Query(alias="status", description="health")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=200, description="in name, description, URL")] = None,
    sort: EnvironmentSort = "name",
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
) -> EnvironmentList:
    options = EnvironmentListOptions(
        status=status_, tag=tag, q=q, sort=sort, page=page, limit=limit
    )
    items, total = await services.environments.list_environments(options)
    return EnvironmentList(
        environments=[_public(e) for e in items], pagination=pagination(page, limit, total)
    )


@router.get(
    "/summary",
    response_model=EnvironmentSummary,
    responses=error_responses(401),
    summary="Counts by health and by tag",
)
async def environment_summary(
    _viewer: ViewerPrincipal, services: ServicesDep
) -> EnvironmentSummary:
    total, by_health, by_tag = await services.environments.summary()
    return EnvironmentSummary(total=total, by_health=by_health, by_tag=by_tag)


@router.post(
    "",
    response_model=EnvironmentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Create an environment",
)
async def create_environment(
    body: EnvironmentConfig, admin: AdminPrincipal, services: ServicesDep
) -> EnvironmentPublic:
    return _public(await services.environments.create_environment(admin, body))


@router.get(
    "/{environment_id}",
    response_model=EnvironmentPublic,
    responses=error_responses(401, 404),
    summary="Get an environment",
)
async def get_environment(
    environment_id: str, _viewer: ViewerPrincipal, services: ServicesDep
) -> EnvironmentPublic:
    return _public(await services.environments.get_environment(environment_id))


@router.put(
    "/{environment_id}",
    response_model=EnvironmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Replace an environment's configuration",
)
async def replace_environment(
    environment_id: str, body: EnvironmentConfig, admin: AdminPrincipal, services: ServicesDep
) -> EnvironmentPublic:
    env = await services.environments.replace_environment(admin, environment_id, body)
    return _public(env)


@router.patch(
    "/{environment_id}",
    response_model=EnvironmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Change part of an environment's configuration (JSON merge patch, RFC 7396)",
)
async def patch_environment(
    environment_id: str,
    patch: Annotated[dict[str, Any], Body(description="fields to change; null removes")],
    admin: AdminPrincipal,
    services: ServicesDep,
) -> EnvironmentPublic:
    env = await services.environments.patch_environment(admin, environment_id, patch)
    return _public(env)


@router.delete(
    "/{environment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
    summary="Delete an environment (its activity log stays)",
)
async def delete_environment(
    environment_id: str, admin: AdminPrincipal, services: ServicesDep
) -> Response:
    await services.environments.delete_environment(admin, environment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
