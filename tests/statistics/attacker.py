"""What a reader can work out from a published report: each hidden cell's exact set of
possible values, by enumerating sums of integer sets (no interval shortcut), from the
report's JSON alone and the relations the reader knows (statistics/suppression.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ombuds.retention.classes import RecordClass
from ombuds.statistics.service import CLASS_OUTCOMES

Json = dict[str, Any]


class Tree:
    def __init__(self, cell: Json | None, values: set[int]) -> None:
        self.cell, self.values, self.children = cell, values, list[Tree]()


def claim(cell: Json, k: int, total: int) -> set[int]:
    mark = cell["mark"]
    if mark == "shown":
        return {cell["count"]}
    if mark == "fewer_than_k":
        return set(range(k))
    if mark == "suppressed":
        return set(range(k, total + 1))
    assert mark == "withheld", mark
    return set(range(total + 1))


def sumset(sets: Iterable[set[int]], cap: int) -> set[int]:
    result = {0}
    for s in sets:
        result = {a + b for a in result for b in s if a + b <= cap}
    return result


def feasible(root: Tree, cap: int) -> list[tuple[Json, set[int]]]:
    """Every node's possible values (exact): up the tree, then down."""
    up: dict[int, set[int]] = {}

    def upward(node: Tree) -> set[int]:
        values = set(node.values)
        if node.children:
            values &= sumset([upward(c) for c in node.children], cap)
        up[id(node)] = values
        return values

    upward(root)
    found: list[tuple[Json, set[int]]] = []

    def downward(node: Tree, possible: set[int]) -> None:
        if node.cell is not None:
            found.append((node.cell, possible))
        for child in node.children:
            rest = sumset([up[id(s)] for s in node.children if s is not child], cap)
            downward(child, {x for x in up[id(child)] if any(p - x in rest for p in possible)})

    downward(root, up[id(root)])
    return found


def trees(report: Json) -> list[Tree]:
    """The trees of sums a reader knows, built from the report."""
    k, total = report["k"], report["total"]
    tables = {t["key"]: t for t in report["tables"]}
    result = []

    def flat(table: Json, root: Tree) -> Tree:
        for cell in table["cells"]:
            root.children.append(Tree(cell, claim(cell, k, max(root.values))))
        return root

    result.append(flat(tables["quarter"], Tree(None, {total})))
    result.append(flat(tables["stage_reached"], Tree(None, {total})))
    classes = Tree(None, {total})
    outcomes = {c["key"]: c for c in tables["outcome"]["cells"]}
    for cell in tables["record_class"]["cells"]:
        node = Tree(cell, claim(cell, k, total))
        for outcome in CLASS_OUTCOMES[RecordClass(cell["key"])]:
            o = outcomes[outcome.value]
            node.children.append(Tree(o, claim(o, k, total)))
        classes.children.append(node)
    result.append(classes)
    for key, table in tables.items():
        if key.startswith("deadline_"):
            head = table["total"]
            root = Tree(head, claim(head, k, total))
            result.append(flat(table, root))
    return result


def recoverable(report: Json) -> list[tuple[str, set[int]]]:
    """The hidden cells a reader can pin to one value (should be none)."""
    pinned = []
    if report["too_few"]:
        return pinned
    for tree in trees(report):
        for cell, values in feasible(tree, report["total"]):
            if cell["suppressed"] and len(values) < 2:
                pinned.append((cell["key"], values))
    for table in report["tables"]:
        if table["kind"] == "multi":
            for cell in table["cells"]:
                if cell["suppressed"] and len(claim(cell, report["k"], report["total"])) < 2:
                    pinned.append((cell["key"], set()))
    return pinned
