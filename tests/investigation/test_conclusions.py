"""4.3.1(ix): the member-complainant is told the conclusions first, then the other party."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import PartyNotice, Stage
from ombuds.settings import Settings
from tests.factories.investigation import (
    Actor,
    Case,
    at_conclusions,
    record_entry,
    tell,
    today,
    told_both,
)
from tests.investigation.support import audited, problem, state


def day(offset: int) -> str:
    return (local_today() + timedelta(days=offset)).isoformat()


def told(party: str, **overrides: str) -> dict[str, Any]:
    body = {"party": party, "told_on": today(), "method": "in_person"}
    body.update(overrides)
    return body


class TestTellConclusions:
    @pytest.mark.clause("4.3.1(ix)")
    @pytest.mark.clause("4.3.1(vii)")
    async def test_the_complainant_is_told_first_then_the_other_party(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        member = found.crc[2]
        first = found.took(
            await client.post(
                f"{found.url}/conclusions/told",
                headers=found.change(member),
                json=told("complainant", method="phone"),
            )
        )
        assert first.status_code == 200, first.text
        assert first.json()["complainant_told_conclusions_on"] == today()
        assert first.json()["other_party_told_conclusions_on"] is None
        second = await tell(client, found, "other_party", method="letter")
        assert second["other_party_told_conclusions_on"] == today()
        # Telling the conclusions is also the notice of the conclusions stage.
        rows = (
            await db.execute(
                select(PartyNotice.party, PartyNotice.told_on, PartyNotice.method)
                .where(PartyNotice.complaint_id == found.id, PartyNotice.stage == Stage.conclusions)
                .order_by(PartyNotice.party)
                .execution_options(populate_existing=True)
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            ("complainant", local_today(), "phone"),
            ("other_party", local_today(), "letter"),
        ]
        assert await audited(db, "investigation.tell_conclusions", found.crc[0].user.id) == 1
        assert await audited(db, "investigation.tell_conclusions", member.user.id) == 1

    @pytest.mark.clause("4.3.1(ix)")
    async def test_telling_the_other_party_first_is_refused_and_nothing_changes(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        before = await state(db, found.id)
        response = await client.post(
            f"{found.url}/conclusions/told",
            headers=found.change(found.crc[0]),
            json=told("other_party"),
        )
        body = problem(response, 409, "party", "complainant_first")
        assert "first" in body["detail"]
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(ix)")
    async def test_the_other_party_is_not_told_before_the_complainants_day(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await tell(client, found, "complainant")
        before = await state(db, found.id)
        response = await client.post(
            f"{found.url}/conclusions/told",
            headers=found.change(found.crc[0]),
            json=told("other_party", told_on=day(-1)),
        )
        problem(response, 422, "told_on", "not_before_complainant")
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(ix)")
    async def test_each_party_is_told_once(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await told_both(client, found)
        before = await state(db, found.id)
        for party in ("complainant", "other_party"):
            response = await client.post(
                f"{found.url}/conclusions/told",
                headers=found.change(found.crc[0]),
                json=told(party),
            )
            problem(response, 409, "party", "already_told")
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(viii)")
    async def test_a_finding_of_harassment_is_told_with_its_recommendations(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        bare = await at_conclusions(client, db, passwords, settings, recommendations=0)
        before = await state(db, bare.id)
        response = await client.post(
            f"{bare.url}/conclusions/told",
            headers=bare.change(bare.crc[0]),
            json=told("complainant"),
        )
        problem(response, 409, "recommendations", "recommendations_made")
        assert await state(db, bare.id) == before

    @pytest.mark.clause("4.3.1(ix)")
    @pytest.mark.parametrize(
        ("offset", "rule"), [(1, "not_in_future"), (-1, "on_or_after_findings")]
    )
    async def test_the_day_of_telling_is_checked(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case, offset: int, rule: str
    ) -> None:
        before = await state(db, dismissed.id)
        response = await client.post(
            f"{dismissed.url}/conclusions/told",
            headers=dismissed.change(dismissed.crc[0]),
            json=told("complainant", told_on=day(offset)),
        )
        problem(response, 422, "told_on", rule)
        assert await state(db, dismissed.id) == before

    @pytest.mark.clause("4.3.1(ix)")
    async def test_witnesses_are_not_told_the_conclusions(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case
    ) -> None:
        before = await state(db, dismissed.id)
        response = await client.post(
            f"{dismissed.url}/conclusions/told",
            headers=dismissed.change(dismissed.crc[0]),
            json=told("witness"),
        )
        problem(response, 422, "party", "enum")
        assert await state(db, dismissed.id) == before

    @pytest.mark.clause("4.3.1(ix)")
    async def test_no_conclusions_before_the_findings(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/conclusions/told",
            headers=case.change(case.crc[0]),
            json=told("complainant"),
        )
        assert problem(response, 409)["stage"] == "investigation"
        assert await state(db, case.id) == before

    async def test_who_may_not_tell_and_a_stale_version(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case, outsider: Actor
    ) -> None:
        url = f"{dismissed.url}/conclusions/told"
        body = told("complainant")
        before = await state(db, dismissed.id)
        problem(await client.post(url, headers={"If-Match": dismissed.etag}, json=body), 401)
        problem(await client.post(url, headers=dismissed.change(dismissed.officer), json=body), 403)
        for actor in (dismissed.intake, dismissed.staff):
            response = await client.post(url, headers=dismissed.change(actor), json=body)
            problem(response, 403, "caller", "crc_member")
        problem(await client.post(url, headers=dismissed.change(outsider), json=body), 404)
        stale = dismissed.stale_change(dismissed.crc[0])
        problem(await client.post(url, headers=stale, json=body), 412)
        assert await state(db, dismissed.id) == before
