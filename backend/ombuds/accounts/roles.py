"""Roles one account may not hold together (POLICY.md "People and roles").

An administrator keeps users, Units, the roster and settings and sees no complaint content,
so they hold no case role; a table officer sees non-identifying status only (4.3.1(iv)),
so they are neither an ombudsperson nor a staff resource."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ombuds.kit.errors import Conflict, field_error
from ombuds.models import Role


@dataclass(frozen=True)
class Rule:
    slug: str  # the rule's stable name, in problem details and the check-roles report
    role: Role
    excludes: frozenset[Role]
    reason: str


RULES = (
    Rule(
        "administrator_holds_no_case_role",
        Role.administrator,
        frozenset({Role.ombudsperson, Role.table_officer, Role.staff_resource}),
        "an administrator sees no complaint content, so holds no case role",
    ),
    Rule(
        "table_officer_does_no_case_work",
        Role.table_officer,
        frozenset({Role.ombudsperson, Role.staff_resource}),
        "a table officer sees non-identifying status only (4.3.1(iv)), so is neither an "
        "ombudsperson nor a staff resource",
    ),
)


@dataclass(frozen=True)
class Clash:
    rule: Rule
    roles: tuple[Role, Role]

    def describe(self) -> str:
        return f"{self.roles[0].value} + {self.roles[1].value}"


def clashes(roles: Iterable[Role]) -> list[Clash]:
    """Every pair of ``roles`` that one account may not hold, rule by rule."""
    held = set(roles)
    return [
        Clash(rule, (rule.role, other))
        for rule in RULES
        if rule.role in held
        for other in sorted(rule.excludes & held)
    ]


def check(roles: Iterable[Role]) -> None:
    """Refuse a set of roles that holds a conflicting pair: a 409 naming rule and roles."""
    found = clashes(roles)
    if not found:
        return
    pairs = "; ".join(f"{c.describe()} ({c.rule.reason})" for c in found)
    raise Conflict(
        f"These roles cannot be held by one account: {pairs}.",
        errors=[field_error("roles", c.rule.slug, c.describe()) for c in found],
        conflicting_roles=[[r.value for r in c.roles] for c in found],
    )
