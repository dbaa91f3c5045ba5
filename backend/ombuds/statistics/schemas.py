"""The review's statistics (6): one view, the Executive's (table officers, administrators).

Counts under k never appear: such a cell has `count: null`, `suppressed: true` and a
`mark` saying what the reader may take from it (see statistics/suppression.py)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from ombuds.kit.schemas import OutputSchema
from ombuds.statistics.suppression import Mark


class StatisticsCell(OutputSchema):
    key: str = Field(description="The code counted (a quarter as 2026-Q1, a category, ...)")
    label: str
    count: int | None = Field(description="null when suppressed")
    suppressed: bool
    mark: Mark = Field(
        description="`shown`; `fewer_than_k` (0 to k-1); `suppressed` (hidden so that no "
        "other hidden cell can be worked out: k or more); `withheld` (its whole table)"
    )


class StatisticsTable(OutputSchema):
    key: str
    title: str
    kind: Literal["partition", "multi"] = Field(
        description="`partition`: every complaint counted once, the cells sum to `total`; "
        "`multi`: a complaint is counted under each code it has, or none"
    )
    total: StatisticsCell | None = Field(
        description="What the cells sum to, when it is not the report's total (a deadline "
        "kind: the complaints that had one)"
    )
    cells: list[StatisticsCell]


class StatisticsMedian(OutputSchema):
    step: str
    label: str
    median_days: float | None = Field(description="null when fewer than k complaints had it")
    suppressed: bool


class StatisticsReport(OutputSchema):
    period_from: date = Field(description="Complaints closed on or after this day")
    period_to: date = Field(description="... and on or before this one")
    k: int = Field(description="No count under k is shown (OMBUDS_STATISTICS_MIN_CELL)")
    total: int | None = Field(description="Complaints closed in the period; null under k")
    too_few: bool = Field(description="Fewer than k complaints: nothing else is shown")
    tables: list[StatisticsTable]
    medians: list[StatisticsMedian]


class ReportPeriod(BaseModel):
    period_from: date
    period_to: date
