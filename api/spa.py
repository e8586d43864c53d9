"""Serving the built SPA from the same origin as the API."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

# Beside the checkout by default; the Docker image installs the package elsewhere and says where.
SPA_DIR = Path(
    os.environ.get("RAPPORT_SPA_DIR") or Path(__file__).resolve().parent.parent / "frontend" / "dist"
)
_NOT_SPA = ("api/", "openapi.json", "docs", "redoc", "healthz", "readyz", "t/")


def mount_spa(app: FastAPI, spa_dir: Path = SPA_DIR) -> None:
    index = spa_dir / "index.html"
    if (spa_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=spa_dir / "assets"), name="spa-assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str, request: Request) -> Response:  # sync: file checks run in the threadpool
        if path.startswith(_NOT_SPA) or not index.is_file():
            raise HTTPException(status_code=404)
        candidate = (spa_dir / path).resolve()
        if path and candidate.is_file() and spa_dir.resolve() in candidate.parents:
            return FileResponse(candidate)
        # Client-side routes (/pipeline, /contacts/...) all load the app shell.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
