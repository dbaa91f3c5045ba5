"""The committed OpenAPI document is the served one; operations are named and described."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from ombuds.openapi import REGENERATE, document, render

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


async def test_served_document_equals_the_committed_copy(client: httpx.AsyncClient) -> None:
    served = (await client.get("/api/openapi.json")).json()
    committed = json.loads(COMMITTED.read_text())
    assert served == committed, f"openapi/openapi.json is stale: run `{REGENERATE}`"


def test_committed_copy_is_rendered_canonically() -> None:
    assert COMMITTED.read_text() == render(document()), f"run `{REGENERATE}`"


def test_operation_ids_are_tag_name_and_every_operation_is_described() -> None:
    doc = document()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            if method not in METHODS:
                continue
            tag = op["tags"][0]
            assert op["operationId"].startswith(f"{tag}-"), (method, path)
            assert re.fullmatch(r"[a-z][a-z0-9-]*", op["operationId"]), op["operationId"]
            description = op.get("description", "")
            assert description and "\n" not in description.strip(), (method, path)


def test_every_body_documents_the_refusals_answered_before_the_route() -> None:
    doc = document()
    with_body = [
        (method, path, op)
        for path, operations in doc["paths"].items()
        for method, op in operations.items()
        if method in METHODS and "requestBody" in op
    ]
    assert ("post", "/api/units") in {(m, p) for m, p, _ in with_body}
    for method, path, op in with_body:
        for code in ("413", "415"):
            response = op["responses"].get(code)
            assert response is not None, (method, path, code)
            assert list(response["content"]) == ["application/problem+json"], (method, path)
    assert "sign-in" in doc["paths"]["/api/units"]["post"]["responses"]["413"]["description"]
