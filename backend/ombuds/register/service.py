"""The register is read with one statement per page for the disclosures, their complaint
references and disclosers, and one for their recipients, whatever the page size."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.investigation import disclosures
from ombuds.kit.pagination import cursor_uuid, decode_cursor, invalid_cursor
from ombuds.models import Complaint, Disclosure, User
from ombuds.register.schemas import Discloser, RegisterEntry, RegisterRecipient


def _cursor_key(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    try:
        at = datetime.fromisoformat(key[0])
    except ValueError as exc:
        raise invalid_cursor() from exc
    return at, cursor_uuid(key[1])


async def page(
    db: AsyncSession, actor: Principal, *, cursor: str | None, limit: int
) -> list[RegisterEntry]:
    """Newest first."""
    stmt = (
        select(Disclosure, Complaint.reference, User.id, User.display_name)
        .join(Complaint, Complaint.id == Disclosure.complaint_id)
        .join(User, User.id == Disclosure.disclosed_by)
        .order_by(Disclosure.disclosed_at.desc(), Disclosure.id.desc())
        .limit(limit)
    )
    key = _cursor_key(cursor)
    if key is not None:
        at, before = key
        stmt = stmt.where(
            or_(
                Disclosure.disclosed_at < at,
                and_(Disclosure.disclosed_at == at, Disclosure.id < before),
            )
        )
    rows = (await db.execute(stmt)).all()
    views = await disclosures.with_recipients(db, [row[0] for row in rows])
    await audit.record(db, actor, "register.list", "disclosure", None)
    return [
        RegisterEntry(
            id=view.disclosure.id,
            complaint_reference=reference,
            purpose=view.disclosure.purpose,
            disclosed_at=view.disclosure.disclosed_at,
            disclosed_by=Discloser(id=user_id, display_name=display_name),
            recipients=[
                RegisterRecipient(recipient=r.recipient, user_id=r.user_id) for r in view.recipients
            ],
        )
        for view, (_, reference, user_id, display_name) in zip(views, rows, strict=True)
    ]
