"""Serves the built web client (``web/dist``) at ``/`` when the build exists.

An ASGI wrapper, not a route: GET and HEAD outside ``/functions/`` and ``/storage/`` are
answered from the build (a file, else ``index.html`` for the client's own routes), and
everything else reaches the API untouched, so its 404s and 405s stay as they are.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from functions._shared.settings import ROOT

DIST = ROOT / "web" / "dist"
API_PREFIXES = ("/functions/", "/storage/")
# Hashed assets never change under their name; index.html must always be re-read.
IMMUTABLE = "public, max-age=31536000, immutable"


class WebClient:
    """Wraps the API app; serves ``dist`` for the client's paths."""

    def __init__(self, app: ASGIApp, dist: Path = DIST) -> None:
        self.app = app
        self.dist = dist.resolve()

    def _file(self, path: str) -> Path | None:
        candidate = (self.dist / path.lstrip("/")).resolve()
        if candidate.is_relative_to(self.dist) and candidate.is_file():
            return candidate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or path.startswith(API_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        found = self._file(path) if path != "/" else None
        response: Response
        if found is not None:
            cache = IMMUTABLE if "/assets/" in path else "no-cache"
            response = FileResponse(found, headers={"Cache-Control": cache})
        elif Path(path).suffix and not path.endswith(".html"):
            response = Response("not found", status_code=404, media_type="text/plain")
        else:
            response = FileResponse(self.dist / "index.html", headers={"Cache-Control": "no-cache"})
        await response(scope, receive, send)


def has_build(dist: Path = DIST) -> bool:
    return (dist / "index.html").is_file()
