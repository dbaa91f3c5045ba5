"""Print the OpenAPI document: `python -m ombuds.openapi > openapi/openapi.json`."""

from __future__ import annotations

import json
from typing import Any

from ombuds.main import create_app
from ombuds.settings import Settings

REGENERATE = "make openapi"


def document() -> dict[str, Any]:
    # No database is touched: building the app only describes its routes.
    return create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(document()), end="")
