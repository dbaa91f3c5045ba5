"""6: the review's statistics show no count under k, and no hidden count can be worked
out from what is shown (complementary suppression), for any mix of cases."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ombuds.statistics.service import compose
from ombuds.statistics.suppression import Mark, Node, flat, pinned, protect
from tests.statistics.attacker import recoverable
from tests.statistics.facts_strategy import GROUNDS, PERIOD_FROM, PERIOD_TO, Fact, case_mixes


def actual_counts(facts: list[Fact]) -> dict[str, Counter[str]]:
    return {
        "outcome": Counter(f.outcome for f in facts),
        "record_class": Counter(f.record_class for f in facts),
        "stage_reached": Counter(f.stage_reached for f in facts),
        "category": Counter(c for f in facts for c in f.categories),
        "ground": Counter(g for f in facts for g in f.grounds),
    }


def check(report: dict[str, Any], facts: list[Fact], k: int) -> None:
    if len(facts) < k:
        assert report["too_few"] and report["total"] is None and report["tables"] == []
        return
    assert report["total"] == len(facts)
    counts = actual_counts(facts)
    for table in report["tables"]:
        for cell in table["cells"] + ([table["total"]] if table["total"] else []):
            if cell["mark"] == "shown":
                assert cell["count"] >= k and not cell["suppressed"]
            else:
                assert cell["count"] is None and cell["suppressed"]
            truth = (
                counts.get(table["key"], {}).get(cell["key"]) if table["key"] in counts else None
            )
            if truth is not None or table["key"] in counts:
                value = truth or 0
                if cell["mark"] == "shown":
                    assert cell["count"] == value
                elif cell["mark"] == "fewer_than_k":
                    assert value < k  # the mark tells the truth
                elif cell["mark"] == "suppressed":
                    assert value >= k
    for median in report["medians"]:
        assert (median["median_days"] is None) == median["suppressed"]
    assert recoverable(report) == []


@pytest.mark.clause("6")
class TestSuppression:
    @given(mix=case_mixes, k=st.sampled_from([3, 5]))
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_no_hidden_cell_can_be_worked_out(self, mix: list[Fact], k: int) -> None:
        report = compose(mix, k, PERIOD_FROM, PERIOD_TO, GROUNDS).model_dump(mode="json")
        check(report, mix, k)

    def test_one_small_cell_takes_the_smallest_shown_one_with_it(self) -> None:
        root = flat(18, {"a": 2, "b": 10, "c": 6}, 5)
        marks = {n.key: n.mark for n in root.children}
        # "a" alone would be 18 - 10 - 6; with "c" hidden too, a + c = 8, a is 0 to 3.
        assert marks == {"a": Mark.fewer_than_k, "b": Mark.shown, "c": Mark.suppressed}
        assert pinned(root, 5) == []

    def test_a_hidden_zero_protects_a_small_cell(self) -> None:
        # a + c = 2, each 0 to 4: a reader cannot tell 2 + 0 from 1 + 1 or 0 + 2.
        root = flat(12, {"a": 2, "b": 10, "c": 0}, 5)
        marks = {n.key: n.mark for n in root.children}
        assert marks == {"a": Mark.fewer_than_k, "b": Mark.shown, "c": Mark.fewer_than_k}

    def test_two_hidden_cells_that_must_both_be_four_are_not_enough(self) -> None:
        # 8 split as 4 + 4 beside a shown 7: each could only be 4 (at most k-1 = 4).
        root = flat(15, {"a": 4, "b": 4, "c": 7}, 5)
        assert {n.key: n.mark for n in root.children} == {
            "a": Mark.fewer_than_k,
            "b": Mark.fewer_than_k,
            "c": Mark.suppressed,
        }

    def test_a_total_under_k_shows_nothing(self) -> None:
        mix = [Fact(PERIOD_FROM, "withdrawn", "intake", "withdrawn")] * 4
        report = compose(mix, 5, PERIOD_FROM, PERIOD_TO, GROUNDS)
        assert (report.too_few, report.total, report.tables, report.medians) == (True, None, [], [])

    def test_class_and_outcome_are_protected_together(self) -> None:
        # formal 15 = charge 6 + dismissed 5 + found 4: found is hidden, and would be
        # 15 - 6 - 5; the smallest shown sibling, dismissed, is suppressed with it.
        root = Node("total", 26)
        for key, value in (("redirected", 6), ("informal", 5)):
            root.add(key, value).add(key, value)
        formal = root.add("formal", 15)
        for key, value in (("charge", 6), ("dismissed", 5), ("found", 4)):
            formal.add(key, value)
        protect(root, 5)
        marks = {n.key: n.mark for n in formal.children}
        assert marks == {
            "charge": Mark.shown,
            "dismissed": Mark.suppressed,
            "found": Mark.fewer_than_k,
        }
        assert formal.mark is Mark.shown and pinned(root, 5) == []
