"""The authorization matrix (issue 4, item 1): every operation of the OpenAPI document, as
every principal, at every stage where it applies, answers what access_matrix.yaml says;
objects a caller may not see answer exactly like ids that do not exist; guessed ids answer
404 to whoever passes the role check; methods a path does not define answer 405.

One world per module (conftest `world`); the cells run in the matrix file's order (its
header says why that order, and how cells that delete or disable stay harmless)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.kit.access import ACCESS_RULE_ATTR
from ombuds.kit.errors import Forbidden, Unauthenticated
from ombuds.models import Scope
from tests.security.conftest import (
    OUTCOMES,
    applicable_stages,
    cell_param,
    cells,
    expected,
    matrix,
)
from tests.security.world import (
    GLOBAL,
    PRINCIPALS,
    ROLES,
    STAGES,
    Operation,
    World,
    openapi,
    operations,
    random_id,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The id whose visibility a 404 hides: the complaint where there is one.
OBJECT_PARAMS = ("complaint_id", "consultation_id", "connection_id", "user_id", "member_id")
NOT_IDS = frozenset({"seat"})  # a seat number on a proposal, not an object
Rule = Callable[..., Coroutine[Any, Any, Principal]]


def object_param(op: Operation) -> str | None:
    ids = [p for p in op.path_params if p not in NOT_IDS]
    return next((p for p in OBJECT_PARAMS if p in ids), ids[0] if ids else None)


def guess(param: str) -> str:
    # A feed token has its own shape (43 URL-safe characters); every other id is a uuid.
    return uuid.uuid4().hex + "x" * 11 if param == "token" else random_id()


def outcome_of(status: int) -> str:
    return str(status) if status in (401, 403, 404) else "allow"


def describe(r: httpx.Response) -> str:
    return f"{r.request.method} {r.request.url.path} -> {r.status_code} {r.text[:300]}"


# The file itself -------------------------------------------------------------------------


def test_every_operation_has_a_row_and_every_row_an_operation() -> None:
    rows = set(matrix()["operations"])
    ops = set(operations())
    assert sorted(ops - rows) == [], "operations missing from access_matrix.yaml"
    assert sorted(rows - ops) == [], "access_matrix.yaml names operations that no longer exist"


def test_every_row_has_every_principal_and_a_known_outcome() -> None:
    problems: list[tuple[str, ...]] = []
    for op_id, row in matrix()["operations"].items():
        if set(row) - {"stages"} != set(PRINCIPALS):
            problems.append((op_id, "principals", *sorted(set(row) ^ set(PRINCIPALS))))
        for stage in applicable_stages(op_id) if op_id in operations() else ():
            for principal in PRINCIPALS:
                if expected(op_id, principal, stage) not in OUTCOMES:
                    problems.append((op_id, principal, stage))
        assert set(row.get("stages", STAGES)) <= set(STAGES), op_id
    for bug in matrix().get("known_bugs", []):
        assert bug["operation"] in matrix()["operations"], bug
    assert problems == []


def _rule(app: Any, op: Operation) -> Rule:
    def walk(dependant: Dependant) -> list[Rule]:
        found: list[Rule] = []
        for sub in dependant.dependencies:
            if sub.call is not None and hasattr(sub.call, ACCESS_RULE_ATTR):
                found.append(sub.call)
            found += walk(sub)
        return found

    for context in iter_route_contexts(app.routes):
        if context.path == op.path and op.method in (context.methods or ()):
            (rule,) = walk(context.dependant)
            return rule
    raise LookupError(op.id)


async def gate(app: Any, op: Operation, principal: str) -> str:
    """What the operation's declared access rule (the role check) says: pass, 401, 403."""
    kind = {"anonymous": PrincipalKind.anonymous, "integration": PrincipalKind.service}
    scopes = {"integration": frozenset({Scope.deadlines_read.value})}
    who = Principal(
        kind.get(principal, PrincipalKind.user),
        id=None if principal == "anonymous" else uuid.uuid4(),
        roles=ROLES[principal],
        scopes=scopes.get(principal, frozenset()),
    )
    try:
        await _rule(app, op)(principal=who)
    except Unauthenticated:
        return "401"
    except Forbidden:
        return "403"
    return "pass"


