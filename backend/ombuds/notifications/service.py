"""Writing notifications: in the transaction of the change that causes them.

`notify` is the one way in. It writes a notification for each person who wants this kind
(the kinds the policy makes theirs to act on cannot be turned off), and, for those with an
e-mail address, its outbox message: immediate, or held for the person's daily digest.
Nothing is sent here; a change that rolls back takes its notifications with it, and the
delivery worker (delivery.py) sends what committed.

A reminder the scan writes carries a dedupe key, so that however many times and in however
many workers the scan runs, each person gets it once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import utcnow
from ombuds.models import (
    REQUIRED_KINDS,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    DeliveryMode,
    Notification,
    NotificationKind,
    NotificationPreference,
    OfficerConflict,
    OutboxMessage,
    Role,
    User,
    UserRole,
)


def _insert(db: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = db.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert


async def notify(
    db: AsyncSession,
    kind: NotificationKind,
    user_ids: Iterable[uuid.UUID],
    *,
    complaint_id: uuid.UUID | None = None,
    due_on: date | None = None,
    dedupe: str | None = None,
) -> list[uuid.UUID]:
    """Notify each active person in `user_ids` who has not turned `kind` off; returns the
    ids of the notifications written (none for a reminder already written)."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return []
    await db.flush()  # the change that causes it is written first (its rows are referenced)
    people = (
        await db.execute(
            select(User.id, User.email, NotificationPreference.mode, NotificationPreference.muted)
            .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
            .where(User.id.in_(wanted), User.is_active)
        )
    ).all()
    insert = _insert(db)
    now = utcnow()
    written: list[uuid.UUID] = []
    for user_id, email, mode, muted in sorted(people, key=lambda p: str(p[0])):
        if kind not in REQUIRED_KINDS and kind.value in (muted or []):
            continue
        notification_id = uuid.uuid4()
        inserted = await db.scalar(
            insert(Notification)
            .values(
                id=notification_id,
                user_id=user_id,
                kind=kind,
                complaint_id=complaint_id,
                due_on=due_on,
                dedupe_key=f"{dedupe}:{user_id}" if dedupe else None,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notification.id)
        )
        if inserted is None:  # this reminder was written before
            continue
        written.append(notification_id)
        if email:
            db.add(
                OutboxMessage(
                    notification_id=notification_id,
                    user_id=user_id,
                    digest=mode == DeliveryMode.digest,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    await db.flush()
    return written


# -- who is told -----------------------------------------------------------------------------


def handling_ombudsperson(complaint: Complaint) -> list[uuid.UUID]:
    return [complaint.intake_ombudsperson_id]


async def table_officers(db: AsyncSession, complaint_id: uuid.UUID | None) -> list[uuid.UUID]:
    """The active table officers; about a complaint, only those not recused on it
    (4.3.1(iv): a party, or one who declared a conflict)."""
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.table_officer, User.is_active)
    )
    if complaint_id is not None:
        declared = exists().where(
            OfficerConflict.complaint_id == complaint_id, OfficerConflict.user_id == User.id
        )
        party = exists().where(
            ComplaintPerson.complaint_id == complaint_id,
            ComplaintPerson.member_id == User.member_id,
        )
        query = query.where(~declared, ~party)
    return list((await db.scalars(query.order_by(User.username))).all())


async def committee_members(db: AsyncSession, complaint_id: uuid.UUID) -> list[uuid.UUID]:
    """The members of the complaint's struck (confirmed) CRC: its ombudspersons, by seat,
    then its staff resource (4.3.1(v): three ombudspersons plus one staff resource)."""
    committee = (
        await db.execute(
            select(Committee.id, Committee.staff_resource_id).where(
                Committee.complaint_id == complaint_id,
                Committee.status == CommitteeStatus.confirmed,
            )
        )
    ).one_or_none()
    if committee is None:
        return []
    committee_id, staff_resource_id = committee
    rows = await db.scalars(
        select(CommitteeMember.user_id)
        .where(CommitteeMember.committee_id == committee_id)
        .order_by(CommitteeMember.seat)
    )
    members = list(rows.all())
    if staff_resource_id is not None and staff_resource_id not in members:
        members.append(staff_resource_id)
    return members
