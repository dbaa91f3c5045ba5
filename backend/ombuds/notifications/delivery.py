"""Delivering the outbox: claim what is due for a short lease, send it, mark it sent.

Safe with several workers and instances. A round claims due rows in one statement
(`UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`, on PostgreSQL; on
SQLite writers take turns), stamping them with its own lease token; a row leased to one
worker is invisible to the others until its lease ends. Only the holder of the token marks a
row sent or failed, so a worker that died mid-round leaves its rows to another once the
lease ends (a message may then go twice; never none).

Immediate rows go one message each. Digest rows wait for the daily digest moment
(OMBUDS_NOTIFICATIONS_DIGEST_HOUR, Winnipeg time) and go as one message per person with
everything written before it.

A failed attempt counts, keeps the error's type only (a server's reply may quote the
address), and waits: one minute, doubling, at most six hours. After
OMBUDS_NOTIFICATIONS_MAX_ATTEMPTS, or at once when the server refuses the recipient for
good (5xx), the row is `failed`: the person and administrators see it in the app. Logs carry
counts and error types, never an address or a reference."""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import Uuid, exists, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.complaints import access as complaints
from ombuds.kit.clock import LOCAL_ZONE, utcnow
from ombuds.models import (
    Complaint,
    ComplaintPerson,
    DeliveryStatus,
    Notification,
    OfficerConflict,
    OutboxMessage,
    User,
    UserRole,
)
from ombuds.notifications import mailer as mailers
from ombuds.notifications.messages import Item, render
from ombuds.settings import Settings

log = logging.getLogger("ombuds.notifications")

LEASE_SECONDS = 300.0  # longer than a round's sending; a dead worker's rows wait this long
BATCH = 50  # immediate messages a round
FIRST_RETRY_SECONDS = 60.0
MAX_RETRY_SECONDS = 6 * 3600.0
WITHHELD = "Withheld"  # no address any more, inactive, or recused on the complaint since


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def last_digest_moment(now: datetime, hour: int) -> datetime:
    """The most recent digest time at or before `now`: `hour` o'clock, Winnipeg time."""
    local = now.astimezone(LOCAL_ZONE)
    moment = datetime.combine(local.date(), time(hour), tzinfo=LOCAL_ZONE)
    if moment > local:
        moment = datetime.combine(local.date() - timedelta(days=1), time(hour), tzinfo=LOCAL_ZONE)
    return moment


@dataclass
class Report:
    sent: int = 0  # outbox rows the server accepted
    retrying: int = 0
    failed: int = 0
    messages: int = 0  # e-mails handed to the server (a digest is one)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


@dataclass(frozen=True)
class _Row:
    id: uuid.UUID
    user_id: uuid.UUID
    digest: bool
    attempts: int
    item: Item
    email: str | None
    language: str
    created_at: datetime


async def may_see_reference(db: AsyncSession, user_id: uuid.UUID, complaint_id: uuid.UUID) -> bool:
    """The recipient's role may see the complaint's reference, by the application's own
    rules, as they stand when the message goes: a case worker on it, an ombudsperson who
    took part in its informal attempt, or a table officer told of it and not recused."""
    member_id = await db.scalar(select(User.member_id).where(User.id == user_id))
    roles = frozenset(
        (await db.scalars(select(UserRole.role).where(UserRole.user_id == user_id))).all()
    )
    caller = complaints.Caller(
        literal(user_id, Uuid(), literal_execute=True),
        literal(member_id, Uuid()) if member_id is not None else None,
        roles,
    )
    seen = await db.scalar(
        select(Complaint.id).where(
            Complaint.id == complaint_id,
            or_(
                complaints.known_complaints(caller),
                complaints.officer_visible_complaints(caller),
            ),
        )
    )
    return seen is not None