@pytest.mark.clause("5.1")
async def test_the_matrix_agrees_with_the_declared_role_checks(world: World) -> None:
    """A 401 cell is the role check's 401; allow and 404 cells pass the role check; a 403
    cell is the role check's or, past it, the step's (e.g. not handling the complaint)."""
    wrong = []
    for op_id, op in operations().items():
        for principal in PRINCIPALS:
            declared = await gate(world.app, op, principal)
            for stage in applicable_stages(op_id):
                want = expected(op_id, principal, stage)
                ok = declared == want if want == "401" else declared in ("pass", want)
                if want in ("allow", "404"):
                    ok = declared == "pass"
                if not ok:
                    wrong.append((op_id, principal, stage, want, declared))
    assert wrong == []


# Lists -----------------------------------------------------------------------------------

# A list, and the operation that reads one of its rows: a row the read hides is not listed.
LISTS = {
    "complaints-list": ("/api/complaints?include_closed=true&limit=100", "complaints-get"),
    "status-list": ("/api/status?include_closed=true&limit=100", "status-get"),
}


@pytest.mark.clause("5.1")
@pytest.mark.parametrize("stage", STAGES)
async def test_lists_show_exactly_what_reads_allow(world: World, stage: str) -> None:
    """Dashboards and boards list a target iff the caller may read it, or (the dashboard)
    may read the informal attempts they took part in (4.2.1, 4.3); no deadline of a
    target reaches the calendar of someone it is hidden from (references compared).
    Runs before the cells, whose last steps close targets and recuse an officer."""
    cid, reference = world.targets[stage]["complaint_id"], world.references[stage]
    wrong = []
    for list_op, (url, read_op) in LISTS.items():
        for principal in PRINCIPALS:
            want = expected(read_op, principal, stage)
            if list_op == "complaints-list" and want == "404":
                want = expected("informal-list-attempts", principal, stage)
            if want not in ("allow", "404"):
                continue  # refused by role: the list refuses them too (test_cell)
            r = await world.client.get(url, headers=world.headers(principal))
            listed = cid in {row["id"] for row in r.json()["items"]}
            if listed != (want == "allow"):
                wrong.append((list_op, principal, want, listed))
    seen = {}
    for principal in PRINCIPALS:
        r = await world.client.get("/api/deadlines?limit=100", headers=world.headers(principal))
        seen[principal] = {row["reference"] for row in r.json()["items"]} if r.is_success else set()
        reads = [expected(op, principal, stage) for op in ("complaints-get", "status-get")]
        if "allow" not in reads and principal != "integration" and reference in seen[principal]:
            wrong.append(("deadlines-list", principal, "/".join(reads), True))
    assert set(world.references.values()) & seen["intake_ombudsperson"], "nothing to compare"
    assert wrong == []


# Every cell ------------------------------------------------------------------------------


@pytest.mark.clause("5.1")
@pytest.mark.parametrize(("op_id", "principal", "stage"), [cell_param(*c) for c in cells()])
async def test_cell(world: World, op_id: str, principal: str, stage: str) -> None:
    want = expected(op_id, principal, stage)
    r = await world.call(op_id, principal, stage)
    assert r.status_code < 500, describe(r)
    assert outcome_of(r.status_code) == want, describe(r)
    if want == "404":
        op = operations()[op_id]
        param = object_param(op)
        assert param is not None, f"{op_id}: a 404 cell needs an id to hide"
        nonexistent = await world.call(op_id, principal, stage, ids={param: guess(param)})
        assert nonexistent.status_code == 404, describe(nonexistent)
        assert r.json() == nonexistent.json(), "the hidden object answers unlike a missing one"
        assert set(r.headers) == set(nonexistent.headers), "the headers tell them apart"
        if op.if_match:  # no 428 or 412 that would confirm the complaint exists
            call = await world.request(op_id, principal, stage)
            headers = {k: v for k, v in call.headers.items() if k != "If-Match"}
            for sent in (headers, {**headers, "If-Match": '"stale-v0"'}):
                again = await world.send(replace(call, headers=sent))
                assert (again.status_code, again.json()) == (404, r.json()), describe(again)


