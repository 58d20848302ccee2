"""Status pages: admins set them up; readers (anyone, when public) read them by slug
(docs/status-pages.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import Field

from envdeck.api.deps import (
    AdminPrincipal,
    AuthDep,
    BearerCredentials,
    StatusPagesDep,
)
from envdeck.api.responses import SharedBody
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.auth import Principal
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT
from envdeck.domain.errors import Unauthorized
from envdeck.domain.status_page import (
    StatusPage,
    StatusPageListOptions,
    StatusPageScope,
    StatusPageSpec,
    StatusPageView,
)
from envdeck.services.status_pages.service import CACHE_SECONDS

router = APIRouter(tags=["status pages"])

Slug = Annotated[str, Path(min_length=1, max_length=64)]


class StatusPageList(ApiModel):
    status_pages: list[StatusPage]
    pagination: Pagination


class StatusPagePatch(ApiModel):
    """Fields to change; the page that results is validated whole."""

    slug: str | None = Field(default=None, min_length=1, max_length=64)
    title: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    scope: StatusPageScope | None = None
    public: bool | None = None
    enabled: bool | None = None


@router.get(
    "/status-pages",
    response_model=StatusPageList,
    responses=error_responses(401, 403),
    summary="List status pages (admin)",
)
async def list_status_pages(
    _admin: AdminPrincipal,
    pages: StatusPagesDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
    public: bool | None = None,
) -> StatusPageList:
    options = StatusPageListOptions(page=page, limit=limit, public=public)
    found, total = await pages.list_pages(options)
    return StatusPageList(status_pages=found, pagination=pagination(page, limit, total))


@router.post(
    "/status-pages",
    response_model=StatusPage,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Create a status page",
)
async def create_status_page(
    body: StatusPageSpec, admin: AdminPrincipal, pages: StatusPagesDep
) -> StatusPage:
    return await pages.create_page(admin, body)


@router.get(
    "/status-pages/{page_id}",
    response_model=StatusPage,
    responses=error_responses(401, 403, 404),
    summary="Get a status page's settings (admin)",
)
async def get_status_page(
    page_id: str, _admin: AdminPrincipal, pages: StatusPagesDep
) -> StatusPage:
    return await pages.get_page(page_id)


@router.put(
    "/status-pages/{page_id}",
    response_model=StatusPage,
    responses=error_responses(401, 403, 404, 409),
    summary="Replace a status page",
)
async def replace_status_page(
    page_id: str, body: StatusPageSpec, admin: AdminPrincipal, pages: StatusPagesDep
) -> StatusPage:
    return await pages.replace_page(admin, page_id, body)


@router.patch(
    "/status-pages/{page_id}",
    response_model=StatusPage,
    responses=error_responses(401, 403, 404, 409),
    summary="Change some fields of a status page",
)
async def update_status_page(
    page_id: str, body: StatusPagePatch, admin: AdminPrincipal, pages: StatusPagesDep
) -> StatusPage:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    return await pages.update_page(admin, page_id, changes)


@router.delete(
    "/status-pages/{page_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
    summary="Delete a status page",
)
async def delete_status_page(
    page_id: str, admin: AdminPrincipal, pages: StatusPagesDep
) -> Response:
    await pages.delete_page(admin, page_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/status/{slug}",
    response_model=StatusPageView,
    responses=error_responses(401, 404),
    summary="Read a status page (no sign-in when it is public)",
    description="Each environment's health, current version and uptime per UTC day over 90"
    f" days. Served from a cache of {CACHE_SECONDS:g} s. A private page, or a slug with no"
    " enabled page, asks an anonymous caller to sign in (401).",
)
async def read_status_page(
    slug: Slug,
    request: Request,
    pages: StatusPagesDep,
    auth: AuthDep,
    credentials: BearerCredentials,
) -> Response:
    async def authenticate() -> Principal:
        if credentials is None:
            raise Unauthorized("sign in to see this status page")
        return await auth.authenticate(credentials.credentials)

    # The body is serialised and compressed once per build, with the cached view.
    view, body = await pages.read_rendered(slug, authenticate, SharedBody.of)
    response = body.response(request)
    if view.public:
        response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS:g}"
    return response
