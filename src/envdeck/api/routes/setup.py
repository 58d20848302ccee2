"""First run: is setup needed, and create the first admin with the setup token."""

from fastapi import APIRouter, status
from pydantic import EmailStr, Field

from envdeck.api.deps import AuthDep, SetupDep
from envdeck.api.schemas import ApiModel, LoginResponse, error_responses
from envdeck.domain.user import USERNAME_PATTERN
from envdeck.services.identity.auth import LoginResult

router = APIRouter(prefix="/setup", tags=["setup"])


class SetupStatus(ApiModel):
    needs_setup: bool


class SetupRequest(ApiModel):
    token: str = Field(min_length=1, max_length=200)
    username: str = Field(pattern=USERNAME_PATTERN)
    email: EmailStr | None = Field(default=None, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


@router.get(
    "", response_model=SetupStatus, summary="Whether the first admin is still to be created"
)
async def get_setup(setup: SetupDep) -> SetupStatus:
    return SetupStatus(needs_setup=await setup.needs_setup())


@router.post(
    "",
    response_model=LoginResponse,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 409),
    summary="Create the first admin (needs the setup token) and sign in as them",
)
async def complete_setup(body: SetupRequest, setup: SetupDep, auth: AuthDep) -> LoginResponse:
    user = await setup.complete(body.token, body.username, body.email, body.password)
    result: LoginResult = auth.issue_session(user)
    return LoginResponse.of(result)
