"""Mass assignment (issue 4, item 4): whatever a caller may send a body to, a field that is
not in that operation's input schema (the stage, the closure, the version, assignees,
recusals, findings, roles, ...) or a field nobody knows is refused with 422
`extra_forbidden` naming it, and nothing in the database changes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, text

from ombuds.models import Base, Complaint
from tests.security.conftest import cells, expected
from tests.security.world import (
    World,
    operations,
    random_id,
    resolve_schema,
    valid_body,
)

# Fields a caller must never set through a body that does not declare them, with a value
# that would be plausible if the server accepted it.
PRIVILEGED: dict[str, Any] = {
    "stage": "closed",
    "closure": "dismissed",
    "closed_on": "2026-01-01",
    "version": 999,
    "reference": "C-0000",
    "id": "00000000-0000-0000-0000-000000000001",
    "complaint_id": "00000000-0000-0000-0000-000000000001",
    "intake_ombudsperson_id": "00000000-0000-0000-0000-000000000001",
    "member_ids": ["00000000-0000-0000-0000-000000000001"],
    "members": [{"seat": 1, "user_id": "00000000-0000-0000-0000-000000000001"}],
    "seats": [{"seat": 1, "user_id": "00000000-0000-0000-0000-000000000001"}],
    "staff_resource_id": "00000000-0000-0000-0000-000000000001",
    "recusals": ["00000000-0000-0000-0000-000000000001"],
    "recused_officers": 0,
    "findings": "harassment_found",
    "finding": "harassment_not_found",
    "findings_text": "Nothing found.",
    "roles": ["administrator"],
    "is_active": True,
    "status": "implemented",
    "disclosure_id": "00000000-0000-0000-0000-000000000001",
    "table_officers_notified_on": "2026-01-01",
    "owner_id": "00000000-0000-0000-0000-000000000001",
    "scopes": ["deadlines:read"],
    "password_hash": "x",
    "created_at": "2026-01-01T00:00:00Z",
    "zz_never_a_field": "x",
}
NESTED = "stage"
# Rows that change on any request (sessions seen, tokens used, the audit of every call).
VOLATILE_TABLES = frozenset({"audit_entries", "auth_sessions", "login_failures"})
# The feed validator's rows are folded from one table into the other in the background
# (calendars/validator.py): what must not move is each user's validator, compared instead.
FEED_VALIDATOR_TABLES = frozenset({"calendar_feed_changes", "calendar_feed_bases"})
FEED_VALIDATORS = text(
    "SELECT user_id, SUM(n), MAX(m) FROM ("
    " SELECT user_id, changes AS n, last_id AS m FROM calendar_feed_bases"
    " UNION ALL SELECT user_id, 1, id FROM calendar_feed_changes"
    ") AS v GROUP BY user_id"
)
VOLATILE_COLUMNS = frozenset({"last_seen_at", "last_used_at"})
# The parties' portal routes with a body take only a party's token, and the matrix holds no
# party principal yet: their unknown fields are refused in tests/portal/test_party_bodies.py.
PARTY_ONLY = frozenset({"portal-respond", "portal-availability", "portal-send-message"})


def _targets() -> list[Any]:
    """Each JSON-body operation, once per principal it allows, at its first such stage."""
    seen: dict[tuple[str, str], str] = {}
    for op_id, principal, stage in cells():
        op = operations()[op_id]
        if op.content_type != "application/json" or (op_id, principal) in seen:
            continue
        if expected(op_id, principal, stage) == "allow":
            seen[(op_id, principal)] = stage
    return [pytest.param(o, p, s, id=f"{o}:{p}") for (o, p), s in seen.items()]


def _declared(op_id: str) -> set[str]:
    schema = resolve_schema(operations()[op_id].body_schema)
    options = schema.get("anyOf", [schema])
    return {k for option in options for k in resolve_schema(option).get("properties", {})}


async def snapshot(world: World) -> dict[str, list[str]]:
    """Every row of every table (but the volatile ones), read raw."""
    out = {}
    async with world.sessionmaker() as db:
        for table in Base.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES | FEED_VALIDATOR_TABLES:
                continue
            columns = ", ".join(c.name for c in table.columns if c.name not in VOLATILE_COLUMNS)
            rows = (await db.execute(text(f"SELECT {columns} FROM {table.name}"))).all()
            out[table.name] = sorted(repr(tuple(r)) for r in rows)
        validators = (await db.execute(FEED_VALIDATORS)).all()
        out["feed validators"] = sorted(repr((str(u), int(n), int(m))) for u, n, m in validators)
    return out


def _nested_paths(body: dict[str, Any]) -> list[tuple[str, list[str | int]]]:
    """(error field, where to plant) for each object inside the body."""
    paths: list[tuple[str, list[str | int]]] = []
    for key, value in body.items():
        if isinstance(value, dict):
            paths.append((f"{key}.{NESTED}", [key]))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            paths.append((f"{key}.0.{NESTED}", [key, 0]))
    return paths


def _refused(r: Any, field: str) -> bool:
    if r.status_code != 422:
        return False
    errors = r.json().get("errors", [])
    return any(e["field"] == field and e["rule"] == "extra_forbidden" for e in errors)


def test_every_json_body_operation_is_covered() -> None:
    covered = {p.values[0] for p in _targets()}
    with_body = {o.id for o in operations().values() if o.content_type == "application/json"}
    assert PARTY_ONLY <= with_body  # no stale name
    assert sorted(with_body - covered - PARTY_ONLY) == []


@pytest.mark.parametrize(("op_id", "principal", "stage"), _targets())
async def test_privileged_and_unknown_fields_are_refused(
    world: World, op_id: str, principal: str, stage: str
) -> None:
    call = await world.request(op_id, principal, stage)
    body = call.json if isinstance(call.json, dict) else valid_body(world, operations()[op_id])
    before = await snapshot(world)
    accepted = []
    for field, value in PRIVILEGED.items():
        if field in _declared(op_id):
            continue  # the operation's own field (e.g. a CRC's finding): not an extra
        r = await world.send(replace(call, json={**body, field: value}))
        if not _refused(r, field):
            accepted.append((field, r.status_code, r.text[:200]))
    for field, where in _nested_paths(body):
        planted: Any = {**body}
        inner = planted
        for step in where[:-1]:
            inner[step] = list(inner[step]) if isinstance(inner[step], list) else {**inner[step]}
            inner = inner[step]
        inner[where[-1]] = {**inner[where[-1]], NESTED: "closed"}
        r = await world.send(replace(call, json=planted))
        if not _refused(r, field):
            accepted.append((field, r.status_code, r.text[:200]))
    assert accepted == []
    assert await snapshot(world) == before


async def test_the_snapshot_sees_a_change(world: World) -> None:
    """The database comparison itself: an accepted change shows up in it."""
    before = await snapshot(world)
    r = await world.call("consultations-create", "intake_ombudsperson", "global")
    assert r.status_code == 201
    assert await snapshot(world) != before


# Multipart forms -------------------------------------------------------------------------

FORM_OPERATIONS = [("formal-add-attachment", "intake_ombudsperson", "committee")]


@pytest.mark.parametrize(("op_id", "principal", "stage"), FORM_OPERATIONS)
async def test_privileged_form_fields_change_nothing(
    world: World, op_id: str, principal: str, stage: str
) -> None:
    """Undeclared form fields never reach the complaint: stage, closure, intake and
    reference are as before, whatever the upload does."""
    cid = world.targets[stage]["complaint_id"]
    c = Complaint
    query = select(c.stage, c.closure, c.intake_ombudsperson_id, c.reference, c.finding).where(
        c.id == uuid.UUID(cid)
    )

    async def privileged() -> Any:
        async with world.sessionmaker() as db:
            return (await db.execute(query)).one()

    before = await privileged()
    call = await world.request(op_id, principal, stage)
    extra = {"stage": "closed", "closure": "dismissed", "intake_ombudsperson_id": random_id()}
    r = await world.send(replace(call, data={**(call.data or {}), **extra}))
    assert r.status_code in (201, 422), r.text
    assert await privileged() == before


@pytest.mark.parametrize(("op_id", "principal", "stage"), FORM_OPERATIONS)
async def test_privileged_form_fields_are_refused(
    world: World, op_id: str, principal: str, stage: str
) -> None:
    call = await world.request(op_id, principal, stage)
    r = await world.send(replace(call, data={**(call.data or {}), "stage": "closed"}))
    assert _refused(r, "stage"), (r.status_code, r.text[:200])
