"""The security suites' shared fixture and files.

`world` is seeded once per test module, on its own app and database (the run's `--db`
backend), so every cell of a module runs against the same complaints. access_matrix.yaml
says who may call what (read it with `expected`); field_allowlists.yaml what each role's
responses may contain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DatabaseFactory
from tests.security.world import GLOBAL, PRINCIPALS, World, open_world, operations, stages_of

HERE = Path(__file__).parent
OUTCOMES = frozenset({"allow", "401", "403", "404"})


@pytest.fixture(scope="module")
async def world(databases: DatabaseFactory) -> AsyncIterator[World]:
    async with open_world(databases.fresh()) as w:
        yield w


@cache
def matrix() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((HERE / "access_matrix.yaml").read_text())
    return loaded


@cache
def allowlists() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((HERE / "field_allowlists.yaml").read_text())
    return loaded


def applicable_stages(op_id: str) -> tuple[str, ...]:
    """The stages where the matrix runs an operation: where its ids exist, narrowed by the
    entry's `stages:` (e.g. no CRC to read before one is struck)."""
    entry = matrix()["operations"][op_id]
    stages = stages_of(operations()[op_id])
    only = entry.get("stages")
    return tuple(s for s in stages if only is None or s in only)


def expected(op_id: str, principal: str, stage: str) -> str:
    """`allow`, `401`, `403` or `404` (hidden: the same body as for a nonexistent id)."""
    cell = matrix()["operations"][op_id][principal]
    if isinstance(cell, dict):
        cell = cell[stage]
    return str(cell)


def known_bug(op_id: str, principal: str, stage: str) -> str | None:
    """The reason, when the application does not yet do what the cell says."""
    for bug in matrix().get("known_bugs", []):
        if bug["operation"] == op_id and principal in bug["principals"]:
            if stage in bug.get("stages", [stage]):
                return str(bug["reason"])
    return None


def cells(*, principals: tuple[str, ...] = PRINCIPALS) -> list[tuple[str, str, str]]:
    """(operation, principal, stage) for every cell, in the matrix file's order: the
    operations whose success changes later answers come last there (see its header)."""
    return [
        (op_id, principal, stage)
        for op_id in matrix()["operations"]
        if op_id in operations()
        for stage in applicable_stages(op_id)
        for principal in principals
    ]


def cell_param(op_id: str, principal: str, stage: str) -> Any:
    bug = known_bug(op_id, principal, stage)
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    suffix = "" if stage == GLOBAL else f"@{stage}"
    return pytest.param(op_id, principal, stage, marks=marks, id=f"{op_id}:{principal}{suffix}")
