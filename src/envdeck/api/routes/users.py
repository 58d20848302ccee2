"""Users (admin), and changing one's own password (anyone signed in)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import EmailStr, Field, model_validator

from envdeck.api.deps import AdminPrincipal, AuthDep, ClientIp, CurrentPrincipal, UsersDep
from envdeck.api.schemas import (
    ApiModel,
    LoginResponse,
    Pagination,
    UserPublic,
    error_responses,
    pagination,
)
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, JsonObject
from envdeck.domain.user import USERNAME_PATTERN, Role, UserListOptions

router = APIRouter(prefix="/users", tags=["users"])

Password = Annotated[str, Field(min_length=1, max_length=1024)]


class UserCreate(ApiModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    email: EmailStr | None = Field(default=None, max_length=254)
    role: Role = Role.VIEWER
    password: Password


class UserUpdate(ApiModel):
    """Fields to change; absent fields stay as they are, `email: null` removes the email."""

    role: Role | None = None
    active: bool | None = None
    email: EmailStr | None = Field(default=None, max_length=254)


class UserList(ApiModel):
    users: list[UserPublic]
    pagination: Pagination


class UserReplace(UserUpdate):
    """`PUT` as the seed's clients send it (a compatibility form of `PATCH`): `role` and
    `active` as there; `metadata` is accepted and ignored (Envdeck keeps no user metadata)."""

    metadata: JsonObject | None = Field(
        default=None, description="Accepted and ignored (the seed's field)."
    )


class PasswordReset(ApiModel):
    """The new password as `password`, or as `newPassword` (the seed's field, a compatibility
    form); give one of them."""

    password: Password | None = None
    new_password: Password | None = Field(
        default=None, description="Compatibility form of `password` (the seed's field)."
    )

    @model_validator(mode="after")
    def _one_password(self) -> "PasswordReset":
        given = {value for value in (self.password, self.new_password) if value is not None}
        if len(given) != 1:
            raise ValueError("give the new password as password (or newPassword), once")
        return self

    @property
    def chosen(self) -> str:
        return self.password if self.password is not None else str(self.new_password)


class PasswordChange(ApiModel):
    current_password: Password
    new_password: Password


@router.post(
    "/password/change",
    response_model=LoginResponse,
    responses=error_responses(401, 403, 429),
    summary="Change your own password (login sessions only); your other sessions end and a new"
    " token is returned",
)
async def change_password(
    body: PasswordChange, principal: CurrentPrincipal, auth: AuthDep, ip: ClientIp
) -> LoginResponse:
    result = await auth.change_password(principal, body.current_password, body.new_password, ip)
    return LoginResponse.of(result)


@router.get("", response_model=UserList, responses=error_responses(401, 403), summary="List users")
async def list_users(
    _admin: AdminPrincipal,
    users: UsersDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
    q: Annotated[str | None, Query(max_length=200, description="part of username or email")] = None,
    role: Role | None = None,
    active: bool | None = None,
) -> UserList:
    options = UserListOptions(page=page, limit=limit, q=q, role=role, active=active)
    found, total = await users.list_users(options)
    return UserList(
        users=[UserPublic.model_validate(u) for u in found],
        pagination=pagination(page, limit, total),
    )


@router.post(
    "",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Create a user with the role asked for",
)
async def create_user(body: UserCreate, admin: AdminPrincipal, users: UsersDep) -> UserPublic:
    user = await users.create_user(admin, body.username, body.email, body.role, body.password)
    return UserPublic.model_validate(user)


@router.get(
    "/{user_id}",
    response_model=UserPublic,
    responses=error_responses(401, 403, 404),
    summary="Get a user",
)
async def get_user(user_id: str, _admin: AdminPrincipal, users: UsersDep) -> UserPublic:
    return UserPublic.model_validate(await users.get_user(user_id))


@router.patch(
    "/{user_id}",
    response_model=UserPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Change a user's role, active flag or email",
)
async def update_user(
    user_id: str, body: UserUpdate, admin: AdminPrincipal, users: UsersDep
) -> UserPublic:
    return await _update_user(user_id, body, admin, users)


@router.put(
    "/{user_id}",
    response_model=UserPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Change a user's role, active flag or email (compatibility form of PATCH)",
    description="The seed's clients update a user with `PUT` and `{role, active, metadata}`:"
    " taken as `PATCH` takes it (absent fields stay as they are); `metadata` is ignored.",
)
async def replace_user(
    user_id: str, body: UserReplace, admin: AdminPrincipal, users: UsersDep
) -> UserPublic:
    return await _update_user(user_id, body, admin, users)


async def _update_user(
    user_id: str, body: UserUpdate, admin: AdminPrincipal, users: UsersDep
) -> UserPublic:
    user = await users.update_user(
        admin,
        user_id,
        role=body.role,
        active=body.active,
        email=body.email,
        clear_email="email" in body.model_fields_set and body.email is None,
    )
    return UserPublic.model_validate(user)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409),
    summary="Delete a user and their API tokens",
)
async def delete_user(user_id: str, admin: AdminPrincipal, users: UsersDep) -> Response:
    await users.delete_user(admin, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{user_id}/unlock",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
    summary="Clear a user's failed sign-ins from every address, so a lock on them ends now",
)
async def unlock_sign_in(user_id: str, admin: AdminPrincipal, users: UsersDep) -> Response:
    await users.unlock_sign_in(admin, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{user_id}/password/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
    summary="Set a user's password; their sessions end",
    description="The new password is `password`; `newPassword` (the seed's field) is taken too,"
    " as a compatibility form.",
)
async def reset_password(
    user_id: str, body: PasswordReset, admin: AdminPrincipal, users: UsersDep
) -> Response:
    await users.reset_password(admin, user_id, body.chosen)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
