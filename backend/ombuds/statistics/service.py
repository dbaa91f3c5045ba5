"""The review's statistics (6), built from the coded facts of the complaints closed in a
period, every table protected by statistics/suppression.py.

The read follows the hot-read shape (complaints/reads.py): statements built once at
import, read with Core, rows straight into `compose`, which is pure and is what the
property test drives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from statistics import median
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.kit.clock import local_today
from ombuds.kit.errors import InvalidInput, field_error
from ombuds.models import (
    Category,
    ComplaintFacts,
    DeadlineKind,
    DeadlineStatus,
    Ground,
    PolicyReview,
    RecommendationKind,
    Stage,
)
from ombuds.policy import service as policy
from ombuds.retention.classes import RecordClass
from ombuds.settings import Settings
from ombuds.statistics.facts import Outcome, Step
from ombuds.statistics.schemas import (
    ReportPeriod,
    StatisticsCell,
    StatisticsMedian,
    StatisticsReport,
    StatisticsTable,
)
from ombuds.statistics.suppression import Mark, Node, flat, multi, protect


class Fact(Protocol):
    closed_on: date
    record_class: str
    stage_reached: str
    outcome: str
    categories: list[str]
    grounds: list[str]
    recommendation_kinds: list[str]
    deadlines: dict[str, str]
    durations: dict[str, int]


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize()


# Which outcomes each record class is (retention/classes.py): the class table's cells
# are sums of the outcome table's, and are protected with them as one tree.
CLASS_OUTCOMES: dict[RecordClass, tuple[Outcome, ...]] = {
    RecordClass.redirected: (Outcome.redirected,),
    RecordClass.informal: (Outcome.resolved_informally,),
    RecordClass.withdrawn: (Outcome.withdrawn,),
    RecordClass.formal: (Outcome.referred_to_charge, Outcome.dismissed, Outcome.harassment_found),
}
STAGES = [s for s in Stage if s is not Stage.closed]
DEADLINE_KINDS = [
    DeadlineKind.written_response,
    DeadlineKind.table_officer_notice,
    DeadlineKind.crc_report,
]
DEADLINE_STATUSES = [s for s in DeadlineStatus if s is not DeadlineStatus.open]
DEADLINE_LABELS = {
    DeadlineKind.written_response: "the other party's written response (4.3.1(ii))",
    DeadlineKind.table_officer_notice: "the table officers' notice (4.3.1(iii))",
    DeadlineKind.crc_report: "the CRC's report (4.3.1(vi))",
}
STEP_LABELS = {
    Step.received_to_route: "Received to formal route chosen",
    Step.route_to_response: "Formal route chosen to written response",
    Step.route_to_committee: "Formal route chosen to CRC struck",
    Step.committee_to_findings: "CRC struck to findings",
    Step.findings_to_closed: "Findings to closed",
    Step.received_to_closed: "Received to closed",
}


# A review covers three years at most (6); a report of ten keeps its table by quarter short.
MAX_QUARTERS = 40


def quarter_key(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarters(start: date, end: date) -> list[str]:
    """Every quarter the period touches: the keys depend on the period, never the data."""
    keys, year, q = [], start.year, (start.month - 1) // 3
    while (year, q) <= (end.year, (end.month - 1) // 3):
        keys.append(f"{year}-Q{q + 1}")
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return keys


def _cell(node: Node, label: str) -> StatisticsCell:
    shown = node.mark is Mark.shown
    return StatisticsCell(
        key=node.key,
        label=label,
        count=node.value if shown else None,
        suppressed=not shown,
        mark=node.mark,
    )


def _partition(
    key: str, title: str, root: Node, labels: dict[str, str], own_total: bool
) -> StatisticsTable:
    return StatisticsTable(
        key=key,
        title=title,
        kind="partition",
        total=_cell(root, "With this deadline") if own_total else None,
        cells=[_cell(n, labels.get(n.key, _words(n.key))) for n in root.children],
    )


def _multi(
    key: str, title: str, counts: dict[str, int], labels: dict[str, str], k: int
) -> StatisticsTable:
    marks = multi(counts, k)
    return StatisticsTable(
        key=key,
        title=title,
        kind="multi",
        total=None,
        cells=[
            StatisticsCell(
                key=code,
                label=labels.get(code, _words(code)),
                count=counts[code] if marks[code] is Mark.shown else None,
                suppressed=marks[code] is not Mark.shown,
                mark=marks[code],
            )
            for code in counts
        ],
    )


def _count(keys: Iterable[str], values: Iterable[str]) -> dict[str, int]:
    seen = Counter(values)
    return {key: seen.get(key, 0) for key in keys}


def _class_outcome_tree(facts: Sequence[Fact], k: int) -> Node:
    by_outcome = Counter(f.outcome for f in facts)
    root = Node("total", len(facts))
    for record_class, outcomes in CLASS_OUTCOMES.items():
        node = root.add(record_class.value, sum(by_outcome.get(o.value, 0) for o in outcomes))
        for outcome in outcomes:
            node.add(outcome.value, by_outcome.get(outcome.value, 0))
    protect(root, k)
    return root


def compose(
    facts: Sequence[Fact],
    k: int,
    period_from: date,
    period_to: date,
    grounds: dict[str, str],
) -> StatisticsReport:
    """The report over `facts` (the complaints closed in the period), protected."""
    total = len(facts)
    if total < k:
        return StatisticsReport(
            period_from=period_from,
            period_to=period_to,
            k=k,
            total=None,
            too_few=True,
            tables=[],
            medians=[],
        )
    tables = []
    by_quarter = _count(quarters(period_from, period_to), (quarter_key(f.closed_on) for f in facts))
    quarter_table = flat(total, by_quarter, k)
    labels = {key: key for key in by_quarter}
    tables.append(_partition("quarter", "Closed, by quarter", quarter_table, labels, False))
    tree = _class_outcome_tree(facts, k)
    tables.append(_partition("record_class", "Record class", tree, {}, False))
    outcomes = Node("total", total)
    outcomes.mark = tree.mark
    outcomes.children = [o for c in tree.children for o in c.children]
    order = [o.value for o in Outcome]
    outcomes.children.sort(key=lambda n: order.index(n.key))
    tables.append(_partition("outcome", "Outcome", outcomes, {}, False))
    by_stage = _count([s.value for s in STAGES], (f.stage_reached for f in facts))
    tables.append(
        _partition(
            "stage_reached", "Stage reached before closing", flat(total, by_stage, k), {}, False
        )
    )
    tables.append(
        _multi(
            "category",
            "Categories of harassment (2.1)",
            _count([c.value for c in Category], (c for f in facts for c in f.categories)),
            {},
            k,
        )
    )
    tables.append(
        _multi(
            "ground",
            "Grounds (2.2)",
            _count(grounds, (g for f in facts for g in f.grounds)),
            grounds,
            k,
        )
    )
    tables.append(
        _multi(
            "recommendation_kind",
            "Recommendations made",
            _count(
                [r.value for r in RecommendationKind],
                (r for f in facts for r in f.recommendation_kinds),
            ),
            {},
            k,
        )
    )
    for kind in DEADLINE_KINDS:
        statuses = [f.deadlines[kind.value] for f in facts if kind.value in f.deadlines]
        counts = _count([s.value for s in DEADLINE_STATUSES], statuses)
        tables.append(
            _partition(
                f"deadline_{kind.value}",
                f"Deadline: {DEADLINE_LABELS[kind]}",
                flat(len(statuses), counts, k),
                {},
                True,
            )
        )
    medians = []
    for step in Step:
        days = [f.durations[step.value] for f in facts if step.value in f.durations]
        enough = len(days) >= k
        medians.append(
            StatisticsMedian(
                step=step.value,
                label=STEP_LABELS[step],
                median_days=float(median(days)) if enough else None,
                suppressed=not enough,
            )
        )
    return StatisticsReport(
        period_from=period_from,
        period_to=period_to,
        k=k,
        total=total,
        too_few=False,
        tables=tables,
        medians=medians,
    )


# The read -----------------------------------------------------------------------------

_FACTS = (
    select(
        ComplaintFacts.closed_on,
        ComplaintFacts.record_class,
        ComplaintFacts.stage_reached,
        ComplaintFacts.outcome,
        ComplaintFacts.categories,
        ComplaintFacts.grounds,
        ComplaintFacts.recommendation_kinds,
        ComplaintFacts.deadlines,
        ComplaintFacts.durations,
    )
    .where(
        ComplaintFacts.closed_on >= bindparam("period_from"),
        ComplaintFacts.closed_on <= bindparam("period_to"),
    )
    .order_by(ComplaintFacts.closed_on, ComplaintFacts.id)
)
_GROUNDS = select(Ground.code, Ground.label).order_by(Ground.code)


_LAST_TWO_REVIEWS = select(PolicyReview.held_on).order_by(PolicyReview.held_on.desc()).limit(2)


async def default_period(db: AsyncSession, settings: Settings) -> ReportPeriod:
    """Since the last review held (the day after it) or the policy's implementation, to
    today: what the next review will look back on. On the day a review is held, that
    period has not begun yet: the default is then the period the review looked back on."""
    today = local_today()
    held = list((await db.execute(_LAST_TWO_REVIEWS)).scalars())
    since = policy.report_from(settings, held[0] if held else None)
    if since <= today:
        return ReportPeriod(period_from=since, period_to=today)
    before = policy.report_from(settings, held[1] if len(held) > 1 else None)
    return ReportPeriod(period_from=before, period_to=held[0])


async def period_of(
    db: AsyncSession, settings: Settings, period_from: date | None, period_to: date | None
) -> ReportPeriod:
    default = await default_period(db, settings)
    period = ReportPeriod(
        period_from=period_from or default.period_from, period_to=period_to or default.period_to
    )
    if period.period_from > period.period_to:
        raise InvalidInput(
            "The period ends before it starts.",
            errors=[field_error("to", "not_before_from", "on or after 'from'")],
        )
    if len(quarters(period.period_from, period.period_to)) > MAX_QUARTERS:
        raise InvalidInput(
            "The period is longer than a report covers.",
            errors=[field_error("to", "at_most_ten_years", f"within {MAX_QUARTERS} quarters")],
        )
    return period


async def report(
    db: AsyncSession, settings: Settings, actor: Principal, period: ReportPeriod, export: str
) -> StatisticsReport:
    """The protected report for `period`; audited (`export`: json, csv or pdf)."""
    conn = await db.connection()
    rows = (
        await conn.execute(
            _FACTS, {"period_from": period.period_from, "period_to": period.period_to}
        )
    ).all()
    grounds = {code: label for code, label in (await conn.execute(_GROUNDS)).all()}
    await audit.record(db, actor, f"statistics.read_{export}", "statistics", None)
    return compose(
        rows, settings.statistics_min_cell, period.period_from, period.period_to, grounds
    )
