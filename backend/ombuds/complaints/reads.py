"""Hot reads of complaints for case workers: the shape every read path copies.

Statements are built once, at import; they are read with Core on the request's
connection, and rows go straight into the role's schema (no ORM instances, no statement
construction or cache-key walk per request). The ORM stays where it serves writes
(service.py); a write's response still goes through views.detail, which reads the
complaint it holds.

The detail is four statements in the request's transaction: the complaint with every
fact its access rule and `allowed_actions` need (one row), its people, its incidents and
its deadlines; then the read's audit entry, one INSERT."""

from __future__ import annotations

import uuid
from typing import Any, cast

from fastapi import Response
from sqlalchemy import (
    JSON,
    Date,
    Integer,
    LargeBinary,
    Select,
    String,
    Text,
    Time,
    Uuid,
    bindparam,
    exists,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import actions
from ombuds.complaints.access import NOT_FOUND, etag, may_read
from ombuds.complaints.schemas import ComplaintDetail, DeadlineOut, IncidentOut, PersonOut
from ombuds.deadlines.service import overdue
from ombuds.kit.encryption import open_text, session_keyring
from ombuds.kit.errors import NotFound
from ombuds.models import (
    Category,
    Complaint,
    ComplaintPerson,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Incident,
    Member,
    PartyRole,
)

_CID = bindparam("cid", type_=Uuid())

_COMPLAINT = select(
    Complaint.id,
    Complaint.reference,
    Complaint.version,
    Complaint.intake_ombudsperson_id,
    Complaint.stage,
    Complaint.closure,
    Complaint.closed_on,
    Complaint.received_on,
    Complaint.setting,
    Complaint.redirected_to,
    Complaint.redirected_on,
    Complaint.other_routes_told_on,
    Complaint.resolution_sought,
    Complaint.grounds,
    Complaint.formal_route,
    Complaint.formal_route_chosen_on,
    Complaint.other_party_reviewed_on,
    Complaint.response_received_on,
    Complaint.response_text,
    Complaint.table_officers_notified_on,
    Complaint.table_officers_notice_recorded_at,
    Complaint.finding,
    Complaint.complainant_told_conclusions_on,
    Complaint.other_party_told_conclusions_on,
    Complaint.complainant_not_satisfied_on,
    Complaint.created_at,
    Complaint.updated_at,
    *actions.FACT_COLUMNS,
    exists()
    .where(
        ComplaintPerson.complaint_id == Complaint.id,
        ComplaintPerson.member_id == bindparam("mid", type_=Uuid()),
    )
    .label("person_on"),
).where(Complaint.id == _CID)


def _branch(src: int, **columns: Any) -> Select[Any]:
    """One branch of _CHILDREN: every branch has the same columns, typed as the first."""
    return select(
        literal(src, Integer()).label("src"),
        *(
            (type_coerce(columns[name], kind) if name in columns else sql_cast(null(), kind)).label(
                name
            )
            for name, kind in _CHILD_COLUMNS.items()
        ),
    )


# The people, incidents and deadlines of the complaint in one round trip (UNION ALL):
# `src` says which, and each branch fills the columns it has. Encrypted columns come back
# as ciphertext (LargeBinary), decrypted below with their own table and column.
_CHILD_COLUMNS: dict[str, Any] = {
    "id": Uuid(),
    "k1": String(),  # person's role | deadline's kind
    "k2": String(),  # deadline's status
    "member_id": Uuid(),
    "unit_id": Uuid(),
    "b1": LargeBinary(),  # person's full_name | incident's what
    "b2": LargeBinary(),  # person's contact | incident's location
    "t1": Text(),  # member's name | deadline's moved_by
    "t2": Text(),  # deadline's explanation
    "d1": Date(),  # incident's occurred_on | deadline's due_on
    "d2": Date(),  # deadline's trigger_on
    "d3": Date(),  # deadline's nominal_due_on
    "d4": Date(),  # deadline's satisfied_on
    "tm": Time(),  # incident's occurred_at
    "n": Integer(),  # deadline's period_days
    "j": JSON(),  # incident's categories
}
PERSON, INCIDENT, DEADLINE = 0, 1, 2
_CHILDREN = union_all(
    _branch(
        PERSON,
        id=ComplaintPerson.id,
        k1=ComplaintPerson.role,
        member_id=ComplaintPerson.member_id,
        unit_id=Member.unit_id,
        b1=ComplaintPerson.full_name,
        b2=ComplaintPerson.contact,
        t1=Member.full_name,
    )
    .select_from(ComplaintPerson)
    .outerjoin(Member, Member.id == ComplaintPerson.member_id)
    .where(ComplaintPerson.complaint_id == _CID),
    _branch(
        INCIDENT,
        id=Incident.id,
        b1=Incident.what,
        b2=Incident.location,
        d1=Incident.occurred_on,
        tm=Incident.occurred_at,
        j=Incident.categories,
    ).where(Incident.complaint_id == _CID),
    _branch(
        DEADLINE,
        id=Deadline.id,
        k1=Deadline.kind,
        k2=Deadline.status,
        t1=Deadline.moved_by,
        t2=Deadline.explanation,
        d1=Deadline.due_on,
        d2=Deadline.trigger_on,
        d3=Deadline.nominal_due_on,
        d4=Deadline.satisfied_on,
        n=Deadline.period_days,
    ).where(Deadline.complaint_id == _CID),
)


async def detail(
    db: AsyncSession, actor: Principal, complaint_id: uuid.UUID, response: Response
) -> ComplaintDetail:
    """GET /api/complaints/{id}: 404 unless the caller may read it; the read is audited
    (5.1) in the same transaction."""
    conn = await db.connection()
    params = {"cid": complaint_id, "uid": actor.id, "mid": actor.member_id}
    c = (await conn.execute(_COMPLAINT, params)).one_or_none()
    if c is None or not may_read(actor, c.intake_ombudsperson_id, c.formal_route, c):
        raise NotFound(NOT_FOUND)
    children = (await conn.execute(_CHILDREN, params)).all()
    await audit.append(
        conn, audit.audit_key(db), actor, "complaints.read", "complaint", complaint_id
    )
    keyring = session_keyring(db.sync_session)
    allowed = actions.allowed(actor, cast(actions.CaseState, c), actions.facts_of(c))
    response.headers["ETag"] = etag(cast(Complaint, c))
    cid = str(c.id)
    return ComplaintDetail(
        id=c.id,
        reference=c.reference,
        version=c.version,
        stage=c.stage,
        closure=c.closure,
        closed_on=c.closed_on,
        received_on=c.received_on,
        setting=c.setting,
        redirected_to=c.redirected_to,
        redirected_on=c.redirected_on,
        other_routes_told_on=c.other_routes_told_on,
        resolution_sought=open_text(
            keyring, c.resolution_sought, table="complaints", column="resolution_sought", row=cid
        ),
        grounds=c.grounds,
        people=sorted(
            (_person(keyring, r) for r in children if r.src == PERSON),
            key=lambda p: (p.role.value, p.id),
        ),
        incidents=sorted(
            (_incident(keyring, r) for r in children if r.src == INCIDENT),
            key=lambda i: (i.occurred_on, i.id),
        ),
        formal_route=c.formal_route,
        formal_route_chosen_on=c.formal_route_chosen_on,
        other_party_reviewed_on=c.other_party_reviewed_on,
        response_received_on=c.response_received_on,
        response_text=open_text(
            keyring, c.response_text, table="complaints", column="response_text", row=cid
        ),
        table_officers_notified_on=c.table_officers_notified_on,
        table_officers_notice_recorded_at=c.table_officers_notice_recorded_at,
        deadlines=sorted(
            (_deadline(r) for r in children if r.src == DEADLINE),
            key=lambda d: (d.due_on, d.id),
        ),
        allowed_actions=[a.value for a in allowed],
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _person(keyring: Any, p: Any) -> PersonOut:
    row = str(p.id)
    name = p.t1  # a member of the directory: their name as it stands there
    if name is None:
        name = open_text(keyring, p.b1, table="complaint_people", column="full_name", row=row)
    return PersonOut(
        id=p.id,
        role=PartyRole(p.k1),
        member_id=p.member_id,
        full_name=name or "",
        unit_id=p.unit_id,
        contact=open_text(keyring, p.b2, table="complaint_people", column="contact", row=row),
    )


def _incident(keyring: Any, i: Any) -> IncidentOut:
    row = str(i.id)
    return IncidentOut(
        id=i.id,
        what=open_text(keyring, i.b1, table="incidents", column="what", row=row),
        occurred_on=i.d1,
        occurred_at=i.tm,
        location=open_text(keyring, i.b2, table="incidents", column="location", row=row),
        categories=[Category(x) for x in i.j],
    )


def _deadline(d: Any) -> DeadlineOut:
    status = DeadlineStatus(d.k2)
    return DeadlineOut(
        id=d.id,
        kind=DeadlineKind(d.k1),
        status=status,
        due_on=d.d1,
        overdue=overdue(status, d.d1),
        trigger_on=d.d2,
        period_days=d.n,
        nominal_due_on=d.d3,
        moved_by=d.t1,
        explanation=d.t2,
        satisfied_on=d.d4,
    )
