"""A user's feed validator: what a calendar poll compares, in one indexed read.

Whatever may change what a user's feed shows (a deadline created, re-dated, met, lapsed
or cancelled; a complaint taken in, chosen a formal route, or notified to the table
officers; an informal participant; a committee confirmed, its members or its staff
resource; a party, a witness or an officer's conflict (recusal); a user's roles, member
link or activation; a feed token created, rotated or revoked) appends one row per user it
may concern to ``calendar_feed_changes``, in the transaction that makes the change:

- the ORM's flushes are watched (``after_flush``; ``before_flush`` for a complaint or a
  committee being deleted, whose people go with it): the users are found conservatively,
  by one ``INSERT ... SELECT``: for a complaint its intake ombudsperson, its informal
  participants, its committee's members and staff resource, and every table officer once
  it is notified; for a policy review every administrator and table officer;
- the few Core statements that bypass the ORM (members replaced on a new proposal,
  witnesses replaced, roles replaced) call :func:`complaints_changed`,
  :func:`committees_changed` or :func:`users_changed` first, while the rows they remove
  still say whom they concerned.

Over-advancing costs a spurious 200; under-advancing would serve a stale feed, so a
doubt always adds a row.

The validator of a user is the pair (number of their change rows, largest id among
them), read in one statement with the feed's token row. Rows are only ever inserted, so
no request takes a lock another waits on (a per-user counter that every write updates
would queue every table officer's writes behind each other). A transaction that took a
lower id but commits after a higher one is still seen: it raises the count. The count
alone never repeats (rows are never removed without being folded); the largest id guards
against a base row lost or restored from elsewhere.

The compactor (:class:`Compactor`, in every worker; on PostgreSQL one at a time across
the cluster, by an advisory try-lock, the others skip) folds committed rows into
``calendar_feed_bases`` (count added, largest id kept) and deletes them in one
transaction: every reader's statement sees either the rows or the base that replaced
them, so the derived value never changes by compaction. Requests never write the bases.

A render stores, on the token row, the validator it read *before* reading the deadlines
(so any change committed after that read moves the validator past it), the render's
context and the moment it goes stale by the clock alone (``fresh_until``). A poll whose
validator, context and freshness still match answers from that row: 304, or the stored
ETag compared with what the client sent (RFC 9110, in conditional.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    CursorResult,
    Insert,
    Select,
    Table,
    bindparam,
    delete,
    event,
    exists,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, UOWTransaction

from ombuds.kit.background import Periodic
from ombuds.models import (
    CalendarFeedBase,
    CalendarFeedChange,
    CalendarFeedToken,
    Committee,
    CommitteeMember,
    Complaint,
    ComplaintPerson,
    Deadline,
    InformalParticipant,
    OfficerConflict,
    Role,
    User,
    UserRole,
)

# The columns whose change may alter someone's feed; any other change to these records
# (a complaint's letter, a user's password) leaves every feed as it was.
WATCHED: dict[type, tuple[str, ...]] = {
    Deadline: ("complaint_id", "kind", "status", "due_on", "sequence", "created_at", "updated_at"),
    Complaint: (
        "reference",
        "intake_ombudsperson_id",
        "formal_route",
        "table_officers_notified_on",
    ),
    Committee: ("complaint_id", "status", "staff_resource_id"),
    CommitteeMember: ("committee_id", "user_id"),
    InformalParticipant: ("complaint_id", "user_id"),
    ComplaintPerson: ("complaint_id", "member_id", "role"),
    OfficerConflict: ("complaint_id", "user_id"),
    User: ("is_active", "member_id", "staff_resource_kind"),
    UserRole: ("user_id", "role"),
    CalendarFeedToken: ("user_id", "token_hash", "ended_at"),
}


@dataclass
class Affected:
    """Whose feeds a change may alter, before the people are looked up."""

    users: set[uuid.UUID] = field(default_factory=set)
    complaints: set[uuid.UUID] = field(default_factory=set)
    committees: set[uuid.UUID] = field(default_factory=set)
    table_officers: bool = False  # every table officer
    executives: bool = False  # every administrator and table officer (policy reviews, 6)

    def __bool__(self) -> bool:
        return bool(
            self.users
            or self.complaints
            or self.committees
            or self.table_officers
            or self.executives
        )


def _values(obj: object, attr: str) -> list[Any]:
    """Every value the attribute had in this flush: the new one and the one it replaced."""
    state = inspect(obj)
    history = state.attrs[attr].history
    found = [*history.added, *history.unchanged, *history.deleted]
    if not found and not state.deleted and not state.was_deleted and attr not in state.dict:
        found = [getattr(obj, attr)]  # an unloaded column of a record still there
    return found


def _changed(obj: object, names: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _ids(values: Iterable[Any]) -> set[uuid.UUID]:
    return {v for v in values if isinstance(v, uuid.UUID)}


def _note(obj: object, into: Affected) -> None:
    """What one record's change may alter (by its watched values, old and new)."""
    if isinstance(obj, Deadline):
        owners = _values(obj, "complaint_id")
        into.complaints |= _ids(owners)
        if any(o is None for o in owners):
            into.executives = True
    elif isinstance(obj, Complaint):
        into.complaints.add(obj.id)
        into.users |= _ids(_values(obj, "intake_ombudsperson_id"))
        if any(v is not None for v in _values(obj, "table_officers_notified_on")):
            into.table_officers = True
    elif isinstance(obj, Committee):
        into.committees.add(obj.id)
        into.complaints |= _ids(_values(obj, "complaint_id"))
        into.users |= _ids(_values(obj, "staff_resource_id"))
    elif isinstance(obj, ComplaintPerson):
        # A party or a witness: no ombudsperson reads it, no officer sees it (4.3.1(iv), 5.1).
        into.complaints |= _ids(_values(obj, "complaint_id"))
    elif isinstance(obj, OfficerConflict):
        into.complaints |= _ids(_values(obj, "complaint_id"))
        into.users |= _ids(_values(obj, "user_id"))
    elif isinstance(obj, User):
        into.users.add(obj.id)
    elif isinstance(obj, CommitteeMember | InformalParticipant | UserRole | CalendarFeedToken):
        into.users |= _ids(_values(obj, "user_id"))


