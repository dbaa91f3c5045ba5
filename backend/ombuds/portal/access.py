"""Who may call the portal's routes.

The parties' routes take `Party` (a portal token: its own audience, its own session
rows) or `Anyone` (redeeming and signing in): neither resolves a staff token, and no
staff rule resolves a portal token (auth/tokens.py), so the two never cross. The
ombudsperson's routes take `complaints.access.Ombudsperson`; `handled` narrows them to
the ombudsperson who took the complaint in (others who may read it: 403; the rest: 404)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth import access as auth_access
from ombuds.auth.principal import ANONYMOUS, Principal
from ombuds.complaints import access as complaints_access
from ombuds.kit.access import access_rule, dependant_rules
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.errors import DomainError, Forbidden, Unauthenticated
from ombuds.models import Complaint
from ombuds.portal import service

portal_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PortalBearer",
    description="A party's token from /api/portal/redeem or /api/portal/sign-in",
)
PARTY_RULE = "portal: a party signed in to the portal"
SIGN_IN = {"WWW-Authenticate": "Bearer"}


async def current_party(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(portal_bearer)],
) -> Principal:
    principal = ANONYMOUS
    if credentials is not None:
        principal = await service.resolve_bearer(db, settings, credentials.credentials)
    request.state.principal = principal  # for the audit of denials (audit/denials.py)
    return principal


@access_rule(PARTY_RULE)
async def party(principal: Annotated[Principal, Depends(current_party)]) -> Principal:
    if not principal.is_party:
        raise Unauthenticated("Sign in to the portal to use this.", headers=SIGN_IN)
    return principal


async def _nobody() -> Principal:
    return ANONYMOUS


@access_rule(auth_access.PUBLIC_RULE)
async def anyone(principal: Annotated[Principal, Depends(_nobody)]) -> Principal:
    """Public, and reads no bearer at all: a token sent along changes nothing."""
    return principal


Party = Annotated[Principal, Depends(party)]
Anyone = Annotated[Principal, Depends(anyone)]

NOT_HANDLING = "Only the ombudsperson who took the complaint in invites its parties to the portal."


async def handled(db: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> Complaint:
    """The complaint, if the caller may read it (else 404) and took it in (else 403)."""
    complaint = await complaints_access.readable(db, principal, complaint_id)
    if complaint.intake_ombudsperson_id != principal.id:
        raise Forbidden(NOT_HANDLING)
    return complaint


async def unauthenticated_caller(request: Request) -> DomainError | None:
    """auth.access.unauthenticated_caller, for the portal's routes with the portal's
    tokens: the 401 a route would answer, found before its body is read."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or PARTY_RULE not in dependant_rules(route.dependant):
        return await auth_access.unauthenticated_caller(request)
    credentials = await portal_bearer(request)
    if credentials is None:
        return Unauthenticated("Sign in to the portal to use this.", headers=SIGN_IN)
    async with request.app.state.sessionmaker() as db:
        try:
            await service.resolve_bearer(db, request.app.state.settings, credentials.credentials)
        except Unauthenticated as refusal:
            return refusal
        finally:
            await db.rollback()
    return None
