"""The OpenAPI document says what the service really answers.

FastAPI documents a route's success and its validation error; the rest of what a route can
answer follows from its access rule and its path, and is added here, once, from the same
facts the application runs on:

- every error is an RFC 9457 problem (``application/problem+json``, schema ``Problem``),
  422 included (FastAPI would say ``HTTPValidationError``);
- a route that is not public answers 401 to a caller without a valid credential and 403 to
  one whose credential does not reach it (a role it lacks, an API token on a user's route,
  a second factor still to set up);
- a route with a path id answers 404 for an object the caller may not see or that does not
  exist, indistinguishably;
- a route with a body answers 413 for one over the size limit, before the caller is even
  identified (kit/middleware.py), 415 for one sent as a media type it does not read, and
  422 for one it cannot read;
- public routes take no credential (``security: []``);
- a body with a file in it is ``multipart/form-data`` (FastAPI says urlencoded for a form
  model, even one holding a file).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from ombuds.kit.access import dependant_rules

Json = dict[str, Any]
PROBLEM_JSON = "application/problem+json"
PUBLIC_RULE = "public:"

PROBLEM_SCHEMA: Json = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `errors` names each field and the rule it broke.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
    },
}
FIELD_ERROR_SCHEMA: Json = {
    "title": "FieldError",
    "type": "object",
    "required": ["field", "rule", "message"],
    "properties": {
        "field": {"type": "string", "description": "Dotted path of the field, or `body`"},
        "rule": {"type": "string", "description": "The rule broken, e.g. `missing`, `enum`"},
        "message": {"type": "string"},
    },
}
GENERIC = {
    "401": "Not signed in, or the credential is not valid (any longer)",
    "403": "The caller's credential does not reach this operation",
    "404": "No such object, or one the caller may not know of",
    "413": "The body is larger than the service accepts; refused before sign-in is checked",
    "415": "The body is not of a media type this operation reads (the problem names them)",
    "422": "Invalid input: `errors` names each field and rule",
}

# For a route whose service refuses with Conflict: `responses=CONFLICT`.
CONFLICT: dict[int | str, dict[str, str]] = {
    409: {"description": "Refused: it would clash with what exists (the problem says what)"}
}


def _problem_content() -> Json:
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _access(app: FastAPI) -> dict[tuple[str, str], bool]:
    """(METHOD, path) -> whether the route is public."""
    out: dict[tuple[str, str], bool] = {}
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            public = any(r.startswith(PUBLIC_RULE) for r in dependant_rules(context.dependant))
            for method in context.methods or ():
                out[(method.lower(), context.path or "")] = public
    return out


def _resolve(doc: Json, schema: Json) -> Json:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        resolved: Json = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return resolved
    return schema


def _holds_a_file(doc: Json, schema: Json) -> bool:
    properties = _resolve(doc, schema).get("properties", {})
    return any(p.get("format") == "binary" or "contentMediaType" in p for p in properties.values())


def _complete_operation(doc: Json, path: str, op: Json, public: bool) -> None:
    responses: Json = op.setdefault("responses", {})
    codes = []
    if public:
        op["security"] = []
    else:
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if "requestBody" in op:
        codes += ["413", "415"]
    if "requestBody" in op or op.get("parameters"):
        codes.append("422")
    for code in codes:
        responses.setdefault(code, {"description": GENERIC[code]})
    for code, response in responses.items():
        if code.startswith(("4", "5")):
            if code == "422":
                response["description"] = GENERIC["422"]
            response["content"] = _problem_content()
    body = op.get("requestBody", {}).get("content", {})
    form = body.get("application/x-www-form-urlencoded")
    if form is not None and _holds_a_file(doc, form.get("schema", {})):
        body["multipart/form-data"] = body.pop("application/x-www-form-urlencoded")


def complete(app: FastAPI, doc: Json) -> Json:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["FieldError"] = FIELD_ERROR_SCHEMA
    access = _access(app)
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            _complete_operation(doc, path, op, access.get((method, path), False))
    return doc


def install(app: FastAPI) -> None:
    """Serve (and cache) the completed document as the app's OpenAPI document."""
    generate = app.openapi

    def openapi() -> Json:
        if app.openapi_schema is None:
            app.openapi_schema = complete(app, generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