def _collect(session: Session, *, deleted_parents_only: bool) -> Affected:
    found = Affected()
    if deleted_parents_only:
        for obj in session.deleted:
            if isinstance(obj, Complaint | Committee):
                _note(obj, found)
        return found
    for obj in session.new:
        if type(obj) in WATCHED:
            _note(obj, found)
    for obj in session.deleted:
        if type(obj) in WATCHED:
            _note(obj, found)
    for obj in session.dirty:
        names = WATCHED.get(type(obj))
        if names is not None and _changed(obj, names):
            _note(obj, found)
    return found


def _people(affected: Affected) -> Select[Any]:
    """Every user whose feed the change may alter (a UNION, so each once)."""
    parts: list[Select[Any]] = []
    if affected.users:
        parts.append(select(User.id.label("user_id")).where(User.id.in_(affected.users)))
    complaints = affected.complaints
    if complaints:
        parts += [
            select(Complaint.intake_ombudsperson_id).where(Complaint.id.in_(complaints)),
            select(InformalParticipant.user_id).where(
                InformalParticipant.complaint_id.in_(complaints)
            ),
            select(CommitteeMember.user_id)
            .join(Committee, Committee.id == CommitteeMember.committee_id)
            .where(Committee.complaint_id.in_(complaints)),
            select(Committee.staff_resource_id).where(
                Committee.complaint_id.in_(complaints), Committee.staff_resource_id.is_not(None)
            ),
        ]
    if affected.committees:
        parts += [
            select(CommitteeMember.user_id).where(
                CommitteeMember.committee_id.in_(affected.committees)
            ),
            select(Committee.staff_resource_id).where(
                Committee.id.in_(affected.committees), Committee.staff_resource_id.is_not(None)
            ),
        ]
    if affected.executives:
        parts.append(
            select(UserRole.user_id).where(
                UserRole.role.in_([Role.administrator, Role.table_officer])
            )
        )
    elif affected.table_officers or complaints:
        officers = select(UserRole.user_id).where(UserRole.role == Role.table_officer)
        if not affected.table_officers:
            # 4.3.1(iii): officers see a complaint's deadlines once it is notified.
            officers = officers.where(
                exists()
                .where(
                    Complaint.id.in_(complaints), Complaint.table_officers_notified_on.is_not(None)
                )
                .correlate(None)
            )
        parts.append(officers)
    return select(union(*parts).subquery().c[0])


