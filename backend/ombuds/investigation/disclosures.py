"""5.1: every disclosure of names or circumstances outside the roles, with its reason:
for investigation, for corrective action, or where the law requires it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import stages
from ombuds.investigation.schemas import DisclosureIn
from ombuds.models import Complaint, Disclosure, DisclosureRecipient


@dataclass(frozen=True)
class DisclosureView:
    disclosure: Disclosure
    recipients: list[DisclosureRecipient]


async def record(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: DisclosureIn
) -> DisclosureView:
    """A disclosure made outside the system (to an investigator, by law...), recorded."""
    assert actor.id is not None
    disclosure = Disclosure(
        complaint_id=complaint.id,
        purpose=body.purpose,
        reason=body.reason,
        content=body.content,
        disclosed_by=actor.id,
    )
    db.add(disclosure)
    await db.flush()
    recipient = DisclosureRecipient(
        disclosure_id=disclosure.id, complaint_id=complaint.id, recipient=body.recipient
    )
    db.add(recipient)
    await stages.record_event(db, complaint, actor.id, "disclosure.recorded")
    await audit.record(db, actor, "investigation.record_disclosure", "disclosure", disclosure.id)
    return DisclosureView(disclosure, [recipient])


async def with_recipients(db: AsyncSession, items: list[Disclosure]) -> list[DisclosureView]:
    by_disclosure: defaultdict[uuid.UUID, list[DisclosureRecipient]] = defaultdict(list)
    if items:
        rows = await db.scalars(
            select(DisclosureRecipient).where(
                DisclosureRecipient.disclosure_id.in_([d.id for d in items])
            )
        )
        # Encrypted at rest, so sorted here rather than in SQL.
        for r in sorted(rows.all(), key=lambda r: (r.recipient, r.id)):
            by_disclosure[r.disclosure_id].append(r)
    return [DisclosureView(d, by_disclosure[d.id]) for d in items]


async def listing(db: AsyncSession, actor: Principal, complaint: Complaint) -> list[DisclosureView]:
    rows = await db.scalars(
        select(Disclosure)
        .where(Disclosure.complaint_id == complaint.id)
        .order_by(Disclosure.disclosed_at, Disclosure.id)
    )
    await audit.record(db, actor, "investigation.read_disclosures", "complaint", complaint.id)
    return await with_recipients(db, list(rows.all()))
