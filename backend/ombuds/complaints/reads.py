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
from datetime import date
from functools import cache
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
    and_,
    bindparam,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import actions
from ombuds.complaints.access import (
    NOT_FOUND,
    details_hidden,
    etag,
    known_complaint_ids,
    may_read,
    not_a_party,
    template_caller,
)
from ombuds.complaints.schemas import (
    ComplaintDetail,
    ComplaintSummary,
    DeadlineOut,
    IncidentOut,
    NextDeadline,
    PersonOut,
)
from ombuds.deadlines.service import overdue
from ombuds.kit.datakeys import owners_of, session_keys
from ombuds.kit.encryption import open_text
from ombuds.kit.errors import NotFound
from ombuds.kit.pagination import decode_cursor, encode_cursor, invalid_cursor
from ombuds.kit.schemas import Page
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
    Role,
    Stage,
)
from ombuds.retention.tombstone import record_destroyed

CASE_ROLES = frozenset({Role.ombudsperson, Role.staff_resource})
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
    Complaint.destroyed_at,
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
    db: AsyncSession,
    actor: Principal,
    complaint_id: uuid.UUID,
    response: Response,
    *,
    access_checked: bool = False,
) -> ComplaintDetail:
    """GET /api/complaints/{id}: 404 unless the caller may read it (or `access_checked`:
    a change's route already decided); the read is audited (5.1) in the same
    transaction."""
    conn = await db.connection()
    params = {"cid": complaint_id, "uid": actor.id, "mid": actor.member_id}
    c = (await conn.execute(_COMPLAINT, params)).one_or_none()
    if c is None or not (
        access_checked or may_read(actor, c.intake_ombudsperson_id, c.formal_route, c)
    ):
        raise NotFound(NOT_FOUND)
    if c.destroyed_at is not None:
        raise record_destroyed(c.id, c.destroyed_at)
    children = (await conn.execute(_CHILDREN, params)).all()
    await audit.append(
        conn, audit.audit_key(db), actor, "complaints.read", "complaint", complaint_id
    )
    keyring = session_keys(db.sync_session)
    # The data keys the values are under (the complaint's, unless written before data
    # keys existed): one key-store query on a miss, none when cached or all under the ring.
    blobs = [c.resolution_sought, c.response_text]
    blobs += [v for r in children if r.src in (PERSON, INCIDENT) for v in (r.b1, r.b2)]
    await keyring.prefetch(owners_of(blobs))
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


# The dashboard ---------------------------------------------------------------------------

FAR_FUTURE = date(9999, 12, 31)  # the sort key of a complaint with no open deadline


@cache
def _dashboard_statement(
    roles: frozenset[Role], has_member: bool, include_closed: bool, after: bool
) -> Select[Any]:
    """One statement per shape of caller and request, built the first time it is asked
    for: the rows of the page with each one's first open deadline (kind and date), in one
    round trip. A complaint known only through an informal attempt shows no deadline."""
    caller = template_caller(roles, has_member=has_member)
    ids = known_complaint_ids(caller)
    if ids is None:
        raise ValueError("the dashboard is for callers with a case worker's role")
    known = ids.subquery("known")
    first_open = (
        select(Deadline.due_on, Deadline.kind)
        .where(
            Deadline.complaint_id == Complaint.id,
            Deadline.status == DeadlineStatus.open,
            ~details_hidden(caller),
        )
        .order_by(Deadline.due_on, Deadline.id)
        .limit(1)
        .correlate(Complaint)
    )
    next_due = first_open.with_only_columns(Deadline.due_on).scalar_subquery()
    sort_key = func.coalesce(next_due, FAR_FUTURE)
    stmt = (
        select(
            Complaint.id,
            Complaint.reference,
            Complaint.stage,
            Complaint.closure,
            Complaint.received_on,
            Complaint.updated_at,
            sort_key.label("next_due"),
            first_open.with_only_columns(Deadline.kind).scalar_subquery().label("next_kind"),
        )
        # From the caller's own caseload (a UNION of index lookups by their id), joined to
        # the complaints by primary key: the cost of the caller's caseload at any size of
        # the database, never a scan of every complaint.
        .select_from(known.join(Complaint, Complaint.id == known.c[0]))
        .where(not_a_party(caller))
        .order_by(sort_key, Complaint.id)
        # The page size in the SQL text, so a generic plan knows it (deadlines.page_limit).
        .limit(bindparam("page_limit", type_=Integer(), literal_execute=True))
    )
    if not include_closed:
        stmt = stmt.where(Complaint.stage != Stage.closed)
    if after:
        after_due = bindparam("after_due", type_=Date())
        after_id = bindparam("after_id", type_=Uuid())
        stmt = stmt.where(
            or_(sort_key > after_due, and_(sort_key == after_due, Complaint.id > after_id))
        )
    return stmt


async def dashboard(
    db: AsyncSession, actor: Principal, *, cursor: str | None, limit: int, include_closed: bool
) -> Page[ComplaintSummary]:
    """GET /api/complaints: the caller's complaints, the nearest open deadline first
    (overdue ones lead); no names, so a glance over a shoulder reveals nothing."""
    key = decode_cursor(cursor, 2)
    if not actor.roles & CASE_ROLES:  # the route's rule lets none through; nothing to list
        return Page(items=[], next_cursor=None)
    stmt = _dashboard_statement(
        actor.roles & CASE_ROLES, actor.member_id is not None, include_closed, key is not None
    )
    params: dict[str, Any] = {"uid": actor.id, "mid": actor.member_id, "page_limit": limit}
    if key is not None:
        try:
            params |= {"after_due": date.fromisoformat(key[0]), "after_id": uuid.UUID(key[1])}
        except ValueError:
            raise invalid_cursor() from None
    conn = await db.connection()
    rows = (await conn.execute(stmt, params)).all()
    items = [
        ComplaintSummary(
            id=r.id,
            reference=r.reference,
            stage=r.stage,
            closure=r.closure,
            received_on=r.received_on,
            updated_at=r.updated_at,
            next_deadline=None
            if r.next_kind is None
            else NextDeadline(
                kind=r.next_kind,
                due_on=r.next_due,
                overdue=overdue(DeadlineStatus.open, r.next_due),
            ),
        )
        for r in rows
    ]
    last = rows[-1] if len(rows) == limit else None
    return Page(
        items=items,
        next_cursor=encode_cursor(last.next_due.isoformat(), str(last.id)) if last else None,
    )
