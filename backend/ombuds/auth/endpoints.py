from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ombuds.audit import service as audit
from ombuds.auth import second_factor, service
from ombuds.auth.access import AnySession, Public
from ombuds.auth.passwords import Passwords
from ombuds.auth.principal import Principal
from ombuds.auth.schemas import AccessToken, Me, SecondFactorCode, SecondFactorEnrolment
from ombuds.kit.clock import utcnow
from ombuds.kit.crypto import KeyRing
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.errors import Conflict, InvalidInput, field_error, problem
from ombuds.models import AuthSession, User

router = APIRouter(prefix="/api/auth", tags=["auth"])
TITLES = {
    "login-failed": "Sign-in failed",
    "second-factor-required": "Second factor required",
    "second-factor-wrong": "Second factor refused",
    "too-many-attempts": "Too many attempts",
}


@router.post(
    "/token",
    response_model=AccessToken,
    responses={
        401: {
            "description": "Wrong credentials, a deactivated account, or a second factor "
            "needed or refused (the problem's type says which)"
        },
        429: {"description": "Too many failed attempts; Retry-After says when to try again"},
    },
)
async def token(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    _: Public,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    otp: Annotated[str | None, Form(max_length=12, description="The 6-digit TOTP code")] = None,
) -> AccessToken | JSONResponse:
    """Sign in with a username and password, and a code when a second factor is set up."""
    result = await service.login(
        db,
        settings,
        cast(Passwords, request.app.state.passwords),
        cast(KeyRing, request.app.state.keyring),
        username=form.username,
        password=form.password,
        code=otp,
        client=request.client.host if request.client else "unknown",
    )
    if result.access_token is None:
        throttled = result.retry_after is not None
        headers = {"Retry-After": str(result.retry_after)} if throttled else service.SIGN_IN_AGAIN
        return problem(
            429 if throttled else 401,
            result.problem,
            TITLES[result.problem],
            result.failure or "",
            headers=headers,
        )
    return AccessToken(access_token=result.access_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(db: DbSession, principal: AnySession) -> Response:
    """End the current session at once."""
    await service.logout(db, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _me(db: DbSession, principal: Principal) -> User:
    user = await db.scalar(
        select(User).where(User.id == principal.id).options(selectinload(User.roles))
    )
    assert user is not None  # the session was resolved from this user in this transaction
    return user


@router.get("/me", response_model=Me)
async def me(db: DbSession, principal: AnySession) -> Me:
    """The signed-in user's account and roles."""
    user = await _me(db, principal)
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.role_set),
        staff_resource_kind=user.staff_resource_kind,
        second_factor_enabled=user.totp_confirmed_at is not None,
        second_factor_pending=principal.second_factor_pending,
    )


@router.post(
    "/second-factor",
    response_model=SecondFactorEnrolment,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "A second factor is already set up"}},
)
async def enrol_second_factor(
    request: Request, db: DbSession, principal: AnySession
) -> SecondFactorEnrolment:
    """Start setting up a TOTP second factor; confirm it with a code to turn it on."""
    user = await _me(db, principal)
    if user.totp_confirmed_at is not None:
        raise Conflict("A second factor is already set up for this account.")
    secret, uri = second_factor.new_secret(user, cast(KeyRing, request.app.state.keyring))
    await db.flush()
    await audit.record(db, principal, "auth.second_factor_enrol", "user", user.id)
    return SecondFactorEnrolment(secret=secret, otpauth_uri=uri)


@router.post("/second-factor/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def confirm_second_factor(
    request: Request, db: DbSession, principal: AnySession, body: SecondFactorCode
) -> Response:
    """Turn the second factor on with a first code; this session may then do its work."""
    user = await _me(db, principal)
    if user.totp_secret is None or user.totp_confirmed_at is not None:
        raise Conflict("Start the set-up first (POST /api/auth/second-factor).")
    if not await second_factor.accept(
        db, user, cast(KeyRing, request.app.state.keyring), body.code
    ):
        raise InvalidInput(
            "The code is wrong or was already used.",
            errors=[field_error("code", "totp", "not the current code")],
        )
    user.totp_confirmed_at = utcnow()
    await db.execute(
        update(AuthSession)
        .where(AuthSession.id == principal.session_id)
        .values(second_factor_pending=False)
    )
    await audit.record(db, principal, "auth.second_factor_confirm", "user", user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
