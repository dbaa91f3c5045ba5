from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query

from ombuds.audit import service
from ombuds.audit.access import AuditReader
from ombuds.kit.deps import DbSession
from ombuds.kit.pagination import PageSize
from ombuds.kit.schemas import BIGINT_MAX, OutputSchema
from ombuds.models import Outcome

router = APIRouter(prefix="/api/audit-entries", tags=["audit"])


class AuditEntryOut(OutputSchema):
    seq: int
    occurred_at: datetime
    actor_kind: str
    actor_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str | None
    outcome: Outcome


class AuditPage(OutputSchema):
    items: list[AuditEntryOut]
    next_before: int | None


@router.get("", response_model=AuditPage, name="list")
async def list_entries(
    db: DbSession,
    _: AuditReader,
    before: int | None = Query(
        default=None, ge=1, le=BIGINT_MAX, description="next_before of the last page"
    ),
    limit: PageSize = 100,
) -> AuditPage:
    """The audit log, newest first."""
    rows = await service.page(db, before_seq=before, limit=limit)
    return AuditPage(
        items=[AuditEntryOut.model_validate(r) for r in rows],
        next_before=rows[-1].seq if len(rows) == limit else None,
    )
