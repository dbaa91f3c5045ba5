"""Access rules built on the principal: who may call what.

Every endpoint takes exactly one of the typed dependencies exported here or by its
domain's ``access.py`` (which builds on these)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ombuds.auth import service
from ombuds.auth.principal import ANONYMOUS, Principal
from ombuds.kit.access import access_rule, dependant_rules
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.errors import DomainError, Forbidden, Unauthenticated
from ombuds.models import Role, Scope

bearer = HTTPBearer(
    auto_error=False,
    description="An access token from /api/auth/token, or an integration's API token",
)


async def current_principal(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    principal = ANONYMOUS
    if credentials is not None:
        principal = await service.resolve_bearer(db, settings, credentials.credentials)
    request.state.principal = principal  # for the audit of denials (audit/denials.py)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
PrincipalDependency = Callable[..., Coroutine[Any, Any, Principal]]


def _signed_in(principal: Principal) -> Principal:
    _session(principal)
    if principal.second_factor_pending:
        raise Forbidden("Set up your second factor first (POST /api/auth/second-factor).")
    return principal


def _session(principal: Principal) -> Principal:
    if principal.kind == "service":
        raise Forbidden("API tokens reach only the deadlines; this needs a person signed in.")
    if not principal.is_user:
        raise Unauthenticated("Sign in to use this.", headers={"WWW-Authenticate": "Bearer"})
    return principal


@access_rule("any signed-in user, also one who still has to set up a second factor")
async def any_session(principal: CurrentPrincipal) -> Principal:
    return _session(principal)


PUBLIC_RULE = "public: anyone, signed in or not"


async def unauthenticated_caller(request: Request) -> DomainError | None:
    """The 401 a route would answer, found before its body is read: FastAPI reads the body
    before the access rule runs, and a caller who is not signed in learns nothing, not even
    that their body was malformed."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or PUBLIC_RULE in dependant_rules(route.dependant):
        return None
    credentials = await bearer(request)
    if credentials is None:
        return Unauthenticated("Sign in to use this.", headers={"WWW-Authenticate": "Bearer"})
    async with request.app.state.sessionmaker() as db:
        try:
            await service.resolve_bearer(db, request.app.state.settings, credentials.credentials)
        except Unauthenticated as refusal:
            return refusal
        finally:
            await db.rollback()
    return None


@access_rule(PUBLIC_RULE)
async def public(principal: CurrentPrincipal) -> Principal:
    return principal


@access_rule("any signed-in user")
async def any_user(principal: CurrentPrincipal) -> Principal:
    return _signed_in(principal)


def require_roles(*roles: Role) -> PrincipalDependency:
    """A signed-in user holding at least one of ``roles``; others get 403."""
    names = " or ".join(r.value for r in roles)

    @access_rule(f"users with role {names}")
    async def rule(principal: CurrentPrincipal) -> Principal:
        _signed_in(principal)
        if not principal.has_role(*roles):
            raise Forbidden(f"This needs the role {names}.")
        return principal

    return rule


def require_scope_or_user(scope: Scope) -> PrincipalDependency:
    """A signed-in user (their own scope applies) or an integration token holding ``scope``."""

    @access_rule(f"signed-in users, or integrations with scope {scope.value}")
    async def rule(principal: CurrentPrincipal) -> Principal:
        if principal.is_user:
            return principal
        if principal.kind == "service" and scope.value in principal.scopes:
            return principal
        if principal.kind == "service":
            raise Forbidden(f"This API token lacks the scope {scope.value}.")
        raise Unauthenticated("Sign in to use this.", headers={"WWW-Authenticate": "Bearer"})

    return rule


Public = Annotated[Principal, Depends(public)]
AnyUser = Annotated[Principal, Depends(any_user)]
AnySession = Annotated[Principal, Depends(any_session)]
Administrator = Annotated[Principal, Depends(require_roles(Role.administrator))]
