"""The record classes a retention schedule is set for, and which class a record is in.

A consultation (4.1) is its own record until it becomes a complaint; a complaint's class
follows how it closed."""

from __future__ import annotations

from enum import StrEnum

from ombuds.models import Closure


class RecordClass(StrEnum):
    consultation = "consultation"  # 4.1, never became a complaint
    redirected = "redirected"  # 1.3: to the grievance procedure or the workplace policy
    informal = "informal"  # 4.2.1: resolved informally
    withdrawn = "withdrawn"
    formal = "formal"  # 4.3.1: dismissed, concluded, or referred to a CUPE charge


_BY_CLOSURE = {
    Closure.redirected: RecordClass.redirected,
    Closure.resolved_informally: RecordClass.informal,
    Closure.withdrawn: RecordClass.withdrawn,
    Closure.dismissed: RecordClass.formal,
    Closure.concluded: RecordClass.formal,
    Closure.referred_to_charge: RecordClass.formal,
}


def class_of(closure: Closure) -> RecordClass:
    """The class of a complaint closed this way (every closure has one)."""
    return _BY_CLOSURE[closure]
