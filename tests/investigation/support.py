"""Checks shared by the investigation tests: problems, and "nothing changed"."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import (
    AuditEntry,
    Deadline,
    Disclosure,
    DisclosureRecipient,
    InvestigationEntry,
    PartyNotice,
    Recommendation,
    TimelineEvent,
)
from tests.factories.investigation import reload

PROBLEM_JSON = "application/problem+json"


def problem(
    response: httpx.Response, status: int, field: str | None = None, rule: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status``, naming ``field`` and ``rule``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    if field is not None or rule is not None:
        named = {(e["field"], e["rule"]) for e in body.get("errors", [])}
        assert (field, rule) in named, body
    return body


async def state(db: AsyncSession, complaint_id: uuid.UUID) -> dict[str, Any]:
    """Everything the investigation's steps change on one complaint."""
    c = await reload(db, complaint_id)

    async def rows(model: Any, *where: Any) -> int:
        return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    recommendations = (
        await db.scalars(
            select(Recommendation)
            .where(Recommendation.complaint_id == complaint_id)
            .order_by(Recommendation.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    notices = (
        await db.execute(
            select(PartyNotice.id, PartyNotice.told_on, PartyNotice.method)
            .where(PartyNotice.complaint_id == complaint_id)
            .order_by(PartyNotice.id)
        )
    ).all()
    deadlines = (
        await db.execute(
            select(Deadline.kind, Deadline.status, Deadline.satisfied_on)
            .where(Deadline.complaint_id == complaint_id)
            .order_by(Deadline.kind)
        )
    ).all()
    return {
        "version": c.version,
        "stage": c.stage,
        "closure": c.closure,
        "finding": (c.finding, c.findings_text, c.findings_on),
        "told": (c.complainant_told_conclusions_on, c.other_party_told_conclusions_on),
        "not_satisfied": (c.complainant_not_satisfied_on, c.referred_to_charge_on),
        "entries": await rows(InvestigationEntry, InvestigationEntry.complaint_id == complaint_id),
        "recommendations": [
            (r.id, r.disclosure_id, r.status, r.status_on, r.status_note) for r in recommendations
        ],
        "disclosures": await rows(Disclosure, Disclosure.complaint_id == complaint_id),
        "recipients": await rows(
            DisclosureRecipient,
            DisclosureRecipient.disclosure_id.in_(
                select(Disclosure.id).where(Disclosure.complaint_id == complaint_id)
            ),
        ),
        "notices": [tuple(n) for n in notices],
        "deadlines": [tuple(d) for d in deadlines],
        "timeline": await rows(TimelineEvent, TimelineEvent.complaint_id == complaint_id),
    }


async def audited(db: AsyncSession, action: str, actor_id: uuid.UUID) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.actor_id == actor_id)
        )
        or 0
    )
