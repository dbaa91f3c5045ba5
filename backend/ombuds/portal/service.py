"""The parties' access to the portal without accounts (issue 16, item 1).

The handling ombudsperson invites a person of the complaint: a link (its token in the
URL's fragment, which never reaches a server's log) and an access code they pass on by
another channel, so that a forwarded or intercepted link alone opens nothing. Redeeming
both, once, sets the party's passphrase; later visits sign in with the sign-in id shown
then. Every failure of the party's is the same 401, throttled like staff logins.

Access ends with the complaint: read-only for `portal_grace_days` after it closed, then
refused; at once when its record is destroyed (5.1; the rows go with its content,
retention/destroy.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth import throttle, tokens
from ombuds.auth.passwords import Passwords
from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.kit.clock import local_today, utcnow
from ombuds.kit.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    StageNotAllowed,
    Unauthenticated,
    field_error,
)
from ombuds.models import (
    Complaint,
    ComplaintPerson,
    Outcome,
    PartyRole,
    PortalAccess,
    PortalInvitation,
    PortalSession,
    Stage,
)
from ombuds.portal import codes
from ombuds.settings import Settings

LAST_SEEN_GRANULARITY = timedelta(seconds=60)
SIGN_IN_AGAIN = {"WWW-Authenticate": "Bearer"}
# One answer for every failure: which part was wrong is of use only to an attacker.
REFUSED = "The link, access code, sign-in id or passphrase is not valid, or no longer."
WELCOME_PATH = "/portal/welcome#"
NO_INVITATION = "No such invitation."
NO_ACCESS = "No such portal access."


# The ombudsperson's side -----------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    invitation: PortalInvitation
    link: str  # shown once
    code: str  # shown once, grouped


def _is_open(complaint: Complaint) -> bool:
    return complaint.stage is not Stage.closed and complaint.destroyed_at is None


async def issue(
    db: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    actor: Principal,
    complaint: Complaint,
    person_id: uuid.UUID,
) -> Issued:
    """A new invitation for a person of the complaint; their live ones die (a reissue)."""
    if not _is_open(complaint):
        raise StageNotAllowed(
            "Parties are invited to the portal only while the complaint is open; "
            "this one is closed.",
            stage=complaint.stage.value,
        )
    person = await db.scalar(
        select(ComplaintPerson).where(
            ComplaintPerson.id == person_id, ComplaintPerson.complaint_id == complaint.id
        )
    )
    if person is None:
        raise InvalidInput(
            "The person is not a party or a witness of this complaint.",
            errors=[field_error("person_id", "not_on_complaint", "not a person of this complaint")],
        )
    now = utcnow()
    await db.execute(
        update(PortalInvitation)
        .where(
            PortalInvitation.person_id == person.id,
            PortalInvitation.redeemed_at.is_(None),
            PortalInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token, token_hash = codes.new_link_token()
    code = codes.new_code()
    invitation = PortalInvitation(
        complaint_id=complaint.id,
        person_id=person.id,
        party=person.role,
        link_token_hash=token_hash,
        code_hash=await passwords.hash_off_loop(code),
        issued_by=actor.id,
        issued_at=now,
        expires_at=now + timedelta(days=settings.portal_invitation_days),
    )
    db.add(invitation)
    await db.flush()
    await audit.record(db, actor, "portal.invite", "complaint", complaint.id)
    link = settings.public_url.rstrip("/") + WELCOME_PATH + token
    return Issued(invitation, link, codes.shown(code))


@dataclass(frozen=True)
class PersonStatus:
    person: ComplaintPerson
    status: str  # not_invited | invited | expired | revoked | active | ended
    invitation: PortalInvitation | None  # the latest
    access: PortalAccess | None


def status_of(
    invitation: PortalInvitation | None, access: PortalAccess | None, now: datetime
) -> str:
    if access is not None and access.ended_at is None:
        return "active"
    if invitation is not None and invitation.redeemed_at is None:
        if invitation.revoked_at is None and invitation.expires_at > now:
            return "invited"
    if access is not None:
        return "ended"
    if invitation is None:
        return "not_invited"
    return "revoked" if invitation.revoked_at is not None else "expired"


async def statuses(db: AsyncSession, actor: Principal, complaint: Complaint) -> list[PersonStatus]:
    """Each person of the complaint: invited, in, or not; never a secret or a hash."""
    people = (
        await db.scalars(
            select(ComplaintPerson)
            .where(ComplaintPerson.complaint_id == complaint.id)
            .order_by(ComplaintPerson.role, ComplaintPerson.id)
        )
    ).all()
    latest: dict[uuid.UUID, PortalInvitation] = {}
    for invitation in await db.scalars(
        select(PortalInvitation)
        .where(PortalInvitation.complaint_id == complaint.id)
        .order_by(PortalInvitation.issued_at, PortalInvitation.id)
    ):
        latest[invitation.person_id] = invitation
    accesses = {
        a.person_id: a
        for a in await db.scalars(
            select(PortalAccess).where(PortalAccess.complaint_id == complaint.id)
        )
    }
    await audit.record(db, actor, "portal.read_invitations", "complaint", complaint.id)
    now = utcnow()
    return [
        PersonStatus(
            p,
            status_of(latest.get(p.id), accesses.get(p.id), now),
            latest.get(p.id),
            accesses.get(p.id),
        )
        for p in people
    ]


async def revoke(
    db: AsyncSession, actor: Principal, complaint: Complaint, invitation_id: uuid.UUID
) -> PortalInvitation:
    invitation = await db.scalar(
        select(PortalInvitation).where(
            PortalInvitation.id == invitation_id, PortalInvitation.complaint_id == complaint.id
        )
    )
    if invitation is None:
        raise NotFound(NO_INVITATION)
    if invitation.redeemed_at is not None:
        raise Conflict(
            "This invitation was already redeemed: end the party's access instead.",
            errors=[field_error("invitation_id", "redeemed", "already redeemed")],
        )
    if invitation.revoked_at is not None:
        raise Conflict(
            "This invitation is already revoked.",
            errors=[field_error("invitation_id", "revoked", "already revoked")],
        )
    invitation.revoked_at = utcnow()
    await db.flush()
    await audit.record(db, actor, "portal.revoke_invitation", "complaint", complaint.id)
    return invitation


async def end_access(
    db: AsyncSession, actor: Principal, complaint: Complaint, access_id: uuid.UUID
) -> PortalAccess:
    """The party is signed out at once and can no longer sign in (a new invitation, once
    redeemed, opens it again)."""
    access = await db.scalar(
        select(PortalAccess).where(
            PortalAccess.id == access_id, PortalAccess.complaint_id == complaint.id
        )
    )
    if access is None:
        raise NotFound(NO_ACCESS)
    if access.ended_at is not None:
        raise Conflict(
            "This portal access has already ended.",
            errors=[field_error("access_id", "ended", "already ended")],
        )
    access.ended_at = utcnow()
    access.ended_reason = "ended_by_ombudsperson"
    await _revoke_sessions(db, access.id)
    await db.flush()
    await audit.record(db, actor, "portal.end_access", "complaint", complaint.id)
    return access


async def _revoke_sessions(db: AsyncSession, access_id: uuid.UUID) -> None:
    await db.execute(
        update(PortalSession)
        .where(PortalSession.access_id == access_id, PortalSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# The party's side ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    access_token: str | None = None
    sign_in_id: str | None = None  # grouped, for reading
    expires_at: datetime | None = None
    retry_after: int | None = None  # refused by the throttle


REFUSED_RESULT = SignedIn()


def access_ends_on(complaint: Complaint, settings: Settings) -> date | None:
    """The last day a party of a closed complaint may sign in (read-only), or None."""
    if complaint.stage is not Stage.closed or complaint.closed_on is None:
        return None
    return complaint.closed_on + timedelta(days=settings.portal_grace_days)


def _reachable(complaint: Complaint | None, settings: Settings) -> bool:
    if complaint is None or complaint.destroyed_at is not None:
        return False
    ends = access_ends_on(complaint, settings)
    return ends is None or local_today() <= ends


async def redeem(
    db: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    *,
    token: str,
    code: str,
    passphrase: str,
    client: str,
) -> SignedIn:
    """Redeem an invitation (once) with its code; the passphrase is the party's from then
    on. Failures are returned, not raised, so what they record is committed."""
    token_hash = codes.hash_link_token(token)
    key = throttle.account_key("portal-invitation:" + token_hash)
    attempt = await throttle.attempt(db, key, client)
    wait = await throttle.retry_after(db, key, client, attempt)
    if wait is not None:
        await throttle.drop(db, attempt)
        await audit.record(db, None, "portal.redeem_throttled", "portal", None, Outcome.denied)
        return SignedIn(retry_after=wait)
    invitation = await db.scalar(
        select(PortalInvitation).where(PortalInvitation.link_token_hash == token_hash)
    )
    # The same argon2id work whether or not the link exists (a missing hash checks a decoy).
    ok = await passwords.verify_off_loop(
        invitation.code_hash if invitation else None, codes.normalise(code)
    )
    complaint = await db.get(Complaint, invitation.complaint_id) if invitation else None
    now = utcnow()
    if (
        invitation is None
        or not ok
        or invitation.redeemed_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
        or complaint is None
        or not _is_open(complaint)
    ):
        await throttle.record_failure(db)
        await audit.record(
            db,
            None,
            "portal.redeem",
            "complaint",
            invitation.complaint_id if invitation else None,
            Outcome.denied,
        )
        return REFUSED_RESULT
    # Once: a redemption racing this one waits for it, then finds it redeemed.
    used = await db.execute(
        update(PortalInvitation)
        .where(
            PortalInvitation.id == invitation.id,
            PortalInvitation.redeemed_at.is_(None),
            PortalInvitation.revoked_at.is_(None),
        )
        .values(redeemed_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], used).rowcount != 1:
        await throttle.drop(db, attempt)
        await audit.record(
            db, None, "portal.redeem", "complaint", invitation.complaint_id, Outcome.denied
        )
        return REFUSED_RESULT
    await throttle.clear(db, key)
    access = await db.scalar(
        select(PortalAccess).where(PortalAccess.person_id == invitation.person_id)
    )
    passphrase_hash = await passwords.hash_off_loop(passphrase)
    if access is None:
        access = PortalAccess(
            complaint_id=invitation.complaint_id,
            person_id=invitation.person_id,
            party=invitation.party,
            created_at=now,
            sign_in_id=codes.new_sign_in_id(),
            passphrase_hash=passphrase_hash,
        )
        db.add(access)
    else:
        # A reissued invitation: a new passphrase and sign-in id; the old sessions end.
        await _revoke_sessions(db, access.id)
        access.sign_in_id = codes.new_sign_in_id()
        access.passphrase_hash = passphrase_hash
        access.ended_at = None
        access.ended_reason = None
    await db.flush()
    return await _open_session(db, settings, access, "portal.redeem", now)


async def sign_in(
    db: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    *,
    sign_in_id: str,
    passphrase: str,
    client: str,
) -> SignedIn:
    typed = codes.normalise(sign_in_id)
    key = throttle.account_key("portal-sign-in:" + typed)
    attempt = await throttle.attempt(db, key, client)
    wait = await throttle.retry_after(db, key, client, attempt)
    if wait is not None:
        await throttle.drop(db, attempt)
        await audit.record(db, None, "portal.sign_in_throttled", "portal", None, Outcome.denied)
        return SignedIn(retry_after=wait)
    access = await db.scalar(select(PortalAccess).where(PortalAccess.sign_in_id == typed))
    ok = await passwords.verify_off_loop(access.passphrase_hash if access else None, passphrase)
    complaint = await db.get(Complaint, access.complaint_id) if access else None
    if (
        access is None
        or not ok
        or access.ended_at is not None
        or not _reachable(complaint, settings)
    ):
        await throttle.record_failure(db)
        await audit.record(
            db,
            None,
            "portal.sign_in",
            "complaint",
            access.complaint_id if access else None,
            Outcome.denied,
        )
        return REFUSED_RESULT
    await throttle.clear(db, key)
    if passwords.needs_rehash(access.passphrase_hash):
        access.passphrase_hash = await passwords.hash_off_loop(passphrase)
    return await _open_session(db, settings, access, "portal.sign_in", utcnow())


async def _open_session(
    db: AsyncSession, settings: Settings, access: PortalAccess, action: str, now: datetime
) -> SignedIn:
    session = PortalSession(
        access_id=access.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.portal_session_hours),
    )
    db.add(session)
    await db.flush()
    actor = Principal(
        PrincipalKind.party,
        id=access.id,
        session_id=session.id,
        complaint_id=access.complaint_id,
        person_id=access.person_id,
        party=access.party,
    )
    await audit.record(db, actor, action, "complaint", access.complaint_id)
    token = tokens.issue_portal_token(settings, access_id=access.id, session_id=session.id, now=now)
    return SignedIn(token, codes.shown(access.sign_in_id, 4), session.expires_at)


# Every portal request resolves its token here: one round trip for the session, its access
# and the complaint's stage, read afresh so that an ended access or a revoked session holds
# on the next request.
_SESSION_ACCESS = (
    select(
        PortalSession.expires_at,
        PortalSession.last_seen_at,
        PortalSession.revoked_at,
        PortalAccess.ended_at,
        PortalAccess.complaint_id,
        PortalAccess.person_id,
        PortalAccess.party,
        Complaint.stage,
        Complaint.closed_on,
        Complaint.destroyed_at,
    )
    .join(PortalAccess, PortalAccess.id == PortalSession.access_id)
    .join(Complaint, Complaint.id == PortalAccess.complaint_id)
    .where(PortalSession.id == bindparam("session_id"), PortalAccess.id == bindparam("access_id"))
)
_TOUCH_SESSION = (
    update(PortalSession)
    .where(PortalSession.id == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


async def resolve_bearer(db: AsyncSession, settings: Settings, token: str) -> Principal:
    """The party a portal token stands for, or 401 (the same for every reason)."""
    claims = tokens.decode_portal_token(settings, token)
    conn = await db.connection()
    row = (
        await conn.execute(
            _SESSION_ACCESS, {"session_id": claims.session_id, "access_id": claims.user_id}
        )
    ).one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.ended_at is not None:
        raise Unauthenticated("The session has ended; sign in again.", headers=SIGN_IN_AGAIN)
    idle = timedelta(minutes=settings.portal_session_idle_minutes)
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        raise Unauthenticated("The session has expired; sign in again.", headers=SIGN_IN_AGAIN)
    closed = row.stage == Stage.closed
    if row.destroyed_at is not None or (
        closed
        and row.closed_on is not None
        and local_today() > row.closed_on + timedelta(days=settings.portal_grace_days)
    ):
        raise Unauthenticated("The session has ended; sign in again.", headers=SIGN_IN_AGAIN)
    if now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        await conn.execute(_TOUCH_SESSION, {"session_id": claims.session_id, "now": now})
    return Principal(
        PrincipalKind.party,
        id=claims.user_id,
        session_id=claims.session_id,
        complaint_id=row.complaint_id,
        person_id=row.person_id,
        party=PartyRole(row.party),
        read_only=closed,
    )


async def sign_out(db: AsyncSession, principal: Principal) -> None:
    await db.execute(
        update(PortalSession)
        .where(PortalSession.id == principal.session_id, PortalSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await audit.record(db, principal, "portal.sign_out", "complaint", principal.complaint_id)


@dataclass(frozen=True)
class Own:
    reference: str
    session_expires_at: datetime


async def own(db: AsyncSession, settings: Settings, principal: Principal) -> Own:
    """What the signed-in party may know of their own access."""
    complaint = await db.get(Complaint, principal.complaint_id)
    session = await db.get(PortalSession, principal.session_id)
    assert complaint is not None and session is not None  # resolved in this transaction
    idle_end = session.last_seen_at + timedelta(minutes=settings.portal_session_idle_minutes)
    return Own(complaint.reference, min(session.expires_at, idle_end))
