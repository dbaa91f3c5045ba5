"""Schemathesis (v4) over the whole OpenAPI document, once per role's token: no 5xx ever,
every status, content type, header and body as documented, and auth never ignored.

Bounded: 5 generated cases per operation per role (plus the document's examples), no
coverage or stateful phase, a fixed seed (`derandomize=True`). In process on SQLite; on a
live uvicorn with PostgreSQL under `--db=postgresql`.

The document the fuzzer holds the API to is the application's own, as served
(kit/apidoc.py completes FastAPI's with what each route answers besides success). The
only refusal let through for every caller, before any access rule, is a NUL character
(kit/middleware.py). The tests after the fuzz runs pin what earlier runs found: errors
documented as problems, 401/403/404/409 documented, public routes marked public, uploads
as multipart, incident times as sent, unreadable bodies as 422, and callers who are not
signed in refused before their body is read."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.access import dependant_rules
from ombuds.main import create_app, operation_id
from ombuds.models import Role
from ombuds.settings import Settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit
from tests.security.fuzz.conftest import ROLES, FuzzWorld, send

Json = dict[str, Any]
Case = schemathesis.Case[Any]
PUBLIC = {"health-live", "health-ready", "auth-token", "feeds-get", "feeds-head"}
PUBLIC |= {"portal-redeem", "portal-sign-in"}  # the parties' way in (issue 16)
# A party's token only: every role here gets 401.
PORTAL = {"portal-sign-out", "portal-me", "portal-complaint", "portal-read-notice"}
PORTAL |= {"portal-respond", "portal-not-satisfied", "portal-availability"}
PORTAL |= {  # the portal's messages, the party's side (issue 16, item 3)
    "portal-list-messages",
    "portal-send-message",
    "portal-attach-to-message",
    "portal-download-message-attachment",
}
INTEGRATION_MAY = PUBLIC | {"deadlines-list"}

UPLOADS = {"formal-add-attachment", "members-import"}
UPLOADS |= {"portal-attach-to-message", "portal-attach-to-portal-message"}
# The operations whose services refuse a clash with what exists (Conflict, 409).
CONFLICTS = {
    "users-create",
    "users-set-roles",
    "users-link-member",
    "users-deactivate",
    "users-reactivate",
    "service-accounts-create",
    "units-create",
    "members-create",
    "roster-add-term",
    "roster-end-term",
    "notifications-retry-delivery",
    "portal-invite",
    "portal-revoke-invitation",
    "portal-end-access",
    "portal-send-message",  # the portal is read-only once the complaint closed
    "portal-attach-to-message",  # read-only, or the message has all its files
    "portal-attach-to-portal-message",
}


def role_restricted() -> set[str]:
    """Operation ids whose access rule can refuse a signed-in caller (403)."""
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    out = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and any(
            rule.startswith(("users with role", "signed-in users, or integrations"))
            for rule in dependant_rules(context.dependant)
        ):
            out.add(operation_id(route))
    return out


def application_document() -> Json:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    return app.openapi()


def operations(doc: Json) -> list[tuple[str, str, Json]]:
    return [(method, path, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # Credentials are the role's, never generated or stripped by the fuzzer.
        "generation": {"with-security-parameters": False},
    }
)
SCHEMA = schemathesis.openapi.from_dict(application_document(), config=CONFIG)


def _nul_refused_unread(response: Any) -> bool:
    """A NUL character is refused by the body-limit middleware (kit/middleware.py) before
    any route runs, for every caller: PostgreSQL would refuse it later, less clearly."""
    if response.status_code != 422:
        return False
    try:
        problem = json.loads(response.content)
    except ValueError:
        return False
    return any(e.get("rule") == "no_nul" for e in problem.get("errors", []))


def auth_enforced(role: str) -> Callable[..., bool | None]:
    """Anonymous callers get 401 everywhere but the public operations; an integration's
    token reaches only its deadlines (and the public operations)."""

    def check(ctx: Any, response: Any, case: Case) -> bool | None:
        op = case.operation.definition.raw["operationId"]
        status = response.status_code
        if role == "anonymous" and op not in PUBLIC and status != 401:
            if _nul_refused_unread(response):
                return None
            raise Failure(
                operation=case.operation.label,
                title="Auth ignored",
                message=f"an anonymous caller got {status}, not 401",
            )
        if role == "integration" and op not in INTEGRATION_MAY and status < 400:
            raise Failure(
                operation=case.operation.label,
                title="Scope ignored",
                message=f"the integration's token got {status} outside its scope",
            )
        return None

    check.__name__ = "auth_enforced"
    return check


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _pick(value: object, pool: list[str]) -> str | None:
    """A real id for about half of the drawn ids, chosen by the drawn value (so the run
    stays deterministic)."""
    digest = int(hashlib.sha256(str(value).encode()).hexdigest(), 16)
    index = digest % (2 * len(pool)) if pool else 0
    return pool[index] if index < len(pool) else None


def aim(case: Case, world: FuzzWorld, client: httpx.Client, role: str) -> None:
    """Point drawn ids at real objects and send the complaint's current ETag, so the
    fuzzer reaches the code behind the 404, the 428 and the 412."""
    params = case.path_parameters or {}
    for name, value in list(params.items()):
        if name in world.pools and _is_uuid(value):
            params[name] = _pick(value, world.pools[name]) or value
    complaint_id = params.get("complaint_id")
    if_match = next((k for k in case.headers or {} if k.lower() == "if-match"), None)
    if if_match is None or complaint_id not in world.pools["complaint_id"]:
        return
    for path in (f"/api/complaints/{complaint_id}", f"/api/status/{complaint_id}"):
        current = client.get(path, headers=world.headers[role])
        if current.status_code == 200 and "ETag" in current.headers:
            case.headers[if_match] = current.headers["ETag"]
            return


def fuzz(case: Case, role: str, world: FuzzWorld, client: httpx.Client) -> None:
    headers = world.headers[role]
    if case.operation.definition.raw["operationId"] == "auth-logout" and world.spare.get(role):
        headers = world.spare[role].pop()  # a logout ends a spare session, not the role's
    aim(case, world, client, role)
    response = send(client, case, headers)
    case.validate_response(response, checks=[*CHECKS, auth_enforced(role)])


BOUNDED = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("role", ROLES)
@SCHEMA.parametrize()
@BOUNDED
def test_in_process(case: Case, role: str, in_process: tuple[FuzzWorld, httpx.Client]) -> None:
    fuzz(case, role, *in_process)


@pytest.mark.parametrize("role", ROLES)
@SCHEMA.parametrize()
@BOUNDED
def test_live_server(case: Case, role: str, live_server: tuple[FuzzWorld, httpx.Client]) -> None:
    fuzz(case, role, *live_server)


# What the document says besides success, against the application itself --------------

DOC = application_document()


def _missing(predicate: Callable[[str, str, Json], bool]) -> list[str]:
    return sorted(op["operationId"] for m, p, op in operations(DOC) if predicate(m, p, op))


def test_every_signed_in_operation_documents_401() -> None:
    assert (
        _missing(lambda m, p, op: op["operationId"] not in PUBLIC and "401" not in op["responses"])
        == []
    )


def test_role_restricted_operations_document_403() -> None:
    restricted = role_restricted()
    assert len(restricted) > 50  # the discovery itself works
    assert (
        _missing(lambda m, p, op: op["operationId"] in restricted and "403" not in op["responses"])
        == []
    )


def test_every_error_is_documented_as_a_problem() -> None:
    assert (
        _missing(
            lambda m, p, op: any(
                code.startswith(("4", "5"))
                and set(r.get("content", {})) != {"application/problem+json"}
                for code, r in op["responses"].items()
            )
        )
        == []
    )
    problem = DOC["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    assert "HTTPValidationError" not in DOC["components"]["schemas"]


def test_operations_with_a_path_id_document_404() -> None:
    assert _missing(lambda m, p, op: "{" in p and "404" not in op["responses"]) == []


async def test_a_body_that_is_not_utf8_is_a_problem_naming_the_body(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> None:
    _, headers = await signed_in(db, passwords, client, Role.administrator)
    response = await client.post(
        "/api/units",
        content=b'{"code": "\xff"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert {(e["field"], e["rule"]) for e in response.json()["errors"]} == {
        ("body", "body_unreadable")
    }


async def test_incident_times_are_sent_as_documented(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> None:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    await db.commit()
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    detail, _ = await file_complaint(client, headers, complaint_body(a, b))
    sent = detail["incidents"][0]["occurred_at"]
    documented = DOC["components"]["schemas"]["IncidentOut"]["properties"]["occurred_at"]
    assert "format" not in documented["anyOf"][0]
    assert re.fullmatch(documented["anyOf"][0]["pattern"], sent), sent


@pytest.mark.parametrize("occurred_at", ["19:30+02:00", "19:30:00Z", "7pm", 70200])
async def test_incident_times_with_an_offset_or_not_a_time_are_refused(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, occurred_at: object
) -> None:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    await db.commit()
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    body = complaint_body(a, b)
    body["incidents"][0]["occurred_at"] = occurred_at
    response = await client.post("/api/complaints", json=body, headers=headers)
    assert response.status_code == 422, response.text
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"incidents.0.occurred_at"}, fields


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"code": ', "application/json"),
        (b'{"code": "\xff"}', "application/json"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    ],
)
async def test_callers_not_signed_in_are_refused_before_their_body_is_read(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = await client.post(
            "/api/units", content=content, headers={**headers, "Content-Type": content_type}
        )
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"


async def test_f9_a_long_path_id_is_refused_not_a_500(
    client: httpx.AsyncClient, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths; PostgreSQL does")
    response = await client.get("/api/complaints/" + "x" * 65)
    assert response.status_code == 401


async def test_f11_a_nul_character_is_refused_not_a_500(
    client: httpx.AsyncClient, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite stores NUL characters; PostgreSQL refuses them")
    response = await client.post("/api/auth/token", data={"username": "a\x00b", "password": "x"})
    assert response.status_code in (401, 422)


def test_conflicts_are_documented() -> None:
    assert (
        _missing(lambda m, p, op: op["operationId"] in CONFLICTS and "409" not in op["responses"])
        == []
    )


def test_file_uploads_are_documented_as_multipart() -> None:
    assert (
        _missing(
            lambda m, p, op: (
                op["operationId"] in UPLOADS
                and set(op.get("requestBody", {}).get("content", {})) != {"multipart/form-data"}
            )
        )
        == []
    )


def test_public_operations_are_documented_as_public() -> None:
    assert _missing(lambda m, p, op: op["operationId"] in PUBLIC and op.get("security") != []) == []
    bearer = [{"HTTPBearer": []}]
    staff = PUBLIC | PORTAL
    assert (
        _missing(lambda m, p, op: op["operationId"] not in staff and op.get("security") != bearer)
        == []
    )
    party = [{"PortalBearer": []}]
    assert (
        _missing(lambda m, p, op: op["operationId"] in PORTAL and op.get("security") != party) == []
    )
