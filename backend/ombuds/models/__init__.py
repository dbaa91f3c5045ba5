"""Every ORM model, re-exported so Alembic and the services see one metadata."""

from ombuds.kit.db import Base
from ombuds.models.accounts import (
    ApiToken,
    AuthSession,
    Role,
    Scope,
    ServiceAccount,
    StaffResourceKind,
    User,
    UserRole,
)
from ombuds.models.audit import AuditEntry, Outcome
from ombuds.models.directory import Member, RosterSeat, SeatTerm, TrainingKind, TrainingRecord, Unit

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Member",
    "Outcome",
    "Role",
    "RosterSeat",
    "Scope",
    "SeatTerm",
    "ServiceAccount",
    "StaffResourceKind",
    "TrainingKind",
    "TrainingRecord",
    "Unit",
    "User",
    "UserRole",
]
