from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

from pydantic import (
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from ombuds.auth.passwords import MIN_PASSWORD_LENGTH
from ombuds.kit.clock import utcnow
from ombuds.kit.errors import RuleBroken
from ombuds.kit.schemas import InputSchema, IsoDatetime, OutputSchema
from ombuds.models import Role, Scope, StaffResourceKind

USERNAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$"


class _RolesInput(InputSchema):
    roles: list[Role] = Field(min_length=1)
    staff_resource_kind: StaffResourceKind | None = None

    @model_validator(mode="after")
    def _staff_kind_matches_role(self) -> Self:
        is_staff = Role.staff_resource in self.roles
        if is_staff and self.staff_resource_kind is None:
            raise RuleBroken(
                "staff_resource_kind",
                "required_for_staff_resource",
                "a staff resource needs staff_resource_kind (4.3.1(v))",
            )
        if not is_staff and self.staff_resource_kind is not None:
            raise RuleBroken(
                "staff_resource_kind",
                "only_for_staff_resource",
                "staff_resource_kind is only for the staff_resource role",
            )
        return self


class UserCreate(_RolesInput):
    # A password is hashed exactly as typed: no whitespace stripping here.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    username: str = Field(pattern=USERNAME_PATTERN)

    @field_validator("username", "display_name", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    display_name: str = Field(min_length=1, max_length=200)
    password: SecretStr = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    member_id: uuid.UUID | None = None
    email: EmailStr | None = Field(
        default=None, description="Where notifications are mailed; none: in the app only"
    )


class UserRolesUpdate(_RolesInput):
    pass


class UserMemberLink(InputSchema):
    member_id: uuid.UUID | None


class UserForAdministrator(OutputSchema):
    id: uuid.UUID
    username: str
    display_name: str
    roles: list[Role]
    staff_resource_kind: StaffResourceKind | None
    member_id: uuid.UUID | None
    email: str | None
    is_active: bool
    created_at: datetime


class ServiceAccountCreate(InputSchema):
    name: str = Field(min_length=1, max_length=100)


class ServiceAccountOut(OutputSchema):
    id: uuid.UUID
    name: str
    is_active: bool
    created_at: datetime


class ApiTokenCreate(InputSchema):
    scopes: list[Scope] = Field(min_length=1)
    expires_at: IsoDatetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _expires_in_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= utcnow():
            raise RuleBroken(None, "in_future", "must be in the future")
        return value


class ApiTokenOut(OutputSchema):
    id: uuid.UUID
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiTokenIssued(ApiTokenOut):
    """Returned once, at creation: the token itself is never shown again."""

    token: str