def _append(affected: Affected) -> Insert:
    return insert(CalendarFeedChange).from_select(["user_id"], _people(affected))


def _flushing(session: Session, *, deleted_parents_only: bool) -> None:
    affected = _collect(session, deleted_parents_only=deleted_parents_only)
    if affected:
        session.connection().execute(_append(affected))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _objects: object) -> None:
    # A complaint or a committee being deleted takes its people with it: read them now.
    _flushing(session, deleted_parents_only=True)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    _flushing(session, deleted_parents_only=False)


# For Core statements that bypass the ORM: call before the statement, in its transaction.


async def complaints_changed(db: AsyncSession, complaint_ids: Iterable[uuid.UUID]) -> None:
    affected = Affected(complaints=set(complaint_ids))
    if affected:
        await db.execute(_append(affected))


async def committees_changed(db: AsyncSession, committee_ids: Iterable[uuid.UUID]) -> None:
    affected = Affected(committees=set(committee_ids))
    if affected:
        await db.execute(_append(affected))


async def users_changed(db: AsyncSession, user_ids: Iterable[uuid.UUID]) -> None:
    affected = Affected(users=set(user_ids))
    if affected:
        await db.execute(_append(affected))


# The poll --------------------------------------------------------------------------------


class Validator(NamedTuple):
    changes: int
    last_id: int


def _pending(column: Any) -> Any:
    return (
        select(column)
        .where(CalendarFeedChange.user_id == CalendarFeedToken.user_id)
        .correlate(CalendarFeedToken)
        .scalar_subquery()
    )


