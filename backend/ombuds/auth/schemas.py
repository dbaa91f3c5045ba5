from __future__ import annotations

import uuid
from typing import Literal

from ombuds.kit.schemas import OutputSchema
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
