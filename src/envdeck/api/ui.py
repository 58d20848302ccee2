"""Serve the built UI at / with SPA fallback; /api/... never falls back to the app."""

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

# Vite puts content-hashed files under assets/: they never change, so cache them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Envdeck</title></head><body><h1>Envdeck</h1>
<p>The web UI has not been built. Run <code>make install</code> (or <code>npm ci &amp;&amp;
npm run build</code> in <code>frontend/</code>), then reload. The API is at
<a href="/api/docs">/api/docs</a>.</p></body></html>"""


def _resolve(static_dir: Path, path: str) -> Path | None:
    candidate = (static_dir / path).resolve()
    if candidate.is_file() and candidate.is_relative_to(static_dir):
        return candidate
    return None


class _OutsideApiRoute(APIRoute):
    """A route that never matches a path under /api: an unknown API path then matches no route
    at all and is 404 for every method (a POST would otherwise match the UI's GET route by
    path alone, and be 405)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        path = child_scope.get("path_params", {}).get("path", "")
        if match is not Match.NONE and (path == "api" or path.startswith("api/")):
            return Match.NONE, {}
        return match, child_scope


def ui_router(static_dir: Path = STATIC_DIR) -> APIRouter:
    """Return the catch-all router serving files of static_dir, else its index.html."""
    router = APIRouter(include_in_schema=False, route_class=_OutsideApiRoute)
    static_dir = static_dir.resolve()

    @router.get("/{path:path}")
    async def serve_ui(path: str) -> Response:
        file = _resolve(static_dir, path) if path else None
        if file is not None:
            cache = IMMUTABLE if path.startswith("assets/") else REVALIDATE
            return FileResponse(file, headers={"Cache-Control": cache})
        if path.startswith("assets/"):
            # A missing hashed asset is an error, not a page of the app.
            raise StarletteHTTPException(status_code=404)
        index = static_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503, headers={"Cache-Control": REVALIDATE})
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})

    return router


def mount_ui(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Add the UI after every API route so the API always wins."""
    app.include_router(ui_router(static_dir))
