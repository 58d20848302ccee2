"""Sign in, sign out, who am I."""

from fastapi import APIRouter, Response, status
from pydantic import Field

from envdeck.api.deps import AuthDep, ClientIp, CurrentPrincipal
from envdeck.api.schemas import ApiModel, LoginResponse, UserPublic, error_responses

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(ApiModel):
    username: str = Field(min_length=1, max_length=254, description="username or email")
    password: str = Field(min_length=1, max_length=1024)


@router.post(
    "/login",
    response_model=LoginResponse,
    responses=error_responses(401, 429),
    summary="Exchange a username (or email) and password for a login token",
)
async def login(body: LoginRequest, auth: AuthDep, ip: ClientIp) -> LoginResponse:
    return LoginResponse.of(await auth.login(body.username, body.password, ip))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401),
    summary="Revoke this login token, for every instance, until it expires",
)
async def logout(principal: CurrentPrincipal, auth: AuthDep) -> Response:
    await auth.logout(principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/me", response_model=UserPublic, responses=error_responses(401), summary="The current user"
)
async def me(principal: CurrentPrincipal) -> UserPublic:
    return UserPublic.model_validate(principal.user)
