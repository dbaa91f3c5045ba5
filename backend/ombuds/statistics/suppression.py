"""Small-cell suppression for the review's statistics (6): no count under k is shown, and
no hidden count can be worked out from what is shown.

What a reader (the attacker) is assumed to know
-----------------------------------------------
Everything shown, the rule below, and these relations:

* every count is a non-negative integer;
* a cell marked "fewer than k" holds 0 to k-1 (zeros are hidden too: a Local's review
  that says "0 on ground X" beside "fewer than 5 on ground Y" tells the reader that the
  hidden one is at least 1, and a hidden cell known to be 1 to k-1 is easier to pin);
* a cell marked "suppressed" (complementary suppression) was chosen because it had to
  be: the rule only ever picks a cell of k or more, so it holds k to the table's total;
* a cell marked "withheld" (its whole table withheld) holds 0 to the table's total;
* the tables that partition the complaints of the period (by quarter closed, record
  class, outcome, stage reached) each sum to the report's total, which is shown;
* the record class is a coarsening of the outcome: `formal` is referred to a charge +
  dismissed + harassment found, and the other classes equal their outcome, so the two
  tables form one tree of sums (class under the total, outcome under class);
* each deadline kind's statuses (met, met late, lapsed, cancelled) sum to the number of
  complaints that had that deadline, which is shown with them (or, under k, the whole
  kind is "fewer than k").

Every such relation is a tree of sums (a laminar family): a node equals the sum of its
children, and nodes are bounded by their marks. On a tree the set of values a node can
take is exactly an interval, computed upward (what each subtree can sum to) and then
downward (what is left for a node beside its siblings); `ranges` does this. A hidden
node is protected when that interval holds more than one value. Trees that share only a
shown total are independent given it, so each is checked on its own.

Multi-valued tables (categories, grounds, recommendation kinds) count complaints that
have a code; a complaint can have several or none, so they sum to nothing the reader
knows. Each hidden cell there is 0 to k-1 and nothing narrows it, so no complementary
suppression is needed. Medians over fewer than k complaints are not shown.

What this does not model: dependencies the procedure puts between tables (a complaint
dismissed or with harassment found reached the conclusions stage; the table officers'
notice is owed exactly on the complaints that took the Local 500 procedure). A reader
who knows the procedure can combine them with inequalities; the withdrawn complaints,
which can stop at any stage, keep the stage table from following from the outcome
table, and the deadline kinds' totals are shown only when they are k or more.

The rule
--------
1. If the total is under k, nothing else is shown.
2. Every cell under k is "fewer than k".
3. While some hidden node of a tree could be worked out, the smallest shown cell beside
   it (a sibling, else a child, else its parent, else anywhere in the tree) becomes
   "suppressed". If nothing shown is left, the whole tree under its total is "withheld".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Mark(StrEnum):
    shown = "shown"
    fewer_than_k = "fewer_than_k"  # primary: 0 to k-1
    suppressed = "suppressed"  # complementary: k to the table's total
    withheld = "withheld"  # the whole table: 0 to its total


@dataclass(eq=False)
class Node:
    key: str
    value: int
    children: list[Node] = field(default_factory=list)
    mark: Mark = Mark.shown
    parent: Node | None = field(default=None, repr=False)

    def add(self, key: str, value: int) -> Node:
        child = Node(key, value, parent=self)
        self.children.append(child)
        return child

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def hidden(self) -> bool:
        return self.mark is not Mark.shown


Interval = tuple[int, int]


def claim(node: Node, k: int, total: int) -> Interval:
    """What a node's mark tells the reader (`total`: the tree root's value, or its bound)."""
    if node.mark is Mark.shown:
        return (node.value, node.value)
    if node.mark is Mark.fewer_than_k:
        return (0, k - 1)
    if node.mark is Mark.suppressed:
        return (k, total)
    return (0, total)


def _bound(root: Node, k: int) -> int:
    return root.value if root.mark is Mark.shown else k - 1


def ranges(root: Node, k: int) -> dict[int, Interval]:
    """Every node's exact feasible interval, keyed by id(node)."""
    total = _bound(root, k)
    up: dict[int, Interval] = {}

    def upward(node: Node) -> Interval:
        lo, hi = claim(node, k, total)
        if node.children:
            sums = [upward(c) for c in node.children]
            lo = max(lo, sum(s[0] for s in sums))
            hi = min(hi, sum(s[1] for s in sums))
        up[id(node)] = (lo, hi)
        return (lo, hi)

    upward(root)
    result: dict[int, Interval] = {id(root): up[id(root)]}

    def downward(node: Node) -> None:
        lo_n, hi_n = result[id(node)]
        ups = [up[id(c)] for c in node.children]
        all_lo, all_hi = sum(u[0] for u in ups), sum(u[1] for u in ups)
        for child, (lo_c, hi_c) in zip(node.children, ups, strict=True):
            rest_lo, rest_hi = all_lo - lo_c, all_hi - hi_c
            result[id(child)] = (max(lo_c, lo_n - rest_hi), min(hi_c, hi_n - rest_lo))
            downward(child)

    downward(root)
    return result


def pinned(root: Node, k: int) -> list[Node]:
    """The hidden nodes whose value the reader could work out."""
    found = ranges(root, k)
    return [n for n in root.walk() if n.hidden and found[id(n)][0] >= found[id(n)][1]]


def _smallest_shown(nodes: list[Node]) -> Node | None:
    shown = [n for n in nodes if n.mark is Mark.shown]
    return min(shown, key=lambda n: (n.value, n.key)) if shown else None


def protect(root: Node, k: int) -> None:
    """Mark the tree under `root` (whose own mark is already decided) by the rule."""
    if root.mark is not Mark.shown:  # a total under k: everything under it is too
        for node in root.walk():
            node.mark = Mark.fewer_than_k
        return
    below = [n for n in root.walk() if n is not root]
    for node in below:
        if node.value < k:
            node.mark = Mark.fewer_than_k
    while stuck := pinned(root, k):
        node = stuck[0]
        parent = node.parent
        siblings = [c for c in parent.children if c is not node] if parent else []
        near = (
            _smallest_shown(siblings)
            or _smallest_shown(node.children)
            or (_smallest_shown([parent]) if parent is not None and parent is not root else None)
            or _smallest_shown(below)
        )
        if near is None:
            for n in below:
                n.mark = Mark.withheld
            return
        _suppress(near, root)


def _suppress(node: Node, root: Node) -> None:
    """A node with an only child equals it: the two are hidden together."""
    node.mark = Mark.suppressed
    if len(node.children) == 1 and node.children[0].mark is Mark.shown:
        _suppress(node.children[0], root)
    parent = node.parent
    if parent is not None and parent is not root and len(parent.children) == 1:
        if parent.mark is Mark.shown:
            _suppress(parent, root)


def flat(total: int, cells: dict[str, int], k: int) -> Node:
    """A table that partitions `total`, protected."""
    root = Node("total", total)
    if total < k:
        root.mark = Mark.fewer_than_k
    for key, value in cells.items():
        root.add(key, value)
    protect(root, k)
    return root


def multi(cells: dict[str, int], k: int) -> dict[str, Mark]:
    """A multi-valued table: each cell on its own."""
    return {key: Mark.shown if value >= k else Mark.fewer_than_k for key, value in cells.items()}
