"""Who sees which deadlines: one SQL function, used by the JSON API, the calendar feeds
and the CalDAV push alike.

- ombudspersons and staff resources: deadlines of the complaints they may read;
- table officers: deadlines of the complaints they may see (never when recused, 4.3.1(iv));
- the Executive's users (administrators and table officers): the policy reviews (6);
- an integration token with ``deadlines:read``: every deadline, by reference only;
- a record due for destruction (5.1): the ombudsperson who took the complaint in, only
  (not the CRC, not the table officers, not an integration)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import ColumnElement, and_, exists, false, or_

from ombuds.auth.access import require_scope_or_user
from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.complaints.access import (
    Caller,
    caller_of,
    not_a_party,
    officer_visible_complaints,
    readable_complaints,
)
from ombuds.models import Complaint, Deadline, DeadlineKind, Role, Scope

DeadlineReader = Annotated[Principal, Depends(require_scope_or_user(Scope.deadlines_read))]


def sees_policy_reviews(principal: Principal) -> bool:
    """6: the review dates are the Executive's business."""
    if principal.kind is PrincipalKind.service:
        return Scope.deadlines_read.value in principal.scopes
    return principal.is_user and principal.has_role(Role.administrator, Role.table_officer)


def sees_every_deadline(principal: Principal) -> bool:
    return principal.kind is PrincipalKind.service and Scope.deadlines_read.value in (
        principal.scopes
    )


def visible_deadlines(principal: Principal) -> ColumnElement[bool]:
    """The deadlines ``principal`` may know of (a condition on ``Deadline``)."""
    return visibility(
        caller_of(principal) if principal.is_user else None,
        every=sees_every_deadline(principal),
        reviews=sees_policy_reviews(principal),
    )


def visibility(caller: Caller | None, *, every: bool, reviews: bool) -> ColumnElement[bool]:
    """`visible_deadlines` for a caller whose id may be a bind parameter (a statement built
    once, deadlines/reads.py): every deadline (an integration), none (no user), or those
    of the complaints the user may read or, as a table officer, know of, and the policy
    reviews (6) for those who see them."""
    destruction = Deadline.kind == DeadlineKind.records_destruction
    if every:
        return ~destruction
    if caller is None:
        return false()
    complaint_rule = or_(readable_complaints(caller), officer_visible_complaints(caller))
    handling_rule: ColumnElement[bool] = false()
    if caller.id is not None and caller.has_role(Role.ombudsperson):
        handling_rule = and_(Complaint.intake_ombudsperson_id == caller.id, not_a_party(caller))
    parts: list[ColumnElement[bool]] = [
        # The complaint is always this subquery's own, even where the outer query joins one.
        exists()
        .where(
            Complaint.id == Deadline.complaint_id,
            or_(and_(~destruction, complaint_rule), and_(destruction, handling_rule)),
        )
        .correlate_except(Complaint)
    ]
    if reviews:
        parts.append(Deadline.complaint_id.is_(None))
    return or_(*parts)
