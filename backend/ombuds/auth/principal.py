"""The one principal type every access rule is built on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from ombuds.models import Role, StaffResourceKind


class PrincipalKind(StrEnum):
    user = "user"
    service = "service"
    anonymous = "anonymous"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    id: uuid.UUID | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    session_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    staff_resource_kind: StaffResourceKind | None = None
    second_factor_pending: bool = False

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_user(self) -> bool:
        return self.kind is PrincipalKind.user


ANONYMOUS = Principal(PrincipalKind.anonymous)
