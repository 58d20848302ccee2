"""Serve the built UI at / with SPA fallback; /api/... never falls back to the app."""

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def ui_router(static_dir: Path = STATIC_DIR) -> APIRouter:
    """Return the catch-all router serving files of static_dir, else its index.html."""
    router = APIRouter(include_in_schema=False)
    static_dir = static_dir.resolve()

    @router.get("/{path:path}")
    async def serve_ui(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            raise StarletteHTTPException(status_code=404)
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
