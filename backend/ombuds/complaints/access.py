"""Who may see which complaint: one SQL function each for ombudspersons and staff
resources (`readable_complaints`) and for table officers (`officer_visible_complaints`),
used by list and get alike. What a caller may not see answers 404."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header
from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType

from ombuds.auth.access import require_roles
from ombuds.auth.principal import Principal
from ombuds.kit.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    field_error,
)
from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    InformalParticipant,
    OfficerConflict,
    Role,
    User,
    UserRole,
)

NOT_FOUND = "No such complaint."

# Ombudspersons and staff resources work on complaints; administrators see none at all.
CaseWorker = Annotated[Principal, Depends(require_roles(Role.ombudsperson, Role.staff_resource))]
Ombudsperson = Annotated[Principal, Depends(require_roles(Role.ombudsperson))]
TableOfficer = Annotated[Principal, Depends(require_roles(Role.table_officer))]


@dataclass(frozen=True)
class Caller:
    """Whom the visibility SQL below is for. From a principal (`caller_of`) the id is
    written into the SQL text and the member is a parameter; a statement built once
    (complaints/reads.py) takes a template (`template_caller`) whose id and member are
    the bind parameters `uid` and `mid`, the id still rendered into the text at
    execution (literal_execute) so that PostgreSQL plans with its value."""

    id: ColumnElement[Any] | None
    member_id: ColumnElement[Any] | None
    roles: frozenset[Role]

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def caller_of(principal: Principal | Caller) -> Caller:
    if isinstance(principal, Caller):
        return principal
    return Caller(
        literal(principal.id, Uuid(), literal_execute=True) if principal.id else None,
        literal(principal.member_id, Uuid()) if principal.member_id else None,
        principal.roles,
    )


def template_caller(roles: frozenset[Role], *, has_member: bool) -> Caller:
    return Caller(
        bindparam("uid", type_=Uuid(), literal_execute=True),
        bindparam("mid", type_=Uuid()) if has_member else None,
        roles,
    )


def _is_person_on(member_id: Any) -> ColumnElement[bool]:
    """The member is a party or a witness on the complaint."""
    if member_id is None:
        return false()
    return exists().where(
        ComplaintPerson.complaint_id == Complaint.id, ComplaintPerson.member_id == member_id
    )


def _sits_on_committee(user_id: Any) -> ColumnElement[bool]:
    # Correlated explicitly: inside a subquery on deadlines (the dashboard's next deadline)
    # the complaint is two levels up, beyond what implicit correlation reaches.
    return (
        exists()
        .where(
            Committee.complaint_id == Complaint.id,
            Committee.status == CommitteeStatus.confirmed,
            or_(
                Committee.staff_resource_id == user_id,
                exists().where(
                    CommitteeMember.committee_id == Committee.id,
                    CommitteeMember.user_id == user_id,
                ),
            ),
        )
        .correlate(Complaint)
    )


class _InSmallSet(ColumnElement[bool]):
    """``column IN (subquery)``; on PostgreSQL ``column = ANY(ARRAY(subquery))``: the
    subquery runs once, on its own, and its few ids are looked up by index. As a semi-join
    PostgreSQL plans the caller's committee seats as a parallel scan at a million
    complaints, whose start-up costs more than the lookup (issue 7)."""

    inherit_cache = True
    _is_implicitly_boolean = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 - SQLAlchemy's own API
        ("column", InternalTraversal.dp_clauseelement),
        ("subquery", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()

    def __init__(self, column: QueryableAttribute[Any], subquery: Select[Any]) -> None:
        self.column: ColumnElement[Any] = column.expression
        self.subquery = subquery.scalar_subquery()


@compiles(_InSmallSet)
def _in_small_set(element: _InSmallSet, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.subquery.element), **kw)


@compiles(_InSmallSet, "postgresql")
def _in_small_set_postgresql(element: _InSmallSet, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(ARRAY{compiler.process(element.subquery, **kw)})"


def readable_complaints(principal: Principal | Caller) -> ColumnElement[bool]:
    """Who reads a complaint's details (POLICY.md "People and roles"): the ombudsperson who
    took it in and its confirmed CRC (members and staff resource); an ombudsperson who took
    part in an informal attempt only while the complaint is informal, before any formal
    route is chosen (4.2.1, 4.3); never a party or a witness (5.1).

    The complaints a caller is involved in are one UNION of index lookups by the caller's
    id, so a list costs what the caller's own caseload costs, never a scan of every
    complaint (issue 7)."""
    caller = caller_of(principal)
    involved = _involved(caller)
    if not involved:
        return false()
    return and_(Complaint.id.in_(union(*involved)), ~_is_person_on(caller.member_id))


def _involved(caller: Caller) -> list[Select[Any]]:
    """The complaints the caller reads by their part in it, before the party rule: one
    SELECT of complaint ids per part (none for a caller with no case worker's role)."""
    if caller.id is None or not caller.has_role(Role.ombudsperson, Role.staff_resource):
        return []
    # The caller's id and the committee status are written into the SQL, not sent as
    # parameters: with asyncpg every statement is prepared, and PostgreSQL's generic plan
    # for "staff_resource_id = $1" (a column that is mostly NULL) or an unknown caller
    # expects half the table and scans it; with the value it plans the index lookups.
    user_id = caller.id
    confirmed = Committee.status == literal(
        CommitteeStatus.confirmed.value, String(), literal_execute=True
    )
    involved: list[Select[Any]] = [
        select(Committee.complaint_id).where(
            _InSmallSet(
                Committee.id,
                select(CommitteeMember.committee_id).where(CommitteeMember.user_id == user_id),
            ),
            confirmed,
        ),
        select(Committee.complaint_id).where(Committee.staff_resource_id == user_id, confirmed),
    ]
    if caller.has_role(Role.ombudsperson):
        informal = aliased(Complaint)
        involved += [
            select(Complaint.id).where(Complaint.intake_ombudsperson_id == user_id),
            # 4.3: from the formal route on, taking part informally gives no more reading.
            select(InformalParticipant.complaint_id)
            .join(informal, informal.id == InformalParticipant.complaint_id)
            .where(InformalParticipant.user_id == user_id, informal.formal_route.is_(None)),
        ]
    return involved


def may_read(
    principal: Principal, intake_ombudsperson_id: uuid.UUID, formal_route: object, facts: Any
) -> bool:
    """`readable_complaints` for one complaint whose facts are already read (its intake
    ombudsperson and formal route; from complaints/actions.py's columns: `crc_seat`,
    `crc_staff_resource`, `took_part_informally`, and `person_on`, the caller's member is a
    party or witness): the same rule, without a UNION over the caller's caseload for a
    single complaint. tests/security/test_read_paths_agree.py holds the two to agreeing."""
    if principal.id is None or not principal.has_role(Role.ombudsperson, Role.staff_resource):
        return False
    if facts.person_on:
        return False
    if facts.crc_seat or facts.crc_staff_resource:
        return True
    return principal.has_role(Role.ombudsperson) and (
        intake_ombudsperson_id == principal.id
        or (bool(facts.took_part_informally) and formal_route is None)
    )


def known_complaints(principal: Principal | Caller) -> ColumnElement[bool]:
    """The complaints a caller may know of: those they may read, and (4.2.1) those on whose
    informal attempt they took part, for the complaint's identity (its dashboard row) and
    the attempts they were part of, at any stage; never a party or a witness (5.1)."""
    caller = caller_of(principal)
    ids = known_complaint_ids(caller)
    if ids is None:
        return false()
    return and_(Complaint.id.in_(ids), ~_is_person_on(caller.member_id))


def known_complaint_ids(caller: Caller) -> CompoundSelect[Any] | None:
    """`known_complaints` before the party rule, as one UNION of complaint ids: a list can
    start from it (join the complaints to it) and cost what the caller's own caseload
    costs at any size of the database; `not_a_party` completes the rule."""
    involved = _involved(caller)
    if not involved:
        return None
    if caller.has_role(Role.ombudsperson):
        involved.append(
            select(InformalParticipant.complaint_id).where(InformalParticipant.user_id == caller.id)
        )
    return union(*involved)


def not_a_party(caller: Caller) -> ColumnElement[bool]:
    """5.1: the caller's member is neither a party nor a witness on the complaint."""
    return ~_is_person_on(caller.member_id)


def details_hidden(principal: Principal | Caller) -> ColumnElement[bool]:
    """Of the complaints ``known_complaints`` gives: those whose details the caller may not
    read (known only through an informal attempt, after the formal route was chosen)."""
    caller = caller_of(principal)
    if caller.id is None:
        return false()
    return and_(
        Complaint.formal_route.is_not(None),
        Complaint.intake_ombudsperson_id != caller.id,
        ~_sits_on_committee(caller.id),
    )


def officer_recused(user_id: Any, member_id: Any) -> ColumnElement[bool]:
    """4.3.1(iv): an officer who is a party (from the directory) or declared a conflict."""
    declared = exists().where(
        OfficerConflict.complaint_id == Complaint.id, OfficerConflict.user_id == user_id
    )
    return or_(declared, _is_person_on(member_id))


def officer_visible_complaints(principal: Principal | Caller) -> ColumnElement[bool]:
    """Table officers learn that a complaint exists once they are notified (4.3.1(iii)),
    and never of one on which they are recused (4.3.1(iv))."""
    caller = caller_of(principal)
    if caller.id is None or not caller.has_role(Role.table_officer):
        return false()
    return and_(
        Complaint.table_officers_notified_on.is_not(None),
        ~officer_recused(caller.id, caller.member_id),
    )


def recused_officer_count() -> Select[int]:
    """Correlated count of table officers recused on the complaint (declared or party)."""
    # Two levels down from the complaint: correlate explicitly, or the inner EXISTS would
    # range over every complaint.
    declared = (
        exists()
        .where(OfficerConflict.complaint_id == Complaint.id, OfficerConflict.user_id == User.id)
        .correlate(Complaint, User)
    )
    party = (
        exists()
        .where(
            ComplaintPerson.complaint_id == Complaint.id,
            ComplaintPerson.member_id == User.member_id,
        )
        .correlate(Complaint, User)
    )
    return (
        select(func.count(User.id))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.table_officer, User.is_active, or_(declared, party))
        .correlate(Complaint)
    )


