"""The deadlines API's page (GET /api/deadlines): a hot read for integrations and users.

One statement per shape of caller and query, built the first time it is asked for (the
caller's id a bind parameter, see complaints/access.py `Caller`), read with Core: rows
go straight into the schema."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    Uuid,
    bindparam,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ombuds.auth.principal import Principal
from ombuds.complaints.access import template_caller
from ombuds.deadlines.access import sees_every_deadline, sees_policy_reviews, visibility
from ombuds.kit.db import UTCDateTime
from ombuds.models import Complaint, Deadline, DeadlineStatus, Role

_ROLES = frozenset({Role.ombudsperson, Role.staff_resource, Role.table_officer})


def _columns(complaint: Any) -> list[Any]:
    return [
        Deadline.id,
        Deadline.kind,
        Deadline.due_on,
        Deadline.status,
        Deadline.satisfied_on,
        Deadline.sequence,
        Deadline.updated_at,
        Deadline.basis,
        Deadline.trigger_on,
        Deadline.period_days,
        Deadline.period_months,
        Deadline.nominal_due_on,
        Deadline.moved_by,
        Deadline.explanation,
        complaint.reference,
    ]


@cache
def _statement(
    every: bool,
    roles: frozenset[Role] | None,
    has_member: bool,
    reviews: bool,
    due_from: bool,
    due_to: bool,
    by_update: bool,
    after: bool,
) -> Select[Any]:
    caller = None if roles is None else template_caller(roles, has_member=has_member)
    complaint = aliased(Complaint)
    stmt: Select[Any] = (
        select(*_columns(complaint))
        .outerjoin(complaint, complaint.id == Deadline.complaint_id)
        .where(visibility(caller, every=every, reviews=reviews))
        # The page size in the SQL text, so a generic plan knows it (service.page_limit).
        .limit(bindparam("page_limit", type_=Integer(), literal_execute=True))
    )
    if due_from:
        stmt = stmt.where(Deadline.due_on >= bindparam("due_from", type_=Date()))
    if due_to:
        stmt = stmt.where(Deadline.due_on <= bindparam("due_to", type_=Date()))
    key = (Deadline.updated_at, Deadline.id) if by_update else (Deadline.due_on, Deadline.id)
    if by_update:
        stmt = stmt.where(Deadline.updated_at > bindparam("since", type_=UTCDateTime()))
    else:
        stmt = stmt.where(Deadline.status == DeadlineStatus.open)
    if after:
        first = bindparam("after_key", type_=UTCDateTime() if by_update else Date())
        stmt = stmt.where(tuple_(*key) > tuple_(first, bindparam("after_id", type_=Uuid())))
    return stmt.order_by(*key)


async def page(
    db: AsyncSession,
    actor: Principal,
    *,
    due_from: date | None,
    due_to: date | None,
    updated_since: datetime | None,
    after: tuple[date | datetime, uuid.UUID] | None,
    limit: int,
) -> list[Any]:
    """A keyset page of the deadlines the caller may know of, each row with its
    complaint's reference. Without ``updated_since``: open deadlines by (due_on, id);
    with it: every deadline changed since then, tombstones included, by (updated_at, id)."""
    stmt = _statement(
        sees_every_deadline(actor),
        actor.roles & _ROLES if actor.is_user else None,
        actor.member_id is not None,
        sees_policy_reviews(actor),
        due_from is not None,
        due_to is not None,
        updated_since is not None,
        after is not None,
    )
    params: dict[str, Any] = {
        "uid": actor.id,
        "mid": actor.member_id,
        "page_limit": limit,
        "due_from": due_from,
        "due_to": due_to,
        "since": updated_since,
    }
    if after is not None:
        params |= {"after_key": after[0], "after_id": after[1]}
    conn = await db.connection()
    return list((await conn.execute(stmt, params)).all())
