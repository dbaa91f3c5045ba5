"""Demo data for `make run`: a small Local with every role. Never in production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth import tokens
from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    ApiToken,
    DeliveryStatus,
    Member,
    OutboxMessage,
    Role,
    RosterSeat,
    Scope,
    SeatTerm,
    ServiceAccount,
    StaffResourceKind,
    TrainingKind,
    TrainingRecord,
    Unit,
    User,
    UserRole,
)
from ombuds.notifications import reminders
from ombuds.settings import Environment, Settings

DEMO_PASSWORD = "local500-demo"  # noqa: S105 - demo data, refused in production
DEMO_API_TOKEN = tokens.API_TOKEN_PREFIX + "demo-calendar-integration-token-local500"
UNITS = [
    ("U1", "Unit 1 - Clerical"),
    ("U2", "Unit 2 - Technical"),
    ("U3", "Unit 3 - Trades"),
    ("U4", "Unit 4 - Library"),
    ("U5", "Unit 5 - Recreation"),
]
AFFILIATES = ("AFF", "Affiliates")
MEMBERS_PER_UNIT = 6


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: str


@dataclass(frozen=True)
class DemoLocal:
    logins: list[DemoLogin]
    members: list[Member]
    officer_member: Member


class DemoRefused(RuntimeError):
    pass


def _user(
    passwords_hash: str,
    username: str,
    display_name: str,
    roles: list[Role],
    member: Member | None = None,
    staff_kind: StaffResourceKind | None = None,
) -> User:
    return User(
        username=username,
        display_name=display_name,
        password_hash=passwords_hash,
        member_id=member.id if member else None,
        staff_resource_kind=staff_kind,
        roles=[UserRole(role=r) for r in roles],
    )


async def seed(db: AsyncSession, settings: Settings, passwords: Passwords) -> DemoLocal | None:
    """Seed an empty database; a database that has users is left alone (returns None)."""
    if settings.env is Environment.production:
        raise DemoRefused("demo data is never seeded in production")
    if (await db.scalar(select(func.count()).select_from(User))) != 0:
        return None
    pw = passwords.hash(DEMO_PASSWORD)
    units = [Unit(code=c, name=n) for c, n in UNITS]
    units.append(Unit(code=AFFILIATES[0], name=AFFILIATES[1], is_affiliates=True))
    db.add_all(units)
    await db.flush()
    seats = [RosterSeat(unit_id=u.id) for u in units]
    members = [
        Member(
            member_number=f"500-{i + 1}{n:03d}",
            full_name=f"Demo Member {u.code}-{n}",
            unit_id=u.id,
            email=f"member-{u.code.lower()}-{n}@example.org",
        )
        for i, u in enumerate(units)
        for n in range(1, MEMBERS_PER_UNIT + 1)
    ]
    db.add_all([*seats, *members])
    await db.flush()
    users = [_user(pw, "admin", "Administrator (demo)", [Role.administrator])]
    ombudspersons = []
    for unit in units:
        ombudsperson = _user(
            pw,
            f"ombuds-{unit.code.lower()}",
            f"Ombudsperson {unit.code} (demo)",
            [Role.ombudsperson],
        )
        ombudspersons.append(ombudsperson)
    # One table officer is also a member: a demo complaint names them as the other party.
    officer_member = members[1]
    users += [
        *ombudspersons,
        _user(pw, "officer-president", "President (demo)", [Role.table_officer]),
        _user(
            pw,
            "officer-secretary",
            "Recording Secretary (demo)",
            [Role.table_officer],
            member=officer_member,
        ),
        _user(pw, "officer-treasurer", "Treasurer (demo)", [Role.table_officer]),
        _user(
            pw,
            "staff-sao",
            "Special Assignments Officer (demo)",
            [Role.staff_resource],
            staff_kind=StaffResourceKind.special_assignments_officer,
        ),
    ]
    db.add_all(users)
    await db.flush()
    term_start = date(2025, 1, 1)
    for seat, ombudsperson in zip(seats, ombudspersons, strict=True):
        db.add(SeatTerm(seat_id=seat.id, user_id=ombudsperson.id, starts_on=term_start))
        db.add(
            TrainingRecord(
                user_id=ombudsperson.id,
                kind=TrainingKind.comprehensive,
                completed_on=date(2025, 2, 15),
            )
        )
    account = ServiceAccount(name="Union calendar (demo)")
    db.add(account)
    await db.flush()
    db.add(
        ApiToken(
            service_account_id=account.id,
            token_hash=tokens.hash_api_token(DEMO_API_TOKEN),
            prefix=DEMO_API_TOKEN[:12],
            scopes=Scope.deadlines_read.value,
        )
    )
    await db.flush()
    logins = [
        DemoLogin(u.username, ", ".join(sorted(r.role.value for r in u.roles))) for u in users
    ]
    return DemoLocal(logins, members, officer_member)


DEMO_EMAIL = "ombuds-u1@example.org"  # the one demo login with an address: its mail goes out


async def seed_notifications(db: AsyncSession, settings: Settings) -> int:
    """The notifications the demo logins have by today: those the procedure's steps wrote
    as the demo took them (a CRC to strike, a CRC appointed, ...), and the reminders due
    today (notifications/reminders.py), written as the service writes them. ombuds-u1 gets
    an e-mail address first, so their messages go out (to the development Maildir under
    `make run`). So that the state shows, the e-mail of one of theirs failed. Returns how
    many reminders were written."""
    handler = await db.scalar(select(User).where(User.username == "ombuds-u1"))
    assert handler is not None
    handler.email = DEMO_EMAIL
    await db.flush()
    written = await reminders.write_due(db, settings, local_today())
    message = await db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.user_id == handler.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(1)
    )
    if message is not None:
        message.status = DeliveryStatus.failed
        message.attempts = settings.notifications_max_attempts
        message.last_error = "SMTPConnectError"
    await db.flush()
    return written
