"""One place turns every failure into the JSON error envelope (DESIGN §5)."""

import copy
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from envdeck.domain.errors import EnvdeckError

log = structlog.get_logger(__name__)

_HTTP_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    503: "UNAVAILABLE",
}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JSONResponse:
    """Return the envelope {"error": {code, message, details}} with this status."""
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for error in exc.errors():
        # loc is ("body", "healthCheck", "interval") or ("query", "limit"): keep it readable.
        location = [str(part) for part in error.get("loc", ())]
        fields.append(
            {
                "field": ".".join(location[1:]) or location[0] if location else "",
                "in": location[0] if location else "",
                "message": error.get("msg", "invalid"),
                "type": error.get("type", ""),
            }
        )
    return fields


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EnvdeckError)
    response = error_response(exc.status, exc.code, exc.message, exc.details)
    response.headers.update(exc.headers)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = _field_errors(exc)
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return error_response(
        422, "VALIDATION_ERROR", f"invalid request: {summary}", {"fields": fields}
    )


async def _model_error(_request: Request, exc: Exception) -> JSONResponse:
    # A domain model refused a value the request schema let through: still the caller's input.
    assert isinstance(exc, ValidationError)
    fields = [
        {
            "field": ".".join(str(part) for part in error["loc"]),
            "in": "body",
            "message": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors()
    ]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return error_response(422, "VALIDATION_ERROR", f"invalid value: {summary}", {"fields": fields})


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "INTERNAL_ERROR" if exc.status_code >= 500 else "ERROR")
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404:
        message = "no such route"
    response = error_response(exc.status_code, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the process log, never to the client.
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error as the envelope."""
    app.add_exception_handler(EnvdeckError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


_UNDECODABLE_BODY = {
    "description": "The body could not be decoded",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}


def document_undecodable_bodies(app: FastAPI) -> None:
    """Document the 400 of every operation that reads a JSON body, in the app's OpenAPI.

    A body that is not JSON is refused with 422 like any invalid input, but one FastAPI cannot
    even decode (bytes that are not UTF-8) is refused before validation, with 400.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for path in generate()["paths"].values():
                for operation in path.values():
                    content = operation.get("requestBody", {}).get("content", {})
                    if "application/json" in content:
                        operation["responses"].setdefault("400", copy.deepcopy(_UNDECODABLE_BODY))
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
