"""Users, roles and service accounts: administrators' work, never complaint content."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ombuds.accounts import roles as role_rules
from ombuds.audit import service as audit
from ombuds.auth import service as auth
from ombuds.auth import tokens
from ombuds.auth.passwords import Passwords
from ombuds.auth.principal import Principal
from ombuds.calendars import feeds
from ombuds.calendars import validator as feed_validator
from ombuds.kit.clock import utcnow
from ombuds.kit.errors import Conflict, InvalidInput, NotFound, field_error
from ombuds.kit.pagination import decode_cursor
from ombuds.models import (
    ApiToken,
    Member,
    Role,
    ServiceAccount,
    StaffResourceKind,
    User,
    UserRole,
)


async def get_user(db: AsyncSession, user_id: uuid.UUID) -> User:
    user = await db.scalar(select(User).where(User.id == user_id).options(selectinload(User.roles)))
    if user is None:
        raise NotFound("No such user.")
    return user


async def list_users(db: AsyncSession, *, cursor: str | None, limit: int) -> list[User]:
    stmt = select(User).options(selectinload(User.roles)).order_by(User.username).limit(limit)
    key = decode_cursor(cursor, 1)
    if key is not None:
        stmt = stmt.where(User.username > key[0])
    return list((await db.scalars(stmt)).all())


async def _check_member(db: AsyncSession, member_id: uuid.UUID | None) -> None:
    if member_id is None:
        return
    if await db.get(Member, member_id) is None:
        raise InvalidInput(
            "The member does not exist.",
            errors=[field_error("member_id", "exists", "no member with this id")],
        )
    if await db.scalar(select(User.id).where(User.member_id == member_id)) is not None:
        raise Conflict(
            "Another user is already linked to this member.",
            errors=[field_error("member_id", "unique", "already linked to another user")],
        )


async def create_user(
    db: AsyncSession,
    actor: Principal,
    passwords: Passwords,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: Sequence[Role],
    staff_resource_kind: StaffResourceKind | None,
    member_id: uuid.UUID | None,
    email: str | None = None,
) -> User:
    username = auth.normalise_username(username)
    role_rules.check(roles)
    if await db.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(
            "The username is taken.", errors=[field_error("username", "unique", "already in use")]
        )
    await _check_member(db, member_id)
    password_hash = await passwords.hash_off_loop(password)  # off the event loop, bounded
    user = User(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        staff_resource_kind=staff_resource_kind,
        member_id=member_id,
        email=email,
        roles=[UserRole(role=r) for r in sorted(set(roles))],
    )
    db.add(user)
    await db.flush()
    await audit.record(db, actor, "users.create", "user", user.id)
    return user


async def set_roles(
    db: AsyncSession,
    actor: Principal,
    user_id: uuid.UUID,
    roles: Sequence[Role],
    staff_resource_kind: StaffResourceKind | None,
) -> User:
    user = await get_user(db, user_id)
    if user.id == actor.id and Role.administrator not in roles:
        raise Conflict(
            "Administrators cannot remove their own administrator role.",
            errors=[field_error("roles", "keep_own_admin", "ask another administrator")],
        )
    role_rules.check(roles)
    await feed_validator.users_changed(db, [user.id])  # roles decide what a feed shows
    await db.execute(delete(UserRole).where(UserRole.user_id == user.id))
    user.staff_resource_kind = staff_resource_kind
    user.roles = [UserRole(user_id=user.id, role=r) for r in sorted(set(roles))]
    user.updated_at = utcnow()
    await db.flush()
    await audit.record(db, actor, "users.set_roles", "user", user.id)
    return user


async def set_active(db: AsyncSession, actor: Principal, user_id: uuid.UUID, active: bool) -> User:
    user = await get_user(db, user_id)
    if user.id == actor.id and not active:
        raise Conflict("Administrators cannot deactivate themselves.")
    user.is_active = active
    user.updated_at = utcnow()
    if not active:
        await auth.revoke_sessions(db, user.id, "deactivated")
        await feeds.revoke_for_deactivated(db, user.id, user.updated_at)
    await db.flush()
    await audit.record(
        db, actor, "users.activate" if active else "users.deactivate", "user", user.id
    )
    return user


async def link_member(
    db: AsyncSession, actor: Principal, user_id: uuid.UUID, member_id: uuid.UUID | None
) -> User:
    user = await get_user(db, user_id)
    if member_id != user.member_id:
        await _check_member(db, member_id)
    user.member_id = member_id
    user.updated_at = utcnow()
    await db.flush()
    await audit.record(db, actor, "users.link_member", "user", user.id)
    return user


async def list_service_accounts(db: AsyncSession) -> list[ServiceAccount]:
    return list((await db.scalars(select(ServiceAccount).order_by(ServiceAccount.name))).all())


async def create_service_account(db: AsyncSession, actor: Principal, name: str) -> ServiceAccount:
    if await db.scalar(select(ServiceAccount.id).where(ServiceAccount.name == name)) is not None:
        raise Conflict(
            "A service account with this name exists.",
            errors=[field_error("name", "unique", "already in use")],
        )
    account = ServiceAccount(name=name)
    db.add(account)
    await db.flush()
    await audit.record(db, actor, "service_accounts.create", "service_account", account.id)
    return account


async def _service_account(db: AsyncSession, account_id: uuid.UUID) -> ServiceAccount:
    account = await db.get(ServiceAccount, account_id)
    if account is None:
        raise NotFound("No such service account.")
    return account


async def list_tokens(db: AsyncSession, account_id: uuid.UUID) -> list[ApiToken]:
    await _service_account(db, account_id)
    stmt = select(ApiToken).where(ApiToken.service_account_id == account_id)
    return list((await db.scalars(stmt.order_by(ApiToken.created_at))).all())


async def issue_token(
    db: AsyncSession,
    actor: Principal,
    account_id: uuid.UUID,
    scopes: Sequence[str],
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    await _service_account(db, account_id)
    token, token_hash, prefix = tokens.new_api_token()
    row = ApiToken(
        service_account_id=account_id,
        token_hash=token_hash,
        prefix=prefix,
        scopes=" ".join(sorted(set(scopes))),
        expires_at=expires_at,
    )
    db.add(row)
    await db.flush()
    await audit.record(db, actor, "api_tokens.issue", "api_token", row.id)
    return row, token


async def revoke_token(
    db: AsyncSession, actor: Principal, account_id: uuid.UUID, token_id: uuid.UUID
) -> ApiToken:
    row = await db.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.service_account_id == account_id)
    )
    if row is None:
        raise NotFound("No such token.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await db.flush()
        await audit.record(db, actor, "api_tokens.revoke", "api_token", row.id)
    return row
