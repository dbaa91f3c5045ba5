"""Schemathesis (v4) over the whole OpenAPI document, once per role's token: no 5xx ever,
every status, content type, header and body as documented, and auth never ignored.

Bounded: 5 generated cases per operation per role (plus the document's examples), no
coverage or stateful phase, a fixed seed (`derandomize=True`). In process on SQLite; on a
live uvicorn with PostgreSQL under `--db=postgresql`.

The document the fuzzer holds the API to is the application's own, with the gaps found so
far filled in (`FINDINGS`: F1-F7, F12 and F13 patch the document in `patched`; F8, F9 and
F11 are let through at run time for exactly their input shape). Every finding has a strict
xfail below proving the application still has it: when the application is fixed, the xfail
passes, fails the run, and the patch or the exception goes."""

from __future__ import annotations

import copy
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
PUBLIC = {"health-live", "health-ready", "auth-token", "feeds-get"}
INTEGRATION_MAY = PUBLIC | {"deadlines-list"}

# What the application's document lacks (found by this fuzzer; the fix is the route's
# `responses=` or the schema, in the application):
FINDINGS = {
    "F1": "no operation documents 401, which every signed-in operation answers to a caller "
    "without a valid credential",
    "F2": "operations restricted to roles (require_roles / require_scope_or_user) do not "
    "document the 403 they answer to a signed-in caller without the role",
    "F3": "422 is documented as FastAPI's application/json HTTPValidationError; the "
    "application answers application/problem+json (RFC 9457) with errors[]",
    "F4": "error responses (4xx) are documented by description only, with no "
    "application/problem+json body",
    "F5": "operations with a path id do not document the 404 they answer for an unknown id",
    "F6": "a body that cannot be parsed (JSON that is not UTF-8, broken multipart) answers "
    "400 ('There was an error parsing the body', 'Invalid multipart data.'), documented "
    "nowhere (a 422 like any other malformed body would be)",
    "F7": "IncidentOut.occurred_at is documented as format 'time' (RFC 3339: an offset is "
    "required) but is sent without one, e.g. '19:30:00'",
    "F8": "an unparseable body is refused (400, or 422 json_invalid) before the caller is "
    "authenticated: anonymous callers get 400/422 instead of 401 (FastAPI parses the body "
    "before it runs the access dependency)",
    "F9": "on PostgreSQL, a refused request (401/403/404) whose path id is longer than 64 "
    "characters answers 500: audit/denials.py writes the raw path parameter into "
    "audit_entries.object_id (VARCHAR(64)); the error escapes the application's handlers, "
    "so uvicorn logs the SQLAlchemy error with its bound parameters",
    "F11": "on PostgreSQL, text with a NUL character (\\x00) answers 500: PostgreSQL "
    "refuses NUL in text and nothing refuses it first (e.g. POST /api/auth/token with "
    "username 'a\\x00b', POST /api/units with name 'a\\x00b', GET /api/members?q=a%00b); "
    "it should be a 422 (or 401 for a login)",
    "F12": "operations that refuse a conflict with 409 (accounts/service.py, "
    "directory/service.py: an existing username, unit code, member number or affiliates "
    "group, an administrator deactivating themselves, overlapping seat terms) do not "
    "document it",
    "F13": "file uploads (formal-add-attachment, members-import, now Form() models with "
    "extra='forbid') are documented as application/x-www-form-urlencoded: a client "
    "generated from the document cannot send the file, and the fuzzer's urlencoded "
    "bodies never reach the upload code; they need multipart/form-data",
    "F10": "the public operations (health-live, health-ready, auth-token, feeds-get) are "
    "documented as requiring the bearer token (security: HTTPBearer); they take none",
}

UPLOADS = {"formal-add-attachment", "members-import"}  # F13
# F12: the operations whose services raise Conflict without a documented 409.
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
}

PROBLEM: Json = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "rule", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
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


def _problem(description: str) -> Json:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


def patched(doc: Json) -> Json:
    """The application's document with the gaps in FINDINGS filled in."""
    doc = copy.deepcopy(doc)
    restricted = role_restricted()
    for _, path, op in operations(doc):
        responses = op["responses"]
        if op["operationId"] not in PUBLIC:
            responses.setdefault("401", {"description": "F1"})
        if op["operationId"] in restricted:
            responses.setdefault("403", {"description": "F2"})
        if "{" in path:
            responses.setdefault("404", {"description": "F5"})
        if "requestBody" in op:
            responses.setdefault("400", {"description": "F6"})
        if op["operationId"] in CONFLICTS:
            responses.setdefault("409", {"description": "F12"})
        for code, response in responses.items():
            if code.startswith("4") and code != "429":
                # F3 (422) and F4 (every other 4xx): the body is a problem.
                responses[code] = _problem(response.get("description", code))
        content = op.get("requestBody", {}).get("content", {})
        if op["operationId"] in UPLOADS and "multipart/form-data" not in content:
            content["multipart/form-data"] = content.pop("application/x-www-form-urlencoded")  # F13
    incident = doc["components"]["schemas"]["IncidentOut"]["properties"]["occurred_at"]
    incident["anyOf"][0].pop("format")  # F7
    return doc


CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # Credentials are the role's, never generated or stripped by the fuzzer.
        "generation": {"with-security-parameters": False},
    }
)
SCHEMA = schemathesis.openapi.from_dict(patched(application_document()), config=CONFIG)


def _body_refused_unread(response: Any) -> bool:
    """F8: a body refused before any access rule ran: one FastAPI could not parse, or one
    holding a NUL character (refused by the body-limit middleware, kit/middleware.py)."""
    if response.status_code not in (400, 422):
        return False
    try:
        problem = json.loads(response.content)
    except ValueError:
        return False
    if response.status_code == 400:
        return problem.get("detail") in PARSE_FAILURES
    return any(e.get("rule") in ("json_invalid", "no_nul") for e in problem.get("errors", []))


PARSE_FAILURES = {"There was an error parsing the body", "Invalid multipart data."}


def auth_enforced(role: str) -> Callable[..., bool | None]:
    """Anonymous callers get 401 everywhere but the public operations; an integration's
    token reaches only its deadlines (and the public operations)."""

    def check(ctx: Any, response: Any, case: Case) -> bool | None:
        op = case.operation.definition.raw["operationId"]
        status = response.status_code
        if role == "anonymous" and op not in PUBLIC and status != 401:
            if _body_refused_unread(response):
                return None  # F8
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


# The findings, against the application itself ------------------------------------------

DOC = application_document()


def _missing(predicate: Callable[[str, str, Json], bool]) -> list[str]:
    return sorted(op["operationId"] for m, p, op in operations(DOC) if predicate(m, p, op))


@pytest.mark.xfail(strict=True, reason=f"F1: {FINDINGS['F1']}")
def test_f1_every_signed_in_operation_documents_401() -> None:
    assert (
        _missing(lambda m, p, op: op["operationId"] not in PUBLIC and "401" not in op["responses"])
        == []
    )


@pytest.mark.xfail(strict=True, reason=f"F2: {FINDINGS['F2']}")
def test_f2_role_restricted_operations_document_403() -> None:
    restricted = role_restricted()
    assert (
        _missing(lambda m, p, op: op["operationId"] in restricted and "403" not in op["responses"])
        == []
    )


@pytest.mark.xfail(strict=True, reason=f"F3: {FINDINGS['F3']}")
def test_f3_422_is_documented_as_problem_json() -> None:
    assert (
        _missing(
            lambda m, p, op: (
                "422" in op["responses"]
                and "application/problem+json" not in op["responses"]["422"].get("content", {})
            )
        )
        == []
    )


@pytest.mark.xfail(strict=True, reason=f"F4: {FINDINGS['F4']}")
def test_f4_error_responses_document_a_problem_body() -> None:
    assert (
        _missing(
            lambda m, p, op: any(
                code.startswith("4") and "application/problem+json" not in r.get("content", {})
                for code, r in op["responses"].items()
                if code not in ("304", "422")
            )
        )
        == []
    )


@pytest.mark.xfail(strict=True, reason=f"F5: {FINDINGS['F5']}")
def test_f5_operations_with_a_path_id_document_404() -> None:
    assert _missing(lambda m, p, op: "{" in p and "404" not in op["responses"]) == []


@pytest.mark.xfail(strict=True, reason=f"F6: {FINDINGS['F6']}")
async def test_f6_a_body_that_is_not_utf8_is_a_documented_refusal(
    client: httpx.AsyncClient,
) -> None:
    # FastAPI reads the body before any dependency runs, so even anonymous callers see it.
    response = await client.post(
        "/api/units", content=b'{"code": "\xff"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (401, 422)


@pytest.mark.xfail(strict=True, reason=f"F7: {FINDINGS['F7']}")
async def test_f7_times_are_sent_as_documented(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> None:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    await db.commit()
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    detail, _ = await file_complaint(client, headers, complaint_body(a, b))
    sent = detail["incidents"][0]["occurred_at"]
    documented = DOC["components"]["schemas"]["IncidentOut"]["properties"]["occurred_at"]
    if documented["anyOf"][0].get("format") == "time":  # RFC 3339 full-time: offset required
        assert RFC3339_TIME.fullmatch(sent), sent


RFC3339_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE)


@pytest.mark.xfail(strict=True, reason=f"F8: {FINDINGS['F8']}")
async def test_f8_anonymous_callers_are_refused_before_their_body_is_read(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/units", content=b'{"code": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401


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


@pytest.mark.xfail(strict=True, reason=f"F12: {FINDINGS['F12']}")
def test_f12_conflicts_are_documented() -> None:
    assert (
        _missing(lambda m, p, op: op["operationId"] in CONFLICTS and "409" not in op["responses"])
        == []
    )


@pytest.mark.xfail(strict=True, reason=f"F13: {FINDINGS['F13']}")
def test_f13_file_uploads_are_documented_as_multipart() -> None:
    assert (
        _missing(
            lambda m, p, op: (
                op["operationId"] in UPLOADS
                and "multipart/form-data" not in op.get("requestBody", {}).get("content", {})
            )
        )
        == []
    )


@pytest.mark.xfail(strict=True, reason=f"F10: {FINDINGS['F10']}")
def test_f10_public_operations_are_documented_as_public() -> None:
    assert _missing(lambda m, p, op: op["operationId"] in PUBLIC and op.get("security") != []) == []
