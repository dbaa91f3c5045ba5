"""6: the review's statistics for table officers and administrators: counts by quarter,
record class, outcome, stage, category, ground, recommendation and deadline, medians,
every small cell suppressed; as JSON, CSV and a printed PDF; one click from a review."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from pypdf import PdfReader
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import ComplaintFacts, Role
from tests.factories.accounts import signed_in
from tests.statistics.facts_strategy import PERIOD_FROM, PERIOD_TO, Fact, case_mixes
from tests.statistics.test_facts import redirected
from tests.statistics.test_suppression import check

URL = "/api/statistics"
EXECUTIVE = [Role.table_officer, Role.administrator]
Json = dict[str, Any]
CONCLUDED = {"crc_report": "met", "table_officer_notice": "met"}

# 15 complaints closed in the first half of 2026 (and one before): see each test.
MIX = (
    [
        dict(
            closed_on=date(2026, 1, 15),
            record_class="withdrawn",
            stage_reached="intake",
            outcome="withdrawn",
            categories=["comments"],
            grounds=["age"],
            durations={"received_to_closed": 10},
        )
    ]
    * 7
    + [
        dict(
            closed_on=date(2026, 4, 10),
            record_class="formal",
            stage_reached="conclusions",
            outcome="dismissed",
            categories=["comments", "verbal_abuse"],
            deadlines={**CONCLUDED, "written_response": "met"},
            durations={"received_to_closed": 100, "committee_to_findings": 40},
        )
    ]
    * 6
    + [
        dict(
            closed_on=date(2026, 4, 20),
            record_class="formal",
            stage_reached="conclusions",
            outcome="harassment_found",
            categories=["comments", "verbal_abuse"],
            recommendation_kinds=["apology"],
            deadlines={**CONCLUDED, "crc_report": "met_late", "written_response": "lapsed"},
            durations={"received_to_closed": 120, "committee_to_findings": 50},
        )
    ]
    * 2
    + [
        dict(
            closed_on=date(2025, 12, 31),
            record_class="withdrawn",
            stage_reached="intake",
            outcome="withdrawn",
        )
    ]
)
HALF = {"from": "2026-01-01", "to": "2026-06-30"}


def row(values: dict[str, Any] | Fact) -> ComplaintFacts:
    data = dict(values) if isinstance(values, dict) else dict(values.__dict__)
    day: date = data["closed_on"]
    return ComplaintFacts(
        received_year=day.year,
        received_quarter=(day.month - 1) // 3 + 1,
        **{
            "categories": [],
            "grounds": [],
            "recommendation_kinds": [],
            "deadlines": {},
            "durations": {},
            **data,
        },
    )


async def seed(db: AsyncSession, mix: list[Any]) -> None:
    await db.execute(delete(ComplaintFacts))
    db.add_all(row(values) for values in mix)
    await db.commit()


def cells(report: Json, table: str) -> dict[str, Any]:
    (found,) = [t for t in report["tables"] if t["key"] == table]
    return {c["key"]: c["count"] if c["mark"] == "shown" else c["mark"] for c in found["cells"]} | (
        {"(total)": found["total"]["count"] or found["total"]["mark"]} if found["total"] else {}
    )


F, S = "fewer_than_k", "suppressed"


class TestReport:
    @pytest.mark.clause("6")
    @pytest.mark.parametrize("role", EXECUTIVE)
    async def test_counts_with_small_cells_suppressed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        await seed(db, MIX)
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get(URL, params=HALF, headers=headers)
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["period_from"], report["period_to"], report["k"]) == (
            "2026-01-01",
            "2026-06-30",
            5,
        )
        assert (report["total"], report["too_few"]) == (15, False)
        assert cells(report, "quarter") == {"2026-Q1": 7, "2026-Q2": 8}
        # redirected + informal = 15 - 7 - 8 would be 0: withdrawn is hidden with them.
        assert cells(report, "record_class") == {
            "redirected": F,
            "informal": F,
            "withdrawn": S,
            "formal": 8,
        }
        assert cells(report, "outcome") == {
            "redirected": F,
            "resolved_informally": F,
            "withdrawn": S,
            "referred_to_charge": F,
            "dismissed": 6,
            "harassment_found": F,
        }
        # Five stages nobody stopped at would sum to 15 - 7 - 8 = 0: intake goes too.
        assert cells(report, "stage_reached") == {
            "intake": S,
            "informal": F,
            "letter": F,
            "review": F,
            "committee": F,
            "investigation": F,
            "conclusions": 8,
        }
        assert cells(report, "category") == {
            "verbal_abuse": 8,
            "physical_actions": F,
            "comments": 15,
            "displays": F,
            "abuse_of_power": F,
            "other": F,
        }
        grounds = cells(report, "ground")
        assert grounds["age"] == 7 and set(grounds.values()) == {7, F}
        assert set(cells(report, "recommendation_kind").values()) == {F}
        assert cells(report, "deadline_crc_report") == {
            "(total)": 8,
            "met": 6,
            "met_late": F,
            "lapsed": F,
            "cancelled": F,
        }
        assert cells(report, "deadline_table_officer_notice") == {
            "(total)": 8,
            "met": S,
            "met_late": F,
            "lapsed": F,
            "cancelled": F,
        }
        medians = {m["step"]: m["median_days"] for m in report["medians"]}
        assert medians == {
            "received_to_route": None,
            "route_to_response": None,
            "route_to_committee": None,
            "committee_to_findings": 40.0,
            "findings_to_closed": None,
            "received_to_closed": 100.0,
        }
        for table in report["tables"]:
            for cell in table["cells"]:
                assert (cell["count"] is None) == cell["suppressed"] == (cell["mark"] != "shown")

    @pytest.mark.clause("6")
    async def test_fewer_than_k_complaints_show_nothing_else(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        await seed(db, MIX)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        response = await client.get(
            URL, params={"from": "2025-01-01", "to": "2025-12-31"}, headers=headers
        )
        assert response.json() | {"period_from": None} == {
            "period_from": None,
            "period_to": "2025-12-31",
            "k": 5,
            "total": None,
            "too_few": True,
            "tables": [],
            "medians": [],
        }

    @pytest.mark.clause("6")
    async def test_the_period_defaults_to_since_implementation_and_must_be_a_period(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        await seed(db, MIX)
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        report = (await client.get(URL, headers=headers)).json()
        assert (report["period_from"], report["period_to"], report["total"]) == (
            "2025-01-01",
            local_today().isoformat(),
            16,
        )
        response = await client.get(
            URL, params={"from": "2026-02-01", "to": "2026-01-31"}, headers=headers
        )
        assert response.status_code == 422
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
            ("to", "not_before_from")
        ]
        response = await client.get(
            URL, params={"from": "2016-01-01", "to": "2026-01-01"}, headers=headers
        )
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
            ("to", "at_most_ten_years")
        ]
        response = await client.get(
            URL, params={"from": "2016-01-01", "to": "2025-12-31"}, headers=headers
        )
        assert response.status_code == 200  # forty quarters

    @pytest.mark.clause("6")
    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource])
    async def test_only_the_executive_reads_them(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        for path in ("", "/report.csv", "/report.pdf"):
            assert (await client.get(URL + path)).status_code == 401
            assert (await client.get(URL + path, headers=headers)).status_code == 403


class TestExports:
    @pytest.mark.clause("6")
    async def test_csv_has_a_section_per_table_and_no_small_count(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        await seed(db, MIX)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        response = await client.get(URL + "/report.csv", params=HALF, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert "statistics-2026-01-01-2026-06-30.csv" in response.headers["content-disposition"]
        lines = list(csv.reader(io.StringIO(response.text)))
        assert ["complaints closed", "15"] in lines
        start = lines.index(["Record class"])
        assert lines[start + 1 : start + 6] == [
            ["code", "label", "count"],
            ["redirected", "Redirected", "<5"],
            ["informal", "Informal", "<5"],
            ["withdrawn", "Withdrawn", "suppressed"],
            ["formal", "Formal", "8"],
        ]
        start = lines.index(["Deadline: the table officers' notice (4.3.1(iii))"])
        assert lines[start + 2 : start + 4] == [
            ["total", "With this deadline", "8"],
            ["met", "Met", "suppressed"],
        ]
        assert ["received_to_closed", "Received to closed", "100"] in lines
        assert ["route_to_response", "Formal route chosen to written response", "<5 cases"] in lines
        numbers = [int(r[2]) for r in lines if len(r) == 3 and r[2].isdigit()]
        assert numbers and min(numbers) >= 5

    @pytest.mark.clause("6")
    async def test_the_printed_report_reads_back_with_its_figures_and_no_name(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        await seed(db, MIX)
        case = await redirected(db, passwords, client)  # closed today, through the API
        name = case.complainant.full_name
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.get(
            URL + "/report.pdf",
            params={"from": "2026-01-01", "to": local_today().isoformat()},
            headers=headers,
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        pages = PdfReader(io.BytesIO(response.content)).pages
        text = " ".join(" ".join(p.extract_text().split()) for p in pages)
        assert "statistics for the review" in text
        assert "Complaints closed in the period: 16" in text
        assert "Formal 8" in text and "Dismissed 6" in text and "Comments 16" in text
        assert "2026-Q1 7" in text and "Withdrawn 7" in text and "Intake 8" in text
        assert "Conclusions suppressed" in text and "Redirected fewer than 5" in text
        assert "Received to closed" in text
        assert name not in text and case.complainant.member_number not in text


class TestTheReviewsReport:
    @pytest.mark.clause("6")
    async def test_a_review_carries_its_period_and_the_report_takes_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        await seed(db, MIX)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        first = await client.post(
            "/api/policy-reviews",
            json={"held_on": "2026-06-30", "note": "First review"},
            headers=headers,
        )
        assert first.status_code == 201, first.text
        assert (first.json()["report_from"], first.json()["report_to"]) == (
            "2025-01-01",
            "2026-06-30",
        )
        second = await client.post(
            "/api/policy-reviews",
            json={"held_on": local_today().isoformat(), "note": "Second review"},
            headers=headers,
        )
        assert second.json()["report_from"] == "2026-07-01"
        listed = (await client.get("/api/policy-reviews", headers=headers)).json()
        assert [(r["report_from"], r["report_to"]) for r in listed] == [
            ("2026-07-01", local_today().isoformat()),
            ("2025-01-01", "2026-06-30"),
        ]
        # One click: the first review's period, as its response gave it.
        period = {"from": listed[1]["report_from"], "to": listed[1]["report_to"]}
        report = (await client.get(URL, params=period, headers=headers)).json()
        assert (report["period_from"], report["period_to"], report["total"]) == (
            "2025-01-01",
            "2026-06-30",
            16,
        )
        # Without a period, on the day a review is held, the report is that review's.
        default = (await client.get(URL, headers=headers)).json()
        assert (default["period_from"], default["period_to"]) == (
            "2026-07-01",
            local_today().isoformat(),
        )


class TestSuppressionOnTheDatabase:
    @pytest.mark.clause("6")
    async def test_no_hidden_cell_can_be_worked_out(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        mixes: list[list[Fact]] = []

        @given(case_mixes)
        @settings(max_examples=12, derandomize=True, database=None, deadline=None)
        def collect(mix: list[Fact]) -> None:
            mixes.append(mix)

        collect()
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        period = {"from": PERIOD_FROM.isoformat(), "to": PERIOD_TO.isoformat()}
        assert any(len(m) >= 5 for m in mixes)
        for mix in mixes:
            await seed(db, mix)
            response = await client.get(URL, params=period, headers=headers)
            assert response.status_code == 200, response.text
            check(response.json(), mix, 5)
