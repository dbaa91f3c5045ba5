"""6: the review's statistics, as JSON, CSV and a printable PDF for Central Council."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from ombuds.kit.deps import AppSettings, DbSession
from ombuds.statistics import render, service
from ombuds.statistics.access import StatisticsReader
from ombuds.statistics.schemas import StatisticsReport

router = APIRouter(prefix="/api/statistics", tags=["statistics"])

From = Annotated[
    date | None,
    Query(
        alias="from",
        description="Complaints closed on or after this day (default: the last policy "
        "review held, or the policy's implementation)",
    ),
]
To = Annotated[
    date | None, Query(alias="to", description="... on or before this day (default: today)")
]
PERIOD_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "`to` before `from`, a period over ten years, or not a date"}
}


@router.get("", response_model=StatisticsReport, responses=PERIOD_ERRORS, name="report")
async def report(
    db: DbSession,
    settings: AppSettings,
    actor: StatisticsReader,
    period_from: From = None,
    period_to: To = None,
) -> StatisticsReport:
    """Counts and medians over the complaints closed in a period, small cells suppressed."""
    period = await service.period_of(db, settings, period_from, period_to)
    return await service.report(db, settings, actor, period, "json")


@router.get(
    "/report.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **PERIOD_ERRORS},
    name="report_csv",
)
async def report_csv(
    db: DbSession,
    settings: AppSettings,
    actor: StatisticsReader,
    period_from: From = None,
    period_to: To = None,
) -> Response:
    """The same report as CSV: one section per table, hidden cells as "<k"."""
    period = await service.period_of(db, settings, period_from, period_to)
    data = await service.report(db, settings, actor, period, "csv")
    return Response(
        render.csv_text(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{render.filename(data, "csv")}"'},
    )


@router.get(
    "/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **PERIOD_ERRORS},
    name="report_pdf",
)
async def report_pdf(
    db: DbSession,
    settings: AppSettings,
    actor: StatisticsReader,
    period_from: From = None,
    period_to: To = None,
) -> Response:
    """The same report, printable, for Central Council (PDF)."""
    period = await service.period_of(db, settings, period_from, period_to)
    data = await service.report(db, settings, actor, period, "pdf")
    return Response(
        await render.pdf_bytes(data),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{render.filename(data, "pdf")}"'},
    )
