from __future__ import annotations

from fastapi import APIRouter

from ombuds.kit.deps import DbSession
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import Page
from ombuds.register import service
from ombuds.register.access import RegisterKeeper
from ombuds.register.schemas import RegisterEntry

router = APIRouter(prefix="/api/disclosures", tags=["disclosures"])


@router.get("", response_model=Page[RegisterEntry], name="register")
async def register(
    db: DbSession, actor: RegisterKeeper, cursor: Cursor = None, limit: PageSize = 50
) -> Page[RegisterEntry]:
    """The disclosure register (5.1), newest first: purpose, who, to whom; no content."""
    items = await service.page(db, actor, cursor=cursor, limit=limit)
    last = items[-1] if len(items) == limit else None
    nxt = encode_cursor(last.disclosed_at.isoformat(), last.id) if last else None
    return Page(items=items, next_cursor=nxt)
