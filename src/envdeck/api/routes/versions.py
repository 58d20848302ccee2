"""Versions: what each environment runs next to what it could run (anyone signed in)."""

from typing import Annotated

from fastapi import APIRouter, Query

from envdeck.api.deps import VersionListsDep, ViewerPrincipal
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT

router = APIRouter(tags=["versions"])


class EnvironmentVersions(ApiModel):
    current_version: str | None
    # Newest first when every value is a version; exactly as the list gives them.
    available_versions: list[str]


class VersionRowPublic(ApiModel):
    environment_id: str
    environment_name: str
    current_version: str | None
    latest_version: str | None
    # How many listed versions are newer than the current one; null when not comparable.
    behind_by: int | None
    # Why the version list could not be read, if it could not.
    error: str | None


class VersionRowList(ApiModel):
    versions: list[VersionRowPublic]
    pagination: Pagination


@router.get(
    "/environments/{environment_id}/versions",
    response_model=EnvironmentVersions,
    responses=error_responses(401, 404, 502),
    summary="List the versions an environment can be upgraded to",
)
async def get_environment_versions(
    environment_id: str, _viewer: ViewerPrincipal, version_lists: VersionListsDep
) -> EnvironmentVersions:
    found = await version_lists.versions_for(environment_id)
    return EnvironmentVersions(
        current_version=found.current_version, available_versions=found.available_versions
    )


@router.get(
    "/versions",
    response_model=VersionRowList,
    responses=error_responses(401),
    summary="List every environment's version next to the newest available",
)
async def list_versions(
    _viewer: ViewerPrincipal,
    version_lists: VersionListsDep,
    q: Annotated[str | None, Query(max_length=200, description="in name, description, URL")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
    behind: Annotated[
        bool, Query(description="only the environments behind the newest listed version")
    ] = False,
) -> VersionRowList:
    rows, total = await version_lists.overview(q=q, tag=tag, page=page, limit=limit, behind=behind)
    return VersionRowList(
        versions=[VersionRowPublic.model_validate(row) for row in rows],
        pagination=pagination(page, limit, total),
    )
