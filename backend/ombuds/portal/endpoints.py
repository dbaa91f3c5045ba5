from __future__ import annotations

import uuid
from typing import cast

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from ombuds.auth.passwords import Passwords
from ombuds.complaints.access import Ombudsperson
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.errors import problem
from ombuds.portal import service
from ombuds.portal.access import Anyone, Party, handled
from ombuds.portal.schemas import (
    AccessOut,
    InvitationIn,
    InvitationIssued,
    InvitationOut,
    PersonPortalStatus,
    PortalMe,
    PortalToken,
    RedeemIn,
    SignInIn,
)

# The ombudsperson's side, on the complaint; the party's side, on its own prefix.
router = APIRouter(prefix="/api/complaints", tags=["portal"])
party_router = APIRouter(prefix="/api/portal", tags=["portal"])

HANDLING: dict[int | str, dict[str, str]] = {
    403: {"description": "The caller may read the complaint but did not take it in"},
    404: {
        "description": "No such complaint (or invitation, or access), or not one the caller may see"
    },
}
SIGN_IN_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Refused, with one answer whatever was wrong"},
    429: {"description": "Too many failed attempts; Retry-After says when to try again"},
}


def _passwords(request: Request) -> Passwords:
    return cast(Passwords, request.app.state.passwords)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/{complaint_id}/portal-invitations",
    response_model=InvitationIssued,
    status_code=status.HTTP_201_CREATED,
    responses={
        **HANDLING,
        409: {"description": "The complaint is closed: nobody is invited any more"},
    },
    name="invite",
)
async def invite(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: InvitationIn,
) -> InvitationIssued:
    """Invite a party or witness to the portal: a link and an access code, shown once."""
    complaint = await handled(db, actor, complaint_id)
    issued = await service.issue(
        db, settings, _passwords(request), actor, complaint, body.person_id
    )
    return InvitationIssued(
        invitation_id=issued.invitation.id,
        person_id=issued.invitation.person_id,
        party=issued.invitation.party,
        link=issued.link,
        access_code=issued.code,
        expires_at=issued.invitation.expires_at,
    )


@router.get(
    "/{complaint_id}/portal-invitations",
    response_model=list[PersonPortalStatus],
    responses=HANDLING,
    name="list-invitations",
)
async def list_invitations(
    db: DbSession, actor: Ombudsperson, complaint_id: uuid.UUID
) -> list[PersonPortalStatus]:
    """Each person of the complaint: invited to the portal, in it, or not (audited)."""
    complaint = await handled(db, actor, complaint_id)
    out = []
    for s in await service.statuses(db, actor, complaint):
        i, a = s.invitation, s.access
        out.append(
            PersonPortalStatus(
                person_id=s.person.id,
                party=s.person.role,
                status=s.status,
                invitation_id=i.id if i else None,
                invited_at=i.issued_at if i else None,
                invitation_expires_at=i.expires_at if i else None,
                redeemed_at=i.redeemed_at if i else None,
                revoked_at=i.revoked_at if i else None,
                access_id=a.id if a else None,
                access_since=a.created_at if a else None,
                access_ended_at=a.ended_at if a else None,
            )
        )
    return out


@router.post(
    "/{complaint_id}/portal-invitations/{invitation_id}/revoke",
    response_model=InvitationOut,
    responses={**HANDLING, 409: {"description": "Already redeemed or revoked"}},
    name="revoke-invitation",
)
async def revoke_invitation(
    db: DbSession, actor: Ombudsperson, complaint_id: uuid.UUID, invitation_id: uuid.UUID
) -> InvitationOut:
    """Revoke an invitation not yet redeemed: its link and code open nothing any more."""
    complaint = await handled(db, actor, complaint_id)
    return InvitationOut.model_validate(await service.revoke(db, actor, complaint, invitation_id))


@router.post(
    "/{complaint_id}/portal-access/{access_id}/end",
    response_model=AccessOut,
    responses={**HANDLING, 409: {"description": "The access has already ended"}},
    name="end-access",
)
async def end_access(
    db: DbSession, actor: Ombudsperson, complaint_id: uuid.UUID, access_id: uuid.UUID
) -> AccessOut:
    """End a party's access to the portal now: signed out, and no more sign-ins."""
    complaint = await handled(db, actor, complaint_id)
    return AccessOut.model_validate(await service.end_access(db, actor, complaint, access_id))


def _token_or_refusal(result: service.SignedIn) -> PortalToken | JSONResponse:
    if result.retry_after is not None:
        return problem(
            429,
            "too-many-attempts",
            "Too many attempts",
            f"Too many failed attempts; try again in {result.retry_after} seconds.",
            headers={"Retry-After": str(result.retry_after)},
        )
    if result.access_token is None or result.sign_in_id is None or result.expires_at is None:
        return problem(
            401,
            "portal-access-refused",
            "Access refused",
            service.REFUSED,
            headers=service.SIGN_IN_AGAIN,
        )
    return PortalToken(
        access_token=result.access_token,
        sign_in_id=result.sign_in_id,
        session_expires_at=result.expires_at,
    )


@party_router.post("/redeem", response_model=PortalToken, responses=SIGN_IN_RESPONSES)
async def redeem(
    request: Request, db: DbSession, settings: AppSettings, _: Anyone, body: RedeemIn
) -> PortalToken | JSONResponse:
    """Redeem an invitation once, with its access code, and choose a passphrase."""
    result = await service.redeem(
        db,
        settings,
        _passwords(request),
        token=body.token,
        code=body.code,
        passphrase=body.passphrase,
        client=_client(request),
    )
    return _token_or_refusal(result)


@party_router.post("/sign-in", response_model=PortalToken, responses=SIGN_IN_RESPONSES)
async def sign_in(
    request: Request, db: DbSession, settings: AppSettings, _: Anyone, body: SignInIn
) -> PortalToken | JSONResponse:
    """Sign in to the portal with the sign-in id and passphrase."""
    result = await service.sign_in(
        db,
        settings,
        _passwords(request),
        sign_in_id=body.sign_in_id,
        passphrase=body.passphrase,
        client=_client(request),
    )
    return _token_or_refusal(result)


@party_router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(db: DbSession, party: Party) -> Response:
    """End the party's portal session at once."""
    await service.sign_out(db, party)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@party_router.get("/me", response_model=PortalMe)
async def me(db: DbSession, settings: AppSettings, party: Party) -> PortalMe:
    """The signed-in party: their part, the complaint's reference, whether read-only."""
    own = await service.own(db, settings, party)
    assert party.party is not None  # a party principal always has one
    return PortalMe(
        party=party.party,
        reference=own.reference,
        read_only=party.read_only,
        session_expires_at=own.session_expires_at,
    )
