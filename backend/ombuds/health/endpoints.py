from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ombuds.auth.access import Public
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.errors import problem
from ombuds.kit.migrations import current_revisions, head_revisions
from ombuds.kit.schemas import OutputSchema

router = APIRouter(prefix="/api", tags=["health"])


class Health(OutputSchema):
    status: Literal["ok"]


@router.get("/health", response_model=Health)
async def live(_: Public) -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Health,
    responses={503: {"description": "Database unreachable or not migrated"}},
)
async def ready(db: DbSession, settings: AppSettings, _: Public) -> Health | JSONResponse:
    """Readiness: the database answers and its schema is at the migrations' head."""
    try:
        connection = await db.connection()
        current = await connection.run_sync(current_revisions)
    except Exception:
        return problem(503, "not-ready", "Not ready", "The database is unreachable.")
    if current != head_revisions(settings.database_url):
        return problem(
            503,
            "not-ready",
            "Not ready",
            "The database schema is not at the latest migration; run ombuds migrate.",
        )
    return Health(status="ok")
