"""`GET /api/docs`: Swagger UI, served from the package, under a Content-Security-Policy of its own.

The page lives on the origin where the UI keeps its token, so it loads nothing from another host:
Swagger UI's bundle and stylesheet come from the npm package `swagger-ui-dist`, which the UI's
build copies into `web/static/swagger-ui/` (frontend/vite.config.ts), and the few lines that
start it are a script of ours (`/api/docs/init.js`), not an inline one. The page's policy allows
scripts from this origin only ('self': no inline script, no eval, no other host). Styles allow
'unsafe-inline' as the UI's do: Swagger UI sets style attributes as it renders (styles cannot
run code).

When the UI has not been built, the page says so (503); the OpenAPI document itself is always
at /api/openapi.json.
"""

import json
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from envdeck.api.ui import STATIC_DIR

DOCS_PATH = "/api/docs"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# The assets change with the package: revalidate (ETag) rather than keep them for a year.
_ASSET_CACHE = "no-cache"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - API</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="{path}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{path}/swagger-ui-bundle.js"></script>
<script src="{path}/init.js"></script>
</body>
</html>
"""

_INIT = """window.ui = SwaggerUIBundle({{
  url: {openapi_url},
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}});
"""

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Envdeck - API</title></head><body><h1>Envdeck API</h1>
<p>The API documentation's assets come with the built UI, which has not been built. Run
<code>make install</code> (or <code>npm ci &amp;&amp; npm run build</code> in
<code>frontend/</code>), then reload. The OpenAPI document is at
<a href="{openapi_url}">{openapi_url}</a>.</p></body></html>"""


def mount_docs(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Serve Swagger UI at /api/docs with its assets (create the app with docs_url=None)."""
    assert app.openapi_url is not None
    assets = static_dir / "swagger-ui"
    page = _PAGE.format(title=app.title, path=DOCS_PATH)
    not_built = _NOT_BUILT.format(openapi_url=app.openapi_url)
    init = _INIT.format(openapi_url=json.dumps(app.openapi_url))
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH)
    async def swagger_ui() -> HTMLResponse:
        policy = {"Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY}
        if not all((assets / name).is_file() for name in ASSETS):
            return HTMLResponse(not_built, status_code=503, headers=policy)
        return HTMLResponse(page, headers=policy)

    @router.get(f"{DOCS_PATH}/init.js")
    async def swagger_ui_init() -> Response:
        return Response(init, media_type="text/javascript", headers={"Cache-Control": _ASSET_CACHE})

    @router.get(DOCS_PATH + "/{name}")
    async def swagger_ui_asset(name: str) -> FileResponse:
        if name not in ASSETS or not (assets / name).is_file():
            raise StarletteHTTPException(status_code=404)
        return FileResponse(assets / name, headers={"Cache-Control": _ASSET_CACHE})

    app.include_router(router)
