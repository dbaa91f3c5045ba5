"""Valid-looking requests for every operation of the OpenAPI document: a small generator
from each requestBody schema (required properties, the first enum value, recent dates, ids
from the world), so a caller who may act reaches the service and one who may not is
refused by the access rule rather than by validation."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ombuds.kit.clock import local_today, utcnow

Json = dict[str, Any]
_numbers = itertools.count(1)
PDF = b"%PDF-1.4\n% leak scan document\n"

# Operations whose body must name a real, fitting object or be unique to be accepted.
OVERRIDES: dict[str, Json] = {
    "users-create": {"roles": ["administrator"], "password": "leak-scan-password-0002"},
    "calendar-connect-caldav": {"url": "https://calendar.example.org/dav/leak/"},
    "calendar-connect-shared-caldav": {"url": "https://calendar.example.org/dav/union/"},
    "calendar-replace-caldav": {"url": "https://calendar.example.org/dav/other/"},
    "service-accounts-issue-token": {"scopes": ["deadlines:read"]},
    "recommendations-set-status": {"status": "implemented"},
    "consultations-create": {"full_name": "Leak scan visitor"},
}


@dataclass
class Targets:
    """Ids the generator and the path parameters use."""

    member_ids: list[str]  # demo members: new complaints never reuse a canary
    user_id: str
    unit_id: str
    ids: dict[str, str]


def _resolve(schema: Json, doc: Json) -> Json:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _string(schema: Json, name: str, targets: Targets, actor_id: str | None) -> Any:
    fmt = schema.get("format")
    if fmt == "date":
        return local_today().isoformat()
    if fmt == "date-time":
        return (
            (utcnow() + timedelta(days=30)).isoformat()
            if "expires" in name
            else utcnow().isoformat()
        )
    if fmt == "time":
        return "18:00:00"
    if fmt == "uuid":
        return _uuid(name, targets, actor_id)
    if fmt == "email":
        return f"leak-scan-{next(_numbers)}@example.org"
    if fmt == "binary" or "contentMediaType" in schema:
        return PDF
    if "pattern" in schema:
        return f"LS{next(_numbers)}"
    text = f"Leak scan {name} {next(_numbers)}"
    return text.ljust(schema.get("minLength", 0), "x")[: schema.get("maxLength", 200)]


def _uuid(name: str, targets: Targets, actor_id: str | None) -> str:
    if "member" in name:
        return targets.member_ids[0]
    if "unit" in name:
        return targets.unit_id
    if "participant" in name and actor_id:
        return actor_id
    if "user" in name:
        return targets.user_id
    return targets.ids.get(name, str(uuid.uuid4()))


def example(schema: Json, doc: Json, name: str, targets: Targets, actor_id: str | None) -> Any:
    schema = _resolve(schema, doc)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [o for o in schema[combinator] if _resolve(o, doc).get("type") != "null"]
            return example(options[0], doc, name, targets, actor_id) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        return {
            key: example(prop, doc, key, targets, actor_id)
            for key, prop in schema.get("properties", {}).items()
            if key in required
        }
    if kind == "array":
        count = max(schema.get("minItems", 1), 1)
        return [
            example(schema.get("items", {}), doc, name, targets, actor_id) for _ in range(count)
        ]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    return _string(schema, name, targets, actor_id)


def person(targets: Targets, index: int) -> Json:
    return {"member_id": targets.member_ids[index]}


def request_body(op: Json, doc: Json, targets: Targets, actor_id: str | None) -> dict[str, Any]:
    """httpx keyword arguments (json=, data=, files=) for the operation's body."""
    content = op.get("requestBody", {}).get("content", {})
    if not content:
        return {}
    media, spec = next(iter(content.items()))
    body = example(spec.get("schema", {}), doc, "body", targets, actor_id)
    if isinstance(body, dict):
        body.update(OVERRIDES.get(op["operationId"], {}))
        if "complainant" in body:  # a new complaint names demo members, never a canary
            body.update(complainant=person(targets, 0), other_party=person(targets, 1))
    if media == "multipart/form-data" or any(isinstance(v, bytes) for v in body.values()):
        # A file goes as multipart whatever the document says (see the fuzz's F13).
        files = {
            k: (f"leak-scan-{next(_numbers)}.pdf", v, "application/pdf")
            for k, v in body.items()
            if isinstance(v, bytes)
        }
        if op["operationId"] == "members-import":
            header = b"member_number,full_name,unit_code,email\n"
            files = {"file": ("members.csv", header, "text/csv")}
        return {"files": files, "data": {k: v for k, v in body.items() if not isinstance(v, bytes)}}
    if media == "application/x-www-form-urlencoded":
        return {"data": body}
    return {"json": body}


def path_for(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), template)