async def readable(db: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> Complaint:
    complaint = await db.scalar(
        select(Complaint).where(Complaint.id == complaint_id, readable_complaints(principal))
    )
    if complaint is None:
        raise NotFound(NOT_FOUND)
    return complaint


@dataclass(frozen=True)
class Known:
    complaint: Complaint
    readable: bool  # False: known only through the caller's part in an informal attempt


async def known(db: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> Known:
    """A complaint the caller may know of (else 404), and whether they may read it."""
    row = (
        await db.execute(
            select(Complaint, readable_complaints(principal)).where(
                Complaint.id == complaint_id, known_complaints(principal)
            )
        )
    ).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return Known(row[0], bool(row[1]))


async def officer_visible(
    db: AsyncSession, principal: Principal, complaint_id: uuid.UUID
) -> Complaint:
    complaint = await db.scalar(
        select(Complaint).where(Complaint.id == complaint_id, officer_visible_complaints(principal))
    )
    if complaint is None:
        raise NotFound(NOT_FOUND)
    return complaint


def etag(complaint: Complaint) -> str:
    return f'"{complaint.id.hex[:12]}-v{complaint.version}"'


def check_version(complaint: Complaint, if_match: str | None) -> None:
    """Every change carries the version it was based on (4.3.1 procedure integrity)."""
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag from your last read of the complaint.",
            errors=[field_error("If-Match", "required", "the complaint's ETag")],
        )
    if if_match.strip() != etag(complaint):
        raise PreconditionFailed(
            "Someone else changed the complaint since you read it; reload and reapply.",
            current_version=complaint.version,
        )


IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag from the last read of the complaint"),
]


