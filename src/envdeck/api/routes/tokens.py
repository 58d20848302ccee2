"""API tokens: create (the secret is shown once), list, revoke."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from envdeck.api.deps import TokensDep, ViewerPrincipal
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.user import Role

router = APIRouter(prefix="/tokens", tags=["tokens"])


class ApiTokenCreate(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    expires_at: UtcDatetime | None = None
    role: Role | None = Field(default=None, description="defaults to your role; never higher")


class ApiTokenPublic(ApiModel):
    id: str
    name: str
    prefix: str
    role: Role
    user_id: str
    expires_at: UtcDatetime | None
    last_used_at: UtcDatetime | None
    created_at: UtcDatetime | None


class ApiTokenCreated(ApiModel):
    token: ApiTokenPublic
    secret: str = Field(description="shown this once: only a hash is kept")


class ApiTokenList(ApiModel):
    tokens: list[ApiTokenPublic]
    pagination: Pagination


@router.post(
    "",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403),
    summary="Create an API token; its secret is in this response only",
)
async def create_token(
    body: ApiTokenCreate, principal: ViewerPrincipal, tokens: TokensDep
) -> ApiTokenCreated:
    created = await tokens.create_token(principal, body.name, body.expires_at, body.role)
    return ApiTokenCreated(
        token=ApiTokenPublic.model_validate(created.token), secret=created.secret
    )


@router.get(
    "", response_model=ApiTokenList, responses=error_responses(401, 403), summary="List API tokens"
)
async def list_tokens(
    principal: ViewerPrincipal,
    tokens: TokensDep,
    all_users: Annotated[bool, Query(alias="all", description="every user's (admins)")] = False,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
) -> ApiTokenList:
    found, total = await tokens.list_tokens(principal, all_users, page, limit)
    return ApiTokenList(
        tokens=[ApiTokenPublic.model_validate(t) for t in found],
        pagination=pagination(page, limit, total),
    )


@router.delete(
    "/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404),
    summary="Revoke an API token (yours, or anyone's for an admin)",
)
async def revoke_token(token_id: str, principal: ViewerPrincipal, tokens: TokensDep) -> Response:
    await tokens.revoke_token(principal, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