# Guessed ids -----------------------------------------------------------------------------


def _guessable() -> list[Any]:
    return [
        pytest.param(op_id, stage, id=op_id if stage == GLOBAL else f"{op_id}@{stage}")
        for op_id, op in operations().items()
        if object_param(op) is not None
        for stage in applicable_stages(op_id)
    ]


@pytest.mark.clause("5.1")
@pytest.mark.parametrize(("op_id", "stage"), _guessable())
async def test_guessed_ids(world: World, op_id: str, stage: str) -> None:
    """A random id answers 404 to everyone past the role check (401/403 to the others),
    with one body for all; a random second id answers like the cell, or 404 where the
    cell allows (409 only if the stage refuses the step whatever the id)."""
    op = operations()[op_id]
    primary = object_param(op)
    assert primary is not None
    bodies, wrong = [], []
    for principal in PRINCIPALS:
        declared = await gate(world.app, op, principal)
        r = await world.call(op_id, principal, stage, ids={primary: guess(primary)})
        want = "404" if declared == "pass" else declared
        if str(r.status_code) != want:
            wrong.append((principal, primary, want, describe(r)))
        elif want == "404":
            # A HEAD answer has no body: its headers stand for it.
            bodies.append(r.json() if op.method != "HEAD" else r.headers.get("content-type"))
        for param in op.path_params:
            if param in NOT_IDS or param == primary:
                continue
            cell = expected(op_id, principal, stage)
            r = await world.call(op_id, principal, stage, ids={param: guess(param)})
            if cell != "allow":
                ok = str(r.status_code) == cell
            elif r.status_code == 409 and r.json()["type"].endswith("/stage-not-allowed"):
                real = await world.call(op_id, principal, stage)
                ok = real.status_code == 409 and real.json()["type"] == r.json()["type"]
            else:
                ok = r.status_code == 404
            if not ok:
                wrong.append((principal, param, cell, describe(r)))
    assert wrong == []
    assert all(b == bodies[0] for b in bodies), "404 bodies differ between callers"


@pytest.mark.clause("4.1")
@pytest.mark.parametrize("principal", ["unrelated_ombudsperson", "party_ombudsperson"])
async def test_an_id_in_a_body_is_checked_like_one_in_a_path(world: World, principal: str) -> None:
    """Another ombudsperson's consultation, named in a new complaint, answers exactly like
    a consultation that does not exist (4.1: consultations are their holder's alone)."""
    call = await world.request("complaints-create", principal, GLOBAL)
    answers = []
    for consultation_id in (world.ids["consultation_id"], random_id()):
        r = await world.send(replace(call, json={**call.json, "consultation_id": consultation_id}))
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422


# Method swaps ----------------------------------------------------------------------------


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


def _other_route(url: str, method: str) -> str | None:
    """Another path of the API that answers ``method`` at this very URL (e.g.
    GET /api/members/import is GET /api/members/{member_id} with the id "import")."""
    for path, item in openapi()["paths"].items():
        if method.lower() in item and _template(path).match(url):
            return str(path)
    return None


@pytest.mark.parametrize("path", list(openapi()["paths"]))
async def test_method_swaps(world: World, path: str) -> None:
    """Every method a path does not define answers 405 problem+json to every principal;
    where the URL is another path's too, that operation answers, never with 2xx or 5xx."""
    defined = {m.upper() for m in openapi()["paths"][path]}
    sample = next(op for op in operations().values() if op.path == path)
    stage = "conclusions" if "complaint_id" in sample.path_params else GLOBAL
    ids = world.path_ids(sample, stage)
    url = path.format(**{name: ids[name] for name in sample.path_params})
    wrong = []
    for method in (m for m in METHODS if m not in defined):
        other = _other_route(url, method)
        for principal in PRINCIPALS:
            body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
            r = await world.client.request(method, url, headers=world.headers(principal), json=body)
            if other is not None:
                ok = not (200 <= r.status_code < 300 or r.status_code >= 500)
            else:
                ok = r.status_code == 405 and r.headers["content-type"].startswith(
                    "application/problem+json"
                )
            if not ok:
                wrong.append((method, principal, other, describe(r)))
    assert wrong == []
