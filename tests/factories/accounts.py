"""Users, sessions and API tokens for tests."""

from __future__ import annotations

import itertools

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth import tokens
from ombuds.auth.passwords import Passwords
from ombuds.models import (
    ApiToken,
    Member,
    Role,
    Scope,
    ServiceAccount,
    StaffResourceKind,
    User,
    UserRole,
)

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


async def make_user(
    db: AsyncSession,
    passwords: Passwords,
    *roles: Role,
    username: str | None = None,
    member: Member | None = None,
    staff_kind: StaffResourceKind | None = None,
    active: bool = True,
    email: str | None = None,
) -> User:
    if Role.staff_resource in roles and staff_kind is None:
        staff_kind = StaffResourceKind.special_assignments_officer
    user = User(
        username=username or f"user{next(_seq)}",
        display_name="Test user",
        password_hash=passwords.hash(PASSWORD),
        member_id=member.id if member else None,
        staff_resource_kind=staff_kind,
        is_active=active,
        email=email,
        roles=[UserRole(role=r) for r in roles],
    )
    db.add(user)
    await db.commit()
    return user


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> dict[str, str]:
    response = await client.post(
        "/api/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def signed_in(
    db: AsyncSession,
    passwords: Passwords,
    client: httpx.AsyncClient,
    *roles: Role,
    **kwargs: object,
) -> tuple[User, dict[str, str]]:
    user = await make_user(db, passwords, *roles, **kwargs)  # type: ignore[arg-type]
    return user, await login(client, user.username)


async def make_api_token(
    db: AsyncSession, *scopes: Scope, name: str | None = None
) -> tuple[ServiceAccount, str]:
    account = ServiceAccount(name=name or f"integration {next(_seq)}")
    db.add(account)
    await db.flush()
    token, token_hash, prefix = tokens.new_api_token()
    db.add(
        ApiToken(
            service_account_id=account.id,
            token_hash=token_hash,
            prefix=prefix,
            scopes=" ".join(s.value for s in scopes),
        )
    )
    await db.commit()
    return account, token
