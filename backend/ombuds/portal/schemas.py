from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from ombuds.auth.passwords import MIN_PASSWORD_LENGTH
from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import PartyRole

PortalStatus = Literal["not_invited", "invited", "expired", "revoked", "active", "ended"]


# The ombudsperson's side -----------------------------------------------------------------


class InvitationIn(InputSchema):
    person_id: uuid.UUID = Field(description="A party or witness of this complaint")


class InvitationIssued(OutputSchema):
    """Shown once: only hashes are kept. Give the link and the code to the person by two
    different channels (e.g. the link by e-mail, the code by phone)."""

    invitation_id: uuid.UUID
    person_id: uuid.UUID
    party: PartyRole
    link: str
    access_code: str
    expires_at: datetime


class PersonPortalStatus(OutputSchema):
    """A person of the complaint and their portal access; never a token, code or hash."""

    person_id: uuid.UUID
    party: PartyRole
    status: PortalStatus
    invitation_id: uuid.UUID | None
    invited_at: datetime | None
    invitation_expires_at: datetime | None
    redeemed_at: datetime | None
    revoked_at: datetime | None
    access_id: uuid.UUID | None
    access_since: datetime | None
    access_ended_at: datetime | None


class InvitationOut(OutputSchema):
    id: uuid.UUID
    person_id: uuid.UUID
    party: PartyRole
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class AccessOut(OutputSchema):
    id: uuid.UUID
    person_id: uuid.UUID
    party: PartyRole
    created_at: datetime
    ended_at: datetime | None


# The party's side ------------------------------------------------------------------------


class RedeemIn(InputSchema):
    token: str = Field(min_length=1, max_length=200, description="From the link, after '#'")
    code: str = Field(min_length=1, max_length=40, description="The access code")
    passphrase: str = Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=1024,
        description=f"At least {MIN_PASSWORD_LENGTH} characters, for signing in later",
    )


class SignInIn(InputSchema):
    sign_in_id: str = Field(min_length=1, max_length=40)
    passphrase: str = Field(min_length=1, max_length=1024)


class PortalToken(OutputSchema):
    """The party's token for the portal (not for anything else), and the sign-in id they
    sign in with next time, with their passphrase."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    sign_in_id: str
    session_expires_at: datetime


class PortalMe(OutputSchema):
    """The signed-in party's own access."""

    party: PartyRole
    reference: str
    read_only: bool
    session_expires_at: datetime
