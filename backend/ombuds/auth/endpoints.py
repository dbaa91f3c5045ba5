from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ombuds.auth import service
from ombuds.auth.access import AnyUser, Public
from ombuds.auth.passwords import Passwords
from ombuds.auth.schemas import AccessToken, Me
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.errors import problem
from ombuds.models import User

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=AccessToken,
    responses={401: {"description": "Wrong credentials or a deactivated account"}},
)
async def token(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    _: Public,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> AccessToken | JSONResponse:
    """Sign in with a username and password (OAuth2 password flow)."""
    passwords = cast(Passwords, request.app.state.passwords)
    result = await service.login(db, settings, passwords, form.username, form.password)
    if result.access_token is None:
        return problem(
            401,
            "login-failed",
            "Sign-in failed",
            result.failure or "",
            headers=service.SIGN_IN_AGAIN,
        )
    return AccessToken(access_token=result.access_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(db: DbSession, principal: AnyUser) -> Response:
    """End the current session at once."""
    await service.logout(db, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=Me)
async def me(db: DbSession, principal: AnyUser) -> Me:
    """The signed-in user's account and roles."""
    user = await db.scalar(
        select(User).where(User.id == principal.id).options(selectinload(User.roles))
    )
    assert user is not None  # the session was resolved from this user in this transaction
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.role_set),
        staff_resource_kind=user.staff_resource_kind,
    )
