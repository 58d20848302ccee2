"""Schemas shared by several routes: the error envelope, users, login results, pages."""

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from envdeck.domain.base import UtcDatetime
from envdeck.domain.user import Role

if TYPE_CHECKING:
    from envdeck.services.identity.auth import LoginResult


class ErrorBody(BaseModel):
    code: str = Field(examples=["NOT_FOUND"])
    message: str = Field(examples=["environment not found"])
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    """Every error of the API, whatever the status: {"error": {code, message, details}}."""

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return OpenAPI `responses` documenting these statuses with the error envelope."""
    return {status: {"model": ErrorResponse} for status in statuses}


class ApiModel(BaseModel):
    """Request and response bodies: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", from_attributes=True
    )


class UserPublic(ApiModel):
    """A user as the API shows it: never the password hash."""

    id: str
    username: str
    email: str | None
    role: Role
    active: bool
    last_login: UtcDatetime | None
    created_at: UtcDatetime | None
    updated_at: UtcDatetime | None
    # A new password must be chosen (POST /users/password/change) before anything else.
    must_change_password: bool = False


class LoginResponse(ApiModel):
    token: str
    expires_at: UtcDatetime
    user: UserPublic

    @classmethod
    def of(cls, result: "LoginResult") -> "LoginResponse":
        return cls(
            token=result.token,
            expires_at=result.expires_at,
            user=UserPublic.model_validate(result.user),
        )


def pagination(page: int, limit: int, total: int) -> "Pagination":
    """Return the pagination block of a list response."""
    return Pagination(page=page, limit=limit, total=total, total_pages=-(-total // limit))


class Pagination(ApiModel):
    page: int
    limit: int
    total: int
    total_pages: int
