"""JSON bodies built once and sent to many callers, compressed once too."""

import gzip
from dataclasses import dataclass

from fastapi import Request, Response
from pydantic import BaseModel

# Below this a body goes as it is (the GZip middleware's own threshold).
MIN_GZIP_BYTES = 1024


@dataclass(frozen=True)
class SharedBody:
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
