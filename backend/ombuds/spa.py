"""Serve the built single-page app (frontend/dist) at "/", the API staying under /api.

Client routes such as /complaints/<id> get index.html (FastAPI's frontend fallback for
navigation requests); API routes are matched first, so /api never reaches the SPA. Without
a built frontend (frontend/dist missing) nothing is mounted and the API runs alone."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ombuds.kit.access import declare_public_paths
from ombuds.settings import REPO_ROOT

DIST = REPO_ROOT / "frontend" / "dist"


def mount_spa(app: FastAPI, directory: Path | None = None) -> bool:
    """Serve ``directory`` (frontend/dist) at "/" if it holds a build; returns whether it
    was mounted."""
    directory = directory or DIST
    if not (directory / "index.html").is_file():
        return False
    app.frontend("/", directory=directory, fallback="index.html", check_dir=True)
    # The SPA's files are public (they hold no data); the route check must know that.
    declare_public_paths(app, "/")
    return True
