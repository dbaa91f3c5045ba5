"""The one principal type every access rule is built on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from ombuds.models import PartyRole, Role, StaffResourceKind


class PrincipalKind(StrEnum):
    user = "user"
    service = "service"
    anonymous = "anonymous"
    # A member-complainant, other party or witness signed in to the portal (issue 16):
    # `id` is their portal access, `session_id` their portal session.
    party = "party"


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
    # A party's complaint, their person on it and their part; read-only once it closed.
    complaint_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    party: PartyRole | None = None
    read_only: bool = False

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_user(self) -> bool:
        return self.kind is PrincipalKind.user

    @property
    def is_party(self) -> bool:
        return self.kind is PrincipalKind.party


ANONYMOUS = Principal(PrincipalKind.anonymous)
