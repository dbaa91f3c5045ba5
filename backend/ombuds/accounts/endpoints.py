from __future__ import annotations

import uuid
from typing import cast

from fastapi import APIRouter, Request, status

from ombuds.accounts import service
from ombuds.accounts.access import AccountAdministrator
from ombuds.accounts.schemas import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenOut,
    ServiceAccountCreate,
    ServiceAccountOut,
    UserCreate,
    UserForAdministrator,
    UserMemberLink,
    UserRolesUpdate,
)
from ombuds.auth.passwords import Passwords
from ombuds.kit.apidoc import CONFLICT
from ombuds.kit.deps import DbSession
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import Page
from ombuds.models import ApiToken, Scope, User

users = APIRouter(prefix="/api/users", tags=["users"])
service_accounts = APIRouter(prefix="/api/service-accounts", tags=["service-accounts"])


def _user_out(user: User) -> UserForAdministrator:
    return UserForAdministrator(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.role_set),
        staff_resource_kind=user.staff_resource_kind,
        member_id=user.member_id,
        email=user.email,
        is_active=user.is_active,
        created_at=user.created_at,
    )


@users.get("", response_model=Page[UserForAdministrator], name="list")
async def list_users(
    db: DbSession, _: AccountAdministrator, cursor: Cursor = None, limit: PageSize = 50
) -> Page[UserForAdministrator]:
    """List user accounts, by username."""
    rows = await service.list_users(db, cursor=cursor, limit=limit)
    nxt = encode_cursor(rows[-1].username) if len(rows) == limit else None
    return Page(items=[_user_out(u) for u in rows], next_cursor=nxt)


@users.post(
    "",
    response_model=UserForAdministrator,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
)
async def create(
    request: Request, db: DbSession, actor: AccountAdministrator, body: UserCreate
) -> UserForAdministrator:
    """Create a user account with its roles."""
    user = await service.create_user(
        db,
        actor,
        cast(Passwords, request.app.state.passwords),
        username=body.username,
        display_name=body.display_name,
        password=body.password.get_secret_value(),
        roles=body.roles,
        staff_resource_kind=body.staff_resource_kind,
        member_id=body.member_id,
        email=str(body.email) if body.email is not None else None,
    )
    return _user_out(user)


@users.get("/{user_id}", response_model=UserForAdministrator)
async def get(db: DbSession, _: AccountAdministrator, user_id: uuid.UUID) -> UserForAdministrator:
    """One user account."""
    return _user_out(await service.get_user(db, user_id))


@users.put("/{user_id}/roles", response_model=UserForAdministrator, responses=CONFLICT)
async def set_roles(
    db: DbSession, actor: AccountAdministrator, user_id: uuid.UUID, body: UserRolesUpdate
) -> UserForAdministrator:
    """Replace a user's roles; effective on the user's next request."""
    user = await service.set_roles(db, actor, user_id, body.roles, body.staff_resource_kind)
    return _user_out(user)


@users.put("/{user_id}/member", response_model=UserForAdministrator, responses=CONFLICT)
async def link_member(
    db: DbSession, actor: AccountAdministrator, user_id: uuid.UUID, body: UserMemberLink
) -> UserForAdministrator:
    """Link a user to their member record (used to detect conflicts of interest)."""
    return _user_out(await service.link_member(db, actor, user_id, body.member_id))


@users.post("/{user_id}/deactivate", response_model=UserForAdministrator, responses=CONFLICT)
async def deactivate(
    db: DbSession, actor: AccountAdministrator, user_id: uuid.UUID
) -> UserForAdministrator:
    """Deactivate a user: every session ends at once."""
    return _user_out(await service.set_active(db, actor, user_id, False))


@users.post("/{user_id}/reactivate", response_model=UserForAdministrator, responses=CONFLICT)
async def reactivate(
    db: DbSession, actor: AccountAdministrator, user_id: uuid.UUID
) -> UserForAdministrator:
    """Reactivate a deactivated user."""
    return _user_out(await service.set_active(db, actor, user_id, True))


def _token_out(row: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(
        id=row.id,
        prefix=row.prefix,
        scopes=[Scope(s) for s in sorted(row.scope_set)],
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


@service_accounts.get("", response_model=list[ServiceAccountOut], name="list")
async def list_accounts(db: DbSession, _: AccountAdministrator) -> list[ServiceAccountOut]:
    """List integration service accounts."""
    rows = await service.list_service_accounts(db)
    return [ServiceAccountOut.model_validate(r) for r in rows]


@service_accounts.post(
    "",
    response_model=ServiceAccountOut,
    status_code=status.HTTP_201_CREATED,
    name="create",
    responses=CONFLICT,
)
async def create_account(
    db: DbSession, actor: AccountAdministrator, body: ServiceAccountCreate
) -> ServiceAccountOut:
    """Create an integration service account."""
    account = await service.create_service_account(db, actor, body.name)
    return ServiceAccountOut.model_validate(account)


@service_accounts.get("/{account_id}/tokens", response_model=list[ApiTokenOut])
async def list_tokens(
    db: DbSession, _: AccountAdministrator, account_id: uuid.UUID
) -> list[ApiTokenOut]:
    """List a service account's API tokens (never the tokens themselves)."""
    return [_token_out(t) for t in await service.list_tokens(db, account_id)]


@service_accounts.post(
    "/{account_id}/tokens", response_model=ApiTokenIssued, status_code=status.HTTP_201_CREATED
)
async def issue_token(
    db: DbSession, actor: AccountAdministrator, account_id: uuid.UUID, body: ApiTokenCreate
) -> ApiTokenIssued:
    """Issue a scoped API token; it is shown only in this response."""
    row, token = await service.issue_token(
        db, actor, account_id, [s.value for s in body.scopes], body.expires_at
    )
    return ApiTokenIssued(**_token_out(row).model_dump(), token=token)


@service_accounts.post("/{account_id}/tokens/{token_id}/revoke", response_model=ApiTokenOut)
async def revoke_token(
    db: DbSession, actor: AccountAdministrator, account_id: uuid.UUID, token_id: uuid.UUID
) -> ApiTokenOut:
    """Revoke an API token at once."""
    return _token_out(await service.revoke_token(db, actor, account_id, token_id))