async def for_change(
    db: AsyncSession, principal: Principal, complaint_id: uuid.UUID, if_match: str | None
) -> Complaint:
    """A complaint the case worker may see, at the version they read."""
    complaint = await readable(db, principal, complaint_id)
    check_version(complaint, if_match)
    return complaint


async def for_officer_change(
    db: AsyncSession, principal: Principal, complaint_id: uuid.UUID, if_match: str | None
) -> Complaint:
    complaint = await officer_visible(db, principal, complaint_id)
    check_version(complaint, if_match)
    return complaint


async def on_committee(db: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> bool:
    """The caller sits on the complaint's confirmed CRC (as a member or its staff resource)."""
    if principal.id is None:
        return False
    found = await db.scalar(
        select(Complaint.id).where(Complaint.id == complaint_id, _sits_on_committee(principal.id))
    )
    return found is not None


NOT_HANDLING = (
    "Only the ombudsperson handling the complaint records this step; "
    "the Complaint Review Committee reviews it."
)


async def handles(db: AsyncSession, principal: Principal, complaint: Complaint) -> bool:
    """The intake ombudsperson, or one who took part in an informal attempt (4.2.1) while
    no formal route is chosen (4.3)."""
    if principal.id is None:
        return False
    if complaint.intake_ombudsperson_id == principal.id:
        return True
    if complaint.formal_route is not None:
        return False
    took_part = await db.scalar(
        select(InformalParticipant.user_id)
        .where(
            InformalParticipant.complaint_id == complaint.id,
            InformalParticipant.user_id == principal.id,
        )
        .limit(1)
    )
    return took_part is not None


async def for_handling(
    db: AsyncSession, principal: Principal, complaint_id: uuid.UUID, if_match: str | None
) -> Complaint:
    """A complaint the caller may see (else 404), at the version they read (428/412),
    that they handle (else 403: they can see it, so the refusal reveals nothing)."""
    complaint = await for_change(db, principal, complaint_id, if_match)
    if not await handles(db, principal, complaint):
        raise Forbidden(NOT_HANDLING)
    return complaint
