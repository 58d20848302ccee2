"""Response schemas shared by every route: the error envelope."""

from typing import Any

from pydantic import BaseModel, Field


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
