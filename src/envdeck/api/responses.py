"""Responses serialised by the route itself, for bodies that need no second validation."""

import gzip
from dataclasses import dataclass

from fastapi import Request, Response
from pydantic import BaseModel

# Below this a body goes as it is (the GZip middleware's own threshold).
MIN_GZIP_BYTES = 1024


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """Serialise a model that is already valid (built from stored, validated data) once.

    Returning the model would make FastAPI validate it all again against the response model,
    which cost more than the query on a page of 50 environments.
    """
    return Response(
        model.model_dump_json(by_alias=True), status_code, media_type="application/json"
    )


@dataclass(frozen=True)
class SharedBody:
    """A JSON body built once and sent to many callers, compressed once too."""

    json: bytes
    gzipped: bytes | None

    @classmethod
    def of(cls, model: BaseModel) -> "SharedBody":
        body = model.model_dump_json(by_alias=True).encode()
        # Level 6, not the middleware's 9: nearly as small, far cheaper to build.
        packed = gzip.compress(body, compresslevel=6) if len(body) >= MIN_GZIP_BYTES else None
        return cls(body, packed)

    def response(self, request: Request) -> Response:
        """Answer with the compressed body when the caller accepts gzip (the GZip middleware
        leaves a response that already has a Content-Encoding alone)."""
        if self.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return Response(self.gzipped, media_type="application/json", headers=headers)
        return Response(self.json, media_type="application/json")
