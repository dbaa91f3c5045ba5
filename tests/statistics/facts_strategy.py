"""Case mixes for the statistics: coded facts as the procedure can produce them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import strategies as st

from ombuds.models import Category, Closure, DeadlineStatus, RecommendationKind, Stage
from ombuds.retention.classes import class_of
from ombuds.statistics.facts import Outcome

PERIOD_FROM, PERIOD_TO = date(2026, 1, 1), date(2026, 9, 30)
GROUNDS = {"age": "Age", "religion": "Religion", "sex": "Sex", "race": "Race"}
_CLOSURE = {
    Outcome.redirected: Closure.redirected,
    Outcome.resolved_informally: Closure.resolved_informally,
    Outcome.withdrawn: Closure.withdrawn,
    Outcome.referred_to_charge: Closure.referred_to_charge,
    Outcome.dismissed: Closure.dismissed,
    Outcome.harassment_found: Closure.concluded,
}
_STAGES = {
    Outcome.redirected: [Stage.intake],
    Outcome.resolved_informally: [Stage.informal],
    Outcome.referred_to_charge: [Stage.intake, Stage.informal],
    Outcome.withdrawn: [s for s in Stage if s is not Stage.closed],
    Outcome.dismissed: [Stage.conclusions],
    Outcome.harassment_found: [Stage.conclusions],
}
LOCAL = [Stage.letter, Stage.review, Stage.committee, Stage.investigation, Stage.conclusions]
STATUSES = [s.value for s in DeadlineStatus if s is not DeadlineStatus.open]


@dataclass
class Fact:
    closed_on: date
    record_class: str
    stage_reached: str
    outcome: str
    categories: list[str] = field(default_factory=list)
    grounds: list[str] = field(default_factory=list)
    recommendation_kinds: list[str] = field(default_factory=list)
    deadlines: dict[str, str] = field(default_factory=dict)
    durations: dict[str, int] = field(default_factory=dict)


@st.composite
def facts(draw: st.DrawFn) -> Fact:
    # Skewed towards a few outcomes, so that small cells are common.
    outcome = draw(st.sampled_from([*Outcome, Outcome.withdrawn, Outcome.dismissed]))
    stage = draw(st.sampled_from(_STAGES[outcome]))
    day = PERIOD_FROM + timedelta(days=draw(st.integers(0, (PERIOD_TO - PERIOD_FROM).days)))
    deadlines = {}
    if stage in LOCAL:
        deadlines["table_officer_notice"] = draw(st.sampled_from(STATUSES))
        if stage is not Stage.letter:
            deadlines["written_response"] = draw(st.sampled_from(STATUSES))
        if stage in (Stage.investigation, Stage.conclusions):
            deadlines["crc_report"] = draw(st.sampled_from(STATUSES))
    return Fact(
        closed_on=day,
        record_class=class_of(_CLOSURE[outcome]).value,
        stage_reached=stage.value,
        outcome=outcome.value,
        categories=sorted(draw(st.sets(st.sampled_from([c.value for c in Category]), max_size=2))),
        grounds=sorted(draw(st.sets(st.sampled_from(list(GROUNDS)), max_size=2))),
        recommendation_kinds=sorted(
            draw(st.sets(st.sampled_from([r.value for r in RecommendationKind]), min_size=1))
        )
        if outcome is Outcome.harassment_found
        else [],
        deadlines=deadlines,
        durations={"received_to_closed": draw(st.integers(0, 400))},
    )


case_mixes = st.lists(facts(), max_size=40)
