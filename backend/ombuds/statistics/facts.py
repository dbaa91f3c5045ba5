"""Coded facts, written in the transaction that closes a complaint (5.1, 6).

`record_closure` is called from one place, the state machine's move to `closed`
(complaints/stages.py), so every way a complaint closes writes them. They are read from
plain columns only (codes, dates, counts): nothing is decrypted, nothing free is copied,
and they outlive the complaint's content when its record class's retention ends.

The Unit is the complainant's Unit in the directory, kept only when that Unit has at
least `facts_unit_min_members` members (setting `OMBUDS_FACTS_UNIT_MIN_MEMBERS`): a
complaint from a Unit of twelve names a small circle; one from a Unit of hundreds does
not. Below the threshold, or without a complainant in the directory, it is null."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import (
    Closure,
    Committee,
    Complaint,
    ComplaintFacts,
    ComplaintPerson,
    Deadline,
    DeadlineStatus,
    Finding,
    Incident,
    Member,
    PartyRole,
    Recommendation,
    Stage,
    TimelineEvent,
)
from ombuds.retention.classes import class_of

# The session's info carries the Unit threshold (set by create_app and the CLI).
UNIT_MIN_MEMBERS_KEY = "facts_unit_min_members"
DEFAULT_UNIT_MIN_MEMBERS = 50


class Outcome(StrEnum):
    redirected = "redirected"  # 1.3
    resolved_informally = "resolved_informally"  # 4.2.1
    withdrawn = "withdrawn"
    referred_to_charge = "referred_to_charge"  # 4.3.1, CUPE constitutional charge
    dismissed = "dismissed"  # 4.3.1(viii): harassment not found
    harassment_found = "harassment_found"  # 4.3.1(viii)


def outcome_of(closure: Closure, finding: Finding | None) -> Outcome:
    """Concluded is the close of a complaint where harassment was found (4.3.1(viii));
    every other closure is its own outcome."""
    if closure is Closure.concluded or finding is Finding.harassment_found:
        return Outcome.harassment_found
    return Outcome(closure.value)


class Step(StrEnum):
    """The durations kept, in days, between the procedure's steps."""

    received_to_route = "received_to_route"  # intake -> formal route chosen (4.3)
    route_to_response = "route_to_response"  # -> other party's response (4.3.1(ii))
    route_to_committee = "route_to_committee"  # -> CRC struck (4.3.1(v))
    committee_to_findings = "committee_to_findings"  # -> findings (4.3.1(viii))
    findings_to_closed = "findings_to_closed"
    received_to_closed = "received_to_closed"


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def durations(
    received: date,
    route: date | None,
    response: date | None,
    struck: date | None,
    findings: date | None,
    closed: date,
) -> dict[str, int]:
    spans = {
        Step.received_to_route: (received, route),
        Step.route_to_response: (route, response),
        Step.route_to_committee: (route, struck),
        Step.committee_to_findings: (struck, findings),
        Step.findings_to_closed: (findings, closed),
        Step.received_to_closed: (received, closed),
    }
    return {
        step.value: (end - start).days
        for step, (start, end) in spans.items()
        if start is not None and end is not None
    }


def _codes(rows: Any) -> list[str]:
    return sorted({str(code) for row in rows for code in (row or [])})


async def _unit(db: AsyncSession, complaint_id: uuid.UUID, min_members: int) -> uuid.UUID | None:
    units = list(
        await db.scalars(
            select(Member.unit_id)
            .distinct()
            .join(ComplaintPerson, ComplaintPerson.member_id == Member.id)
            .where(
                ComplaintPerson.complaint_id == complaint_id,
                ComplaintPerson.role == PartyRole.complainant,
            )
        )
    )
    if len(units) != 1:
        return None
    size = await db.scalar(select(func.count()).where(Member.unit_id == units[0]))
    return units[0] if (size or 0) >= min_members else None


