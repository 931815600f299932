"""Serves the built web UI (`frontend/dist`, or `MODELHUB_WEB_DIR`) at `/`, so one URL opens everything.

A single catch-all GET route, added after every API router: a file of the build when the path names
one, otherwise `index.html` so the single-page app's own routes (`/models/churn`) load on reload.
`/api/...` paths never fall back to the UI: an unknown API path keeps its JSON 404, and a wrong
method on an API path keeps its 405 (the catch-all only answers GET and HEAD).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from modelhub.config import Settings

# Vite puts content-hashed files under assets/: they never change, so browsers may keep them.
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


def web_root(settings: Settings) -> Path | None:
    """The directory of a built UI, or None when there is none to serve."""
    directory = settings.web_dir
    if directory is None or not (directory / "index.html").is_file():
        return None
    return directory.resolve()


def mount_web(app: FastAPI, settings: Settings) -> None:
    root = web_root(settings)
    if root is None:
        return
    index = root / "index.html"

    async def serve(request: Request) -> Response:
        path = request.path_params["path"]
        if path == "api" or path.startswith("api/"):
            raise HTTPException(status_code=404, detail=f"no API route at /{path}")
        candidate = (root / path).resolve()
        if path and candidate.is_relative_to(root) and candidate.is_file():
            cache = IMMUTABLE if candidate.parent.name == "assets" else NO_CACHE
            return FileResponse(candidate, headers={"Cache-Control": cache})
        if Path(path).suffix and not path.endswith(".html"):
            # a missing file (an old hashed asset, a favicon): a 404, not the app's HTML
            raise HTTPException(status_code=404, detail=f"no file at /{path}")
        return FileResponse(index, headers={"Cache-Control": NO_CACHE})

    app.router.routes.append(Route("/{path:path}", serve, methods=["GET", "HEAD"], name="web"))
