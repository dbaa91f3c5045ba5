from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import Role, StaffResourceKind


class AccessToken(OutputSchema):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105


class Me(OutputSchema):
    """The signed-in user's own account."""

    id: uuid.UUID
    username: str
    display_name: str
    roles: list[Role]
    staff_resource_kind: StaffResourceKind | None
    second_factor_enabled: bool
    second_factor_pending: bool


class SecondFactorEnrolment(OutputSchema):
    """Shown once: add it to an authenticator app, then confirm with a code."""

    secret: str
    otpauth_uri: str


class SecondFactorCode(InputSchema):
    code: str = Field(pattern=r"^[0-9]{6}$")
