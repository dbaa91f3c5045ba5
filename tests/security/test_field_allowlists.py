"""Field allowlists per role (issue 4, item 2): every response a caller may get holds only
the fields field_allowlists.yaml lists for the caller's role, checked recursively on real
responses; table officers, integrations and administrators never get a field of their
deny-lists, anywhere, whatever the operation and whether it succeeds or fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.security.conftest import allowlists, cell_param, cells, expected, matrix
from tests.security.world import PRINCIPALS, World, operations

JSON_TYPES = ("application/json", "application/problem+json")


def role_of(principal: str) -> str:
    (role,) = [r for r, members in allowlists()["roles"].items() if principal in members]
    return str(role)


def deny_rules(principal: str) -> list[dict[str, Any]]:
    return [rule for rule in allowlists()["deny"] if principal in rule["principals"]]


def keys(value: Any, prefix: str = "") -> Iterator[str]:
    """Every key of a JSON document as a dotted path; `[]` stands for a list's items."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from keys(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item, prefix + "[]")


def json_of(r: httpx.Response) -> Any:
    if not r.content or not r.headers.get("content-type", "").startswith(JSON_TYPES):
        return None
    return r.json()


def _checked_cells() -> list[Any]:
    """What a role may call, and everything the deny-listed principals call."""
    watched = {p for rule in allowlists()["deny"] for p in rule["principals"]}
    return [
        cell_param(op_id, principal, stage)
        for op_id, principal, stage in cells()
        if expected(op_id, principal, stage) == "allow" or principal in watched
    ]


# The file itself -------------------------------------------------------------------------


def test_every_allowed_cell_has_an_allowlist() -> None:
    """A role that may call an operation has its list; no list names what is gone."""
    lists = allowlists()["operations"]
    missing = sorted(
        {
            (op_id, role_of(principal))
            for op_id, principal, stage in cells()
            if expected(op_id, principal, stage) == "allow"
            and role_of(principal) not in lists.get(op_id, {})
        }
    )
    assert missing == []
    assert sorted(set(lists) - set(operations())) == []
    assert {p for members in allowlists()["roles"].values() for p in members} == set(PRINCIPALS)


def test_exceptions_name_operations_of_the_api() -> None:
    for rule in allowlists()["deny"]:
        assert set(rule["except"]) <= set(matrix()["operations"]), rule["why"]


# Every response --------------------------------------------------------------------------


@pytest.mark.clause("5.1")
@pytest.mark.parametrize(("op_id", "principal", "stage"), _checked_cells())
async def test_response_fields(world: World, op_id: str, principal: str, stage: str) -> None:
    r = await world.call(op_id, principal, stage)
    assert r.status_code < 500, r.text[:300]
    body = json_of(r)
    found = set(keys(body)) if body is not None else set()
    if r.is_success:
        lists = allowlists()["operations"].get(op_id, {})
        role = role_of(principal)
        assert role in lists, f"{op_id} answered {r.status_code} to {role}: no allowlist"
        allowed = set(lists[role])
    else:
        allowed = set(allowlists()["problem"])
    assert sorted(found - allowed) == [], f"fields beyond the allowlist ({r.status_code})"
    for rule in deny_rules(principal):
        excepted = set(rule["except"].get(op_id, []))
        denied = {p for p in found if p.rsplit(".", 1)[-1] in rule["fields"]} - excepted
        assert sorted(denied) == [], rule["why"]


@pytest.mark.clause("4.3.1(iv)")
async def test_deny_list_catches_a_planted_name(world: World) -> None:
    """The deny-list check itself: a complaint detail would fail it for a table officer."""
    r = await world.call("complaints-get", "intake_ombudsperson", "committee")
    (rule,) = deny_rules("table_officer")
    found = {p.rsplit(".", 1)[-1] for p in keys(r.json())}
    assert {"full_name", "what", "location", "member_id"} <= found & set(rule["fields"])