class Delivery:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        mailer: mailers.Mailer | None = None,
        *,
        lease_seconds: float = LEASE_SECONDS,
        batch: int = BATCH,
    ) -> None:
        self.factory, self.settings = factory, settings
        self.mailer = mailer or mailers.mailer_for(settings)
        self.lease = timedelta(seconds=lease_seconds)
        self.batch = batch

    async def round(self, now: datetime | None = None) -> Report:
        now = now or utcnow()
        token = uuid.uuid4().hex
        report = Report()
        rows = await self._claim(now, token)
        if not rows:
            return report
        groups: list[list[_Row]] = []
        digests: dict[uuid.UUID, list[_Row]] = defaultdict(list)
        withheld: list[_Row] = []
        for row in rows:
            if row.email is None:
                withheld.append(row)
            elif row.digest:
                digests[row.user_id].append(row)
            else:
                groups.append([row])
        groups += [sorted(g, key=lambda r: r.created_at) for g in digests.values()]
        messages = [
            mailers.email(
                render([r.item for r in group], group[0].language, self.settings.public_url),
                str(group[0].email),
                self.settings,
            )
            for group in groups
        ]
        outcomes = await self.mailer.send(messages)
        async with self.factory() as db:
            for row in withheld:
                await self._failed(db, row, token, now, WITHHELD, final=True, report=report)
            for group, outcome in zip(groups, outcomes, strict=True):
                if outcome is None:
                    report.messages += 1
                    await self._sent(db, group, token, now, report)
                    continue
                for row in group:
                    await self._failed(
                        db,
                        row,
                        token,
                        now,
                        type(outcome).__name__,
                        final=mailers.permanent(outcome),
                        report=report,
                    )
            await db.commit()
        # Counts and error types only: never an address, a reference or a server's reply.
        log.info(
            "notifications: %d sent in %d messages, %d to retry, %d failed%s",
            report.sent,
            report.messages,
            report.retrying,
            report.failed,
            f" ({', '.join(sorted(report.errors))})" if report.errors else "",
        )
        return report

    # -- claiming --------------------------------------------------------------------------

    def _due(self, now: datetime) -> list[object]:
        return [
            OutboxMessage.status == DeliveryStatus.pending,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
        ]

    async def _claim_where(
        self, db: AsyncSession, now: datetime, token: str, limit: int | None, *where: object
    ) -> list[uuid.UUID]:
        due = (
            select(OutboxMessage.id)
            .where(*self._due(now), *where)  # type: ignore[arg-type]
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .with_for_update(skip_locked=True)  # nothing on SQLite, whose writers take turns
        )
        if limit is not None:
            due = due.limit(limit)
        claimed = await db.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due))
            .values(lease_token=token, lease_until=now + self.lease)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        return list(claimed.all())

    async def _claim(self, now: datetime, token: str) -> list[_Row]:
        moment = last_digest_moment(now, self.settings.notifications_digest_hour)
        async with self.factory() as db:
            await self._claim_where(db, now, token, self.batch, OutboxMessage.digest.is_(False))
            # A person's digest goes whole: every due row of it, in one claim.
            await self._claim_where(
                db,
                now,
                token,
                None,
                OutboxMessage.digest.is_(True),
                OutboxMessage.created_at < moment,
            )
            await db.commit()
            return await self._load(db, token)

    async def _load(self, db: AsyncSession, token: str) -> list[_Row]:
        recused = or_(
            exists().where(
                OfficerConflict.complaint_id == Notification.complaint_id,
                OfficerConflict.user_id == User.id,
            ),
            exists().where(
                ComplaintPerson.complaint_id == Notification.complaint_id,
                ComplaintPerson.member_id == User.member_id,
            ),
        )
        result = await db.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.user_id,
                OutboxMessage.digest,
                OutboxMessage.attempts,
                Notification.kind,
                Notification.due_on,
                Notification.created_at,
                Notification.complaint_id,
                Complaint.reference,
                User.email,
                User.language,
                User.is_active,
                recused.label("recused"),
            )
            .join(Notification, Notification.id == OutboxMessage.notification_id)
            .join(User, User.id == OutboxMessage.user_id)
            .outerjoin(Complaint, Complaint.id == Notification.complaint_id)
            .where(OutboxMessage.lease_token == token)
            .order_by(Notification.created_at, OutboxMessage.id)
        )
        rows = []
        found = result.all()
        visible: set[tuple[uuid.UUID, uuid.UUID]] = set()
        if self.settings.notifications_include_reference:
            pairs = {(r.user_id, r.complaint_id) for r in found if r.complaint_id is not None}
            visible = {p for p in pairs if await may_see_reference(db, *p)}
        for r in found:
            reachable = r.email and r.is_active and not r.recused
            shown = (r.user_id, r.complaint_id) in visible
            rows.append(
                _Row(
                    id=r.id,
                    user_id=r.user_id,
                    digest=r.digest,
                    attempts=r.attempts,
                    item=Item(r.kind, r.due_on, r.reference if shown else None),
                    email=r.email if reachable else None,
                    language=r.language,
                    created_at=r.created_at,
                )
            )
        await db.commit()
        return rows

    # -- marking (only while the lease is still ours) --------------------------------------

    async def _sent(
        self, db: AsyncSession, group: list[_Row], token: str, now: datetime, report: Report
    ) -> None:
        result = await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([r.id for r in group]), OutboxMessage.lease_token == token)
            .values(
                status=DeliveryStatus.sent,
                sent_at=now,
                attempts=OutboxMessage.attempts + 1,
                last_error=None,
                lease_token=None,
                lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        report.sent += result.rowcount  # type: ignore[attr-defined]

    async def _failed(
        self,
        db: AsyncSession,
        row: _Row,
        token: str,
        now: datetime,
        error: str,
        *,
        final: bool,
        report: Report,
    ) -> None:
        attempts = row.attempts + 1
        final = final or attempts >= self.settings.notifications_max_attempts
        result = await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.lease_token == token)
            .values(
                status=DeliveryStatus.failed if final else DeliveryStatus.pending,
                attempts=attempts,
                last_error=error[:80],
                next_attempt_at=now + backoff(attempts),
                lease_token=None,
                lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            report.errors[error] += 1
            if final:
                report.failed += 1
            else:
                report.retrying += 1
