"""The report's exports: CSV (one section per table) and a printable PDF (WeasyPrint,
from a Jinja2 template). Both write a hidden cell as "<k" / "fewer than k", never a number."""

from __future__ import annotations

import asyncio
import csv
import io
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from ombuds.statistics.schemas import StatisticsCell, StatisticsReport
from ombuds.statistics.suppression import Mark


def filename(report: StatisticsReport, ext: str) -> str:
    return f"statistics-{report.period_from.isoformat()}-{report.period_to.isoformat()}.{ext}"


def short(cell: StatisticsCell, k: int) -> str:
    """A cell as the CSV writes it."""
    if cell.mark is Mark.shown:
        return str(cell.count)
    if cell.mark is Mark.fewer_than_k:
        return f"<{k}"
    return "suppressed" if cell.mark is Mark.suppressed else "withheld"


def words(cell: StatisticsCell, k: int) -> str:
    """A cell as the printed report writes it."""
    if cell.mark is Mark.fewer_than_k:
        return f"fewer than {k}"
    return short(cell, k)


def csv_text(report: StatisticsReport) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    k = report.k
    w.writerow(["Statistics for the policy review (6)"])
    w.writerow(["period", report.period_from.isoformat(), report.period_to.isoformat()])
    w.writerow(["smallest count shown", k])
    if report.too_few:
        w.writerow(["complaints closed", f"<{k}"])
        w.writerow([f"Fewer than {k} complaints closed in the period: nothing else is shown."])
        return out.getvalue()
    w.writerow(["complaints closed", report.total])
    for table in report.tables:
        w.writerow([])
        w.writerow([table.title])
        w.writerow(["code", "label", "count"])
        if table.total is not None:
            w.writerow(["total", table.total.label, short(table.total, k)])
        for cell in table.cells:
            w.writerow([cell.key, cell.label, short(cell, k)])
    w.writerow([])
    w.writerow(["Median days between steps"])
    w.writerow(["step", "label", "median days"])
    for m in report.medians:
        w.writerow([m.step, m.label, f"<{k} cases" if m.suppressed else f"{m.median_days:g}"])
    return out.getvalue()


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("ombuds.statistics", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["words"] = words
    return env


def html(report: StatisticsReport) -> str:
    return _templates().get_template("report.html").render(report=report, k=report.k)


def _pdf(markup: str) -> bytes:
    from weasyprint import HTML  # imported when a report is printed: it loads Pango

    result: bytes = HTML(string=markup).write_pdf()
    return result


async def pdf_bytes(report: StatisticsReport) -> bytes:
    """The printable report; laid out in a thread, off the event loop."""
    return await asyncio.to_thread(_pdf, html(report))
