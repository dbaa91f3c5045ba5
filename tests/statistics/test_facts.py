"""5.1, 6: every way a complaint closes writes its coded facts, in the same transaction,
and nothing in them names anyone; complaints closed before get theirs from the backfill."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds import cli
from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import ComplaintFacts
from ombuds.settings import Settings
from ombuds.statistics import facts
from tests.factories.investigation import at_closed
from tests.formal.support import Case, client_with, new_case, with_etag
from tests.informal.support import with_attempt

RECEIVED = date(2026, 2, 2)  # complaint_body's received_on
COLUMNS = {
    "id",
    "complaint_id",
    "received_year",
    "received_quarter",
    "closed_on",
    "record_class",
    "stage_reached",
    "outcome",
    "categories",
    "grounds",
    "recommendation_kinds",
    "deadlines",
    "durations",
    "unit_id",
    "recorded_at",
}


async def facts_of(db: AsyncSession, complaint_id: str | uuid.UUID) -> dict[str, Any]:
    row = await db.scalar(
        select(ComplaintFacts)
        .where(ComplaintFacts.complaint_id == uuid.UUID(str(complaint_id)))
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return {c: getattr(row, c) for c in COLUMNS - {"id", "recorded_at", "complaint_id"}}


def common(**expected: Any) -> dict[str, Any]:
    today = local_today()
    base: dict[str, Any] = {
        "received_year": 2026,
        "received_quarter": 1,
        "closed_on": today,
        "categories": ["comments", "verbal_abuse"],
        "grounds": ["age"],
        "recommendation_kinds": [],
        "deadlines": {},
        "unit_id": None,
    }
    base.update(expected)
    base["durations"] = {"received_to_closed": (today - RECEIVED).days, **base.get("durations", {})}
    return base


async def post(client: httpx.AsyncClient, case: Case, path: str, etag: str, **body: Any) -> str:
    response = await client.post(
        case.url(path), json=body or None, headers=with_etag(case.headers, etag)
    )
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


async def redirected(db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient) -> Case:
    """Workplace harassment: redirected (1.3) as it is taken in."""
    return await new_case(
        db, passwords, client, setting="workplace", redirected_to="grievance_procedure"
    )


class TestFactsAtClosure:
    @pytest.mark.clause("6")
    @pytest.mark.clause("5.1")
    async def test_redirected(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await redirected(db, passwords, client)
        assert await facts_of(db, case.id) == common(
            record_class="redirected", stage_reached="intake", outcome="redirected"
        )

    @pytest.mark.clause("6")
    async def test_withdrawn_at_the_letter(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        chosen = RECEIVED + timedelta(days=4)
        etag = await post(
            client,
            case,
            "formal-route",
            case.etag,
            route="local_500_procedure",
            chosen_on=chosen.isoformat(),
        )
        await post(client, case, "withdraw", etag)
        # The officers' notice was still owed: withdrawing cancelled it.
        assert await facts_of(db, case.id) == common(
            record_class="withdrawn",
            stage_reached="letter",
            outcome="withdrawn",
            deadlines={"table_officer_notice": "cancelled"},
            durations={"received_to_route": 4},
        )

    @pytest.mark.clause("6")
    async def test_resolved_informally(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, etag = await with_attempt(db, passwords, client, outcome="resolved")
        await post(client, case, "resolve-informally", etag)
        assert await facts_of(db, case.id) == common(
            record_class="informal", stage_reached="informal", outcome="resolved_informally"
        )

    @pytest.mark.clause("6")
    async def test_referred_to_a_charge(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        await post(
            client,
            case,
            "formal-route",
            case.etag,
            route="cupe_constitutional_charge",
            chosen_on=RECEIVED.isoformat(),
        )
        assert await facts_of(db, case.id) == common(
            record_class="formal",
            stage_reached="intake",
            outcome="referred_to_charge",
            durations={"received_to_route": 0},
        )

    @pytest.mark.clause("6")
    @pytest.mark.parametrize(
        ("found", "outcome", "kinds"),
        [(True, "harassment_found", ["apology"]), (False, "dismissed", [])],
        ids=["harassment-found", "dismissed"],
    )
    async def test_after_the_crc(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        found: bool,
        outcome: str,
        kinds: list[str],
    ) -> None:
        case = await at_closed(client, db, passwords, settings, found=found)
        struck, today = case.struck_on, local_today()
        route = struck - timedelta(days=7)  # at_investigation's dates
        assert await facts_of(db, case.id) == common(
            record_class="formal",
            stage_reached="conclusions",
            outcome=outcome,
            recommendation_kinds=kinds,
            deadlines={"written_response": "met", "crc_report": "met"},
            durations={
                "received_to_route": (route - RECEIVED).days,
                "route_to_response": 4,
                "route_to_committee": 7,
                "committee_to_findings": (today - struck).days,
                "findings_to_closed": 0,
            },
        )

    @pytest.mark.clause("5.1")
    async def test_the_unit_only_when_it_is_large_enough(
        self, db: AsyncSession, passwords: Passwords, database_url: str
    ) -> None:
        # new_case's Unit has three members: the complainant, the other party, a witness.
        for threshold, kept in ((3, True), (4, False)):
            async with client_with(database_url, facts_unit_min_members=threshold) as other:
                case = await redirected(db, passwords, other)
            recorded = (await facts_of(db, case.id))["unit_id"]
            assert recorded == (case.complainant.unit_id if kept else None)

    @pytest.mark.clause("5.1")
    async def test_nothing_in_them_names_anyone(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        assert {c.key for c in inspect(ComplaintFacts).columns} == COLUMNS
        case = await redirected(db, passwords, client)
        text = repr(await facts_of(db, case.id))
        for secret in (
            case.complainant.full_name,
            case.other_party.full_name,
            case.witness.full_name,
            str(case.complainant.id),
            "Demeaning comments",
            "Union hall",
            "An apology",
        ):
            assert secret not in text


class TestBackfill:
    @pytest.mark.clause("5.1")
    async def test_writes_what_is_missing_once(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        closed = await new_case(db, passwords, client)
        still_open = await new_case(db, passwords, client)
        await post(client, closed, "withdraw", closed.etag)
        written_at_closure = await facts_of(db, closed.id)
        await db.execute(delete(ComplaintFacts))
        await db.commit()
        db.info[facts.UNIT_MIN_MEMBERS_KEY] = 50
        assert await facts.backfill(db) == 1
        await db.commit()
        assert await facts_of(db, closed.id) == written_at_closure
        assert await facts.backfill(db) == 0
        ids = set(await db.scalars(select(ComplaintFacts.complaint_id)))
        assert ids == {uuid.UUID(closed.id)}
        assert uuid.UUID(still_open.id) not in ids

    @pytest.mark.clause("5.1")
    async def test_the_command_backfills_with_the_units_threshold(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        case = await redirected(db, passwords, client)
        await db.execute(delete(ComplaintFacts))
        await db.commit()
        for threshold, written in ((3, 1), (3, 0)):
            command = settings.model_copy(update={"facts_unit_min_members": threshold})
            assert await cli._backfill_facts(command) == 0
            assert capsys.readouterr().out == f"coded facts written: {written}\n"
        assert await facts_of(db, case.id) == common(
            record_class="redirected",
            stage_reached="intake",
            outcome="redirected",
            unit_id=case.complainant.unit_id,
        )