# Built once: the token's row, its user's activation, and the user's validator, by the
# token's hash (unique index), the user's base (primary key) and their few change rows not
# yet folded (index on user_id, id).
POLL = (
    select(
        CalendarFeedToken.id,
        CalendarFeedToken.user_id,
        CalendarFeedToken.created_at,
        CalendarFeedToken.ended_at,
        User.is_active,
        CalendarFeedToken.body_etag,
        CalendarFeedToken.last_modified,
        CalendarFeedToken.rendered_changes,
        CalendarFeedToken.rendered_last_id,
        CalendarFeedToken.rendered_context,
        CalendarFeedToken.fresh_until,
        func.coalesce(CalendarFeedBase.changes, 0),
        func.coalesce(CalendarFeedBase.last_id, 0),
        _pending(func.count(CalendarFeedChange.id)),
        _pending(func.coalesce(func.max(CalendarFeedChange.id), 0)),
    )
    .join(User, User.id == CalendarFeedToken.user_id)
    .outerjoin(CalendarFeedBase, CalendarFeedBase.user_id == CalendarFeedToken.user_id)
    .where(CalendarFeedToken.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class Polled:
    """A feed token as a poll reads it."""

    token_id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
    ended: bool
    user_active: bool
    body_etag: str | None
    last_modified: datetime | None
    rendered: Validator | None
    rendered_context: str | None
    fresh_until: datetime | None
    validator: Validator

    def current(self, context: str, now: datetime) -> bool:
        """The stored render still stands: nothing changed for this user since the
        validator it was made after, for the same context, and the clock has not made it
        stale."""
        return (
            self.body_etag is not None
            and self.last_modified is not None
            and self.rendered == self.validator
            and self.rendered_context == context
            and (self.fresh_until is None or now < self.fresh_until)
        )


async def poll(db: AsyncSession, token_hash: str) -> Polled | None:
    row = (await db.execute(POLL, {"token_hash": token_hash})).first()
    if row is None:
        return None
    (
        token_id,
        user_id,
        created_at,
        ended_at,
        active,
        body_etag,
        last_modified,
        rendered_changes,
        rendered_last_id,
        context,
        fresh_until,
        base_changes,
        base_last_id,
        pending,
        pending_last_id,
    ) = row
    rendered = (
        Validator(int(rendered_changes), int(rendered_last_id or 0))
        if rendered_changes is not None
        else None
    )
    return Polled(
        token_id=token_id,
        user_id=user_id,
        created_at=created_at,
        ended=ended_at is not None,
        user_active=bool(active),
        body_etag=body_etag,
        last_modified=last_modified,
        rendered=rendered,
        rendered_context=context,
        fresh_until=fresh_until,
        validator=Validator(
            int(base_changes) + int(pending or 0), max(int(base_last_id), int(pending_last_id))
        ),
    )


async def store(
    db: AsyncSession,
    polled: Polled,
    *,
    body_etag: str,
    last_modified: datetime,
    context: str,
    fresh_until: datetime | None,
) -> bool:
    """Keep what this render was made from on the token's row, unless another request
    holds the row (it is storing its own render, or the token is being rotated or revoked):
    then nothing is stored and nobody waits. A render made after an older validator than
    the one stored never replaces it. Returns whether it was stored."""
    token = cast(Table, CalendarFeedToken.__table__)
    mine = token.c.id == polled.token_id
    if db.get_bind().dialect.name == "postgresql":
        free = select(token.c.id).where(mine).with_for_update(skip_locked=True).scalar_subquery()
        mine = token.c.id == free
    newer = or_(
        token.c.rendered_changes.is_(None),
        token.c.rendered_changes <= polled.validator.changes,
    )
    result = await db.execute(
        update(token)
        .where(mine, newer)
        .values(
            body_etag=body_etag,
            last_modified=last_modified,
            rendered_changes=polled.validator.changes,
            rendered_last_id=polled.validator.last_id,
            rendered_context=context,
            fresh_until=fresh_until,
        )
    )
    return bool(cast(CursorResult[Any], result).rowcount)


# Compaction -----------------------------------------------------------------------------

# Any constant: the advisory lock only a compactor takes, and only with a try-lock.
COMPACT_LOCK = 500_13_3
COMPACT_BATCH = 5000
# Rows wait about this long to be folded: a poll counts at most a few seconds' changes.
COMPACT_SECONDS = 5.0


async def compact(db: AsyncSession, *, batch: int = COMPACT_BATCH) -> int:
    """Fold up to ``batch`` committed change rows into their users' bases; the caller
    commits. The value each user's validator derives to is the same before and after."""
    if await db.scalar(select(CalendarFeedChange.id).limit(1)) is None:
        return 0
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        got = await db.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": COMPACT_LOCK})
        if not got:
            return 0
    oldest = select(CalendarFeedChange.id).order_by(CalendarFeedChange.id).limit(batch)
    folded = (
        await db.execute(
            delete(CalendarFeedChange)
            .where(CalendarFeedChange.id.in_(oldest.scalar_subquery()))
            .returning(CalendarFeedChange.user_id, CalendarFeedChange.id)
        )
    ).all()
    per_user: dict[uuid.UUID, list[int]] = {}
    for user_id, change_id in folded:
        counted = per_user.setdefault(user_id, [0, 0])
        counted[0] += 1
        counted[1] = max(counted[1], int(change_id))
    if not per_user:
        return 0
    rows = [{"user_id": u, "changes": n, "last_id": m} for u, (n, m) in per_user.items()]
    base = cast(Table, CalendarFeedBase.__table__)
    if dialect == "postgresql":
        pg = postgresql.insert(base)
        await db.execute(
            pg.on_conflict_do_update(
                index_elements=[base.c.user_id],
                set_={
                    "changes": base.c.changes + pg.excluded.changes,
                    "last_id": func.greatest(base.c.last_id, pg.excluded.last_id),
                },
            ),
            rows,
        )
    else:
        lite = sqlite.insert(base)
        await db.execute(
            lite.on_conflict_do_update(
                index_elements=[base.c.user_id],
                set_={
                    "changes": base.c.changes + lite.excluded.changes,
                    "last_id": func.max(base.c.last_id, lite.excluded.last_id),
                },
            ),
            rows,
        )
    return len(folded)


async def compact_pending(factory: async_sessionmaker[AsyncSession]) -> int:
    """Fold every committed change row, a batch per transaction."""
    total = 0
    while True:
        async with factory() as db:
            folded = await compact(db)
            await db.commit()
        total += folded
        if folded < COMPACT_BATCH:
            return total


class Compactor(Periodic):
    """Runs :func:`compact_pending` about every ``interval`` seconds (kit/background.py)."""

    what = "feed validator compaction"

    def __init__(self, factory: async_sessionmaker[AsyncSession], interval: float) -> None:
        super().__init__(interval)
        self.factory = factory

    async def work(self) -> int:
        return await compact_pending(self.factory)