async def _last_open_stage(db: AsyncSession, complaint_id: uuid.UUID) -> Stage:
    """For the backfill: the stage of the last move before the complaint closed."""
    kinds = await db.scalars(
        select(TimelineEvent.kind)
        .where(
            TimelineEvent.complaint_id == complaint_id,
            TimelineEvent.kind.like("stage.%"),
            TimelineEvent.kind != f"stage.{Stage.closed.value}",
        )
        .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
        .limit(1)
    )
    kind = kinds.first()
    return Stage(kind.removeprefix("stage.")) if kind else Stage.intake


def unit_min_members(db: AsyncSession) -> int:
    return int(db.info.get(UNIT_MIN_MEMBERS_KEY, DEFAULT_UNIT_MIN_MEMBERS))


class Closed(Protocol):
    """The plain columns the facts are read from (a Complaint, or a row of them)."""

    id: uuid.UUID
    received_on: date
    closure: Closure | None
    closed_on: date | None
    finding: Finding | None
    grounds: list[str]
    formal_route_chosen_on: date | None
    response_received_on: date | None
    findings_on: date | None


PLAIN = (
    Complaint.id,
    Complaint.received_on,
    Complaint.closure,
    Complaint.closed_on,
    Complaint.finding,
    Complaint.grounds,
    Complaint.formal_route_chosen_on,
    Complaint.response_received_on,
    Complaint.findings_on,
)


async def build(db: AsyncSession, complaint: Closed, stage_reached: Stage) -> ComplaintFacts:
    """The facts of a closed complaint, from its plain columns and coded rows."""
    assert complaint.closure is not None and complaint.closed_on is not None
    cid = complaint.id
    categories = _codes(
        await db.scalars(select(Incident.categories).where(Incident.complaint_id == cid))
    )
    kinds = _codes(
        [k]
        for k in await db.scalars(
            select(Recommendation.kind).where(Recommendation.complaint_id == cid)
        )
    )
    deadlines = {
        kind.value: (DeadlineStatus.cancelled if status is DeadlineStatus.open else status).value
        for kind, status in (
            await db.execute(
                select(Deadline.kind, Deadline.status).where(Deadline.complaint_id == cid)
            )
        ).all()
    }
    struck = await db.scalar(select(Committee.struck_on).where(Committee.complaint_id == cid))
    return ComplaintFacts(
        complaint_id=cid,
        received_year=complaint.received_on.year,
        received_quarter=quarter_of(complaint.received_on),
        closed_on=complaint.closed_on,
        record_class=class_of(complaint.closure).value,
        stage_reached=stage_reached.value,
        outcome=outcome_of(complaint.closure, complaint.finding).value,
        categories=categories,
        grounds=sorted(set(complaint.grounds or [])),
        recommendation_kinds=kinds,
        deadlines=deadlines,
        durations=durations(
            complaint.received_on,
            complaint.formal_route_chosen_on,
            complaint.response_received_on,
            struck,
            complaint.findings_on,
            complaint.closed_on,
        ),
        unit_id=await _unit(db, cid, unit_min_members(db)),
    )


async def record_closure(db: AsyncSession, complaint: Complaint, stage_reached: Stage) -> None:
    """Write the facts of a complaint that has just closed (once: a second call keeps
    the first row)."""
    exists = await db.scalar(
        select(ComplaintFacts.id).where(ComplaintFacts.complaint_id == complaint.id)
    )
    if exists is None:
        db.add(await build(db, complaint, stage_reached))
        await db.flush()


async def backfill(db: AsyncSession) -> int:
    """Facts for complaints closed before they were written at closure; idempotent.
    Returns how many were written."""
    missing = await db.execute(
        select(*PLAIN)
        .outerjoin(ComplaintFacts, ComplaintFacts.complaint_id == Complaint.id)
        .where(Complaint.stage == Stage.closed, ComplaintFacts.id.is_(None))
        .order_by(Complaint.id)
    )
    written = 0
    for row in missing.all():
        db.add(await build(db, row, await _last_open_stage(db, row.id)))
        written += 1
    await db.flush()
    return written
