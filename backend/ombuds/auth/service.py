"""Login, server-side sessions and resolving a bearer token to a principal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ombuds.audit import service as audit
from ombuds.auth import second_factor, throttle, tokens
from ombuds.auth.passwords import Passwords
from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.kit.clock import utcnow
from ombuds.kit.crypto import KeyRing
from ombuds.kit.errors import Unauthenticated
from ombuds.models import ApiToken, AuthSession, Outcome, ServiceAccount, User, UserRole
from ombuds.settings import Settings

LAST_SEEN_GRANULARITY = timedelta(seconds=60)
SIGN_IN_AGAIN = {"WWW-Authenticate": "Bearer"}


def normalise_username(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class LoginResult:
    access_token: str | None = None
    failure: str | None = None
    # "login-failed", "second-factor-required", "second-factor-wrong", "too-many-attempts"
    problem: str = "login-failed"
    retry_after: int | None = None


async def login(
    session: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    keyring: KeyRing,
    *,
    username: str,
    password: str,
    code: str | None,
    client: str,
) -> LoginResult:
    """Verify a password (and a second factor when the account has one) and open a session.
    Failures are returned, not raised, so what they record is committed with the request."""
    account = throttle.account_key(normalise_username(username))
    attempt = await throttle.attempt(session, account, client)
    wait = await throttle.retry_after(session, account, client, attempt)
    if wait is not None:
        await throttle.drop(session, attempt)
        await audit.record(session, None, "auth.login_throttled", "user", None, Outcome.denied)
        return LoginResult(
            failure=f"Too many failed attempts; try again in {wait} seconds.",
            problem="too-many-attempts",
            retry_after=wait,
        )
    user = await session.scalar(
        select(User)
        .where(User.username == normalise_username(username))
        .options(selectinload(User.roles))
    )
    # argon2id takes ~200 ms of CPU by design and releases the GIL: off the event loop, so
    # the worker's other requests go on while a login hashes.
    ok = await passwords.verify_off_loop(user.password_hash if user else None, password)
    if user is None or not ok:
        await throttle.record_failure(session)
        await audit.record(
            session, None, "auth.login", "user", user.id if user else None, Outcome.denied
        )
        return LoginResult(failure="Incorrect username or password.")
    if not user.is_active:
        await throttle.drop(session, attempt)
        await audit.record(session, None, "auth.login", "user", user.id, Outcome.denied)
        return LoginResult(failure="This account is deactivated; ask an administrator.")
    if user.totp_confirmed_at is not None:
        if not code:
            await throttle.drop(session, attempt)
            return LoginResult(
                failure="Enter the 6-digit code from your authenticator app.",
                problem="second-factor-required",
            )
        if not await second_factor.accept(session, user, keyring, code):
            await throttle.record_failure(session)
            await audit.record(session, None, "auth.second_factor", "user", user.id, Outcome.denied)
            return LoginResult(
                failure="The code is wrong or was already used.", problem="second-factor-wrong"
            )
    await throttle.clear(session, account)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_off_loop(password)
    now = utcnow()
    auth_session = AuthSession(
        user_id=user.id,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        # Required but not enrolled: this session may only enrol a second factor.
        second_factor_pending=second_factor.required_for(user, settings)
        and user.totp_confirmed_at is None,
    )
    session.add(auth_session)
    await session.flush()
    actor = Principal(PrincipalKind.user, id=user.id, session_id=auth_session.id)
    await audit.record(session, actor, "auth.login", "user", user.id, Outcome.success)
    token = tokens.issue_access_token(
        settings, user_id=user.id, session_id=auth_session.id, now=now
    )
    return LoginResult(access_token=token)


# Resolving a bearer token runs on every request: statements built once, at import, read
# with Core into the principal (no ORM instances), one round trip for the session, its user
# and the user's roles (one row per role), read afresh so a revocation holds on the next
# request. `last_seen_at` moves by a Core UPDATE at most once a minute.
_SESSION_USER = (
    select(
        AuthSession.expires_at,
        AuthSession.last_seen_at,
        AuthSession.revoked_at,
        AuthSession.second_factor_pending,
        User.is_active,
        User.member_id,
        User.staff_resource_kind,
        UserRole.role,
    )
    .join(User, User.id == AuthSession.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(AuthSession.id == bindparam("session_id"), User.id == bindparam("user_id"))
)
_TOUCH_SESSION = (
    update(AuthSession)
    .where(AuthSession.id == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


async def resolve_bearer(session: AsyncSession, settings: Settings, token: str) -> Principal:
    if tokens.is_api_token(token):
        return await _resolve_api_token(session, token)
    claims = tokens.decode_access_token(settings, token)
    conn = await session.connection()
    rows = (
        await conn.execute(
            _SESSION_USER, {"session_id": claims.session_id, "user_id": claims.user_id}
        )
    ).all()
    if not rows:
        raise Unauthenticated("The session no longer exists; sign in again.", headers=SIGN_IN_AGAIN)
    first = rows[0]
    now = utcnow()
    if first.revoked_at is not None:
        raise Unauthenticated("The session has ended; sign in again.", headers=SIGN_IN_AGAIN)
    if not first.is_active:
        raise Unauthenticated("This account is deactivated.", headers=SIGN_IN_AGAIN)
    if first.expires_at <= now or (
        first.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now
    ):
        raise Unauthenticated("The session has expired; sign in again.", headers=SIGN_IN_AGAIN)
    if now - first.last_seen_at >= LAST_SEEN_GRANULARITY:
        await conn.execute(_TOUCH_SESSION, {"session_id": claims.session_id, "now": now})
    return Principal(
        PrincipalKind.user,
        id=claims.user_id,
        roles=frozenset(r.role for r in rows if r.role is not None),
        session_id=claims.session_id,
        member_id=first.member_id,
        staff_resource_kind=first.staff_resource_kind,
        second_factor_pending=first.second_factor_pending,
    )


_API_TOKEN = (
    select(
        ApiToken.id,
        ApiToken.scopes,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        ServiceAccount.id.label("account_id"),
        ServiceAccount.is_active,
    )
    .join(ServiceAccount, ServiceAccount.id == ApiToken.service_account_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TOUCH_API_TOKEN = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


async def _resolve_api_token(session: AsyncSession, token: str) -> Principal:
    conn = await session.connection()
    row = (
        await conn.execute(_API_TOKEN, {"token_hash": tokens.hash_api_token(token)})
    ).one_or_none()
    now = utcnow()
    if row is None:
        raise Unauthenticated("The API token is not valid.", headers=SIGN_IN_AGAIN)
    if (
        row.revoked_at is not None
        or not row.is_active
        or (row.expires_at is not None and row.expires_at <= now)
    ):
        raise Unauthenticated("The API token is revoked or expired.", headers=SIGN_IN_AGAIN)
    if row.last_used_at is None or now - row.last_used_at >= LAST_SEEN_GRANULARITY:
        await conn.execute(_TOUCH_API_TOKEN, {"token_id": row.id, "now": now})
    return Principal(PrincipalKind.service, id=row.account_id, scopes=frozenset(row.scopes.split()))


async def logout(session: AsyncSession, principal: Principal) -> None:
    await revoke_sessions(session, principal.id, "logout", only=principal.session_id)
    await audit.record(session, principal, "auth.logout", "user", principal.id, Outcome.success)


async def revoke_sessions(
    session: AsyncSession, user_id: uuid.UUID | None, reason: str, *, only: uuid.UUID | None = None
) -> None:
    stmt = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    if only is not None:
        stmt = stmt.where(AuthSession.id == only)
    await session.execute(stmt)
