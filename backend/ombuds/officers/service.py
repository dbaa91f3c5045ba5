"""The table officers' status board and their conflicts (4.3.1(iv)).

Which complaints an officer sees is `officer_visible_complaints` (complaints/access.py),
in SQL, for the list and the detail alike: a recused officer never sees the row."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Integer, Select, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.committees import service as committees
from ombuds.complaints import stages
from ombuds.complaints.access import (
    NOT_FOUND,
    officer_visible_complaints,
    recused_officer_count,
    template_caller,
)
from ombuds.deadlines import service as deadlines
from ombuds.kit.errors import NotFound
from ombuds.kit.pagination import decode_cursor
from ombuds.models import (
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    OfficerConflict,
    Role,
    Stage,
)
from ombuds.officers.schemas import ComplaintStatusForOfficer, DeadlineForOfficer

# The step the procedure awaits, in fixed words: the stage says it, nothing else does.
AWAITING: dict[Stage, str] = {
    Stage.intake: "The complaint is being taken in",
    Stage.informal: "An informal resolution is being attempted",
    Stage.letter: "The letter of complaint is being completed",
    Stage.review: "The other party is being asked to respond",
    Stage.committee: "A Complaint Review Committee must be struck",
    Stage.investigation: "The Complaint Review Committee is investigating",
    Stage.conclusions: "Conclusions are being communicated",
    Stage.closed: "Closed",
}


BOARD_COLUMNS = (Complaint.id, Complaint.reference, Complaint.version, Complaint.stage)


class _Row(Protocol):
    """A complaint as the board shows it: an ORM `Complaint`, or a row read with Core."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def reference(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def stage(self) -> Stage: ...


class _DeadlineRow(Protocol):
    @property
    def kind(self) -> DeadlineKind: ...
    @property
    def due_on(self) -> date: ...
    @property
    def status(self) -> DeadlineStatus: ...


def _deadline(d: _DeadlineRow) -> DeadlineForOfficer:
    return DeadlineForOfficer(
        kind=d.kind, due_on=d.due_on, status=d.status, overdue=deadlines.is_overdue(d)
    )


def _status(
    complaint: _Row, recused: int, owed: Sequence[_DeadlineRow]
) -> ComplaintStatusForOfficer:
    return ComplaintStatusForOfficer(
        id=complaint.id,
        reference=complaint.reference,
        version=complaint.version,
        stage=complaint.stage,
        awaiting=AWAITING[complaint.stage],
        crc_to_be_struck=complaint.stage is Stage.committee,
        recused_officers=recused,
        deadlines=[_deadline(d) for d in owed],
    )


async def _with_deadlines(
    db: AsyncSession, rows: list[tuple[Complaint, int]]
) -> list[ComplaintStatusForOfficer]:
    by_complaint: dict[uuid.UUID, list[Deadline]] = defaultdict(list)
    for d in await deadlines.for_complaints(db, [c.id for c, _ in rows]):
        # 5.1: a record's destruction date is the handling ombudsperson's alone.
        if d.complaint_id is not None and d.kind is not DeadlineKind.records_destruction:
            by_complaint[d.complaint_id].append(d)
    return [_status(c, int(recused), by_complaint[c.id]) for c, recused in rows]


@cache
def _board_statement(has_member: bool, include_closed: bool, after: bool) -> Select[Any]:
    """Built once per shape of request: the page of complaints the officer may know of,
    with how many officers are recused on each, straight into the officers' schema."""
    caller = template_caller(frozenset({Role.table_officer}), has_member=has_member)
    stmt = (
        select(*BOARD_COLUMNS, recused_officer_count().scalar_subquery().label("recused"))
        .where(officer_visible_complaints(caller))
        .order_by(Complaint.reference)
        .limit(bindparam("page_limit", type_=Integer(), literal_execute=True))
    )
    if not include_closed:
        stmt = stmt.where(Complaint.stage != Stage.closed)
    if after:
        stmt = stmt.where(Complaint.reference > bindparam("after", type_=String()))
    return stmt


_BOARD_DEADLINES = (
    select(Deadline.complaint_id, Deadline.kind, Deadline.due_on, Deadline.status)
    .where(
        Deadline.complaint_id.in_(bindparam("ids", expanding=True)),
        # 5.1: a record's destruction date is the handling ombudsperson's, not the officers'.
        Deadline.kind != DeadlineKind.records_destruction,
    )
    .order_by(Deadline.due_on, Deadline.id)
)


async def board(
    db: AsyncSession, actor: Principal, *, cursor: str | None, limit: int, include_closed: bool
) -> list[ComplaintStatusForOfficer]:
    """The complaints the officer may know of, by reference. References are random, so
    the order reveals nothing (not even the order of intake), and it never shifts while
    someone pages through (a keyset on the reference). Two statements built once: the
    page, then its deadlines; no ORM instance."""
    key = decode_cursor(cursor, 1)
    stmt = _board_statement(actor.member_id is not None, include_closed, key is not None)
    conn = await db.connection()
    params = {"uid": actor.id, "mid": actor.member_id, "page_limit": limit, "after": key and key[0]}
    rows = (await conn.execute(stmt, params)).all()
    by_complaint: dict[uuid.UUID, list[Any]] = defaultdict(list)
    if rows:
        for d in await conn.execute(_BOARD_DEADLINES, {"ids": [r.id for r in rows]}):
            by_complaint[d.complaint_id].append(d)
    return [_status(r, int(r.recused), by_complaint[r.id]) for r in rows]


async def one(
    db: AsyncSession, actor: Principal, complaint_id: uuid.UUID
) -> tuple[Complaint, ComplaintStatusForOfficer]:
    row = (
        await db.execute(
            select(Complaint, recused_officer_count().scalar_subquery()).where(
                Complaint.id == complaint_id, officer_visible_complaints(actor)
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound(NOT_FOUND)
    await audit.record(db, actor, "officers.read_status", "complaint", complaint_id)
    complaint, recused = row
    (status,) = await _with_deadlines(db, [(complaint, int(recused))])
    return complaint, status


async def declare_conflict(db: AsyncSession, actor: Principal, complaint: Complaint) -> None:
    """4.3.1(iv): the officer leaves the case at once; the others see only the count."""
    assert actor.id is not None
    stages.require(complaint, stages.Action.declare_officer_conflict)
    async with committees.one_at_a_time():
        await stages.record_event(db, complaint, actor.id, "officer.conflict_declared")
        db.add(OfficerConflict(complaint_id=complaint.id, user_id=actor.id))
        await db.flush()
    await audit.record(db, actor, "officers.declare_conflict", "complaint", complaint.id)
