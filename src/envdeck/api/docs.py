"""`GET /api/docs`: Swagger UI under a Content-Security-Policy of its own.

FastAPI's page loads Swagger UI from the jsDelivr CDN and starts it with an inline script, both
of which the API's policy (`default-src 'none'`) forbids. This page's policy allows exactly
those: scripts and styles from cdn.jsdelivr.net, and the one inline script by its SHA-256.
"""

import base64
import hashlib
import re

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

DOCS_PATH = "/api/docs"
CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def docs_page(openapi_url: str, title: str) -> HTMLResponse:
    """Return the Swagger UI page with a policy that lets it, and only it, run."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{title} - API")
    html = bytes(page.body).decode("utf-8")
    hashes = " ".join(
        "'sha256-{}'".format(
            base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        )
        for script in _INLINE_SCRIPT.findall(html)
    )
    policy = (
        f"default-src 'none'; script-src {CDN} {hashes}; style-src {CDN} 'unsafe-inline'; "
        f"img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def mount_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /api/docs (create the app with docs_url=None)."""
    router = APIRouter(include_in_schema=False)
    assert app.openapi_url is not None
    page = docs_page(app.openapi_url, app.title)
    body, policy = bytes(page.body), page.headers["content-security-policy"]

    @router.get(DOCS_PATH)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(body, headers={"Content-Security-Policy": policy})

    app.include_router(router)
