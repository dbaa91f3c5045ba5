"""Closing the complaint after its conclusions: dismissed or concluded (4.3.1(viii), (ix))."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import DeadlineKind, DeadlineStatus, Stage
from ombuds.settings import Settings
from tests.factories.investigation import (
    Actor,
    Case,
    at_investigation,
    disclose,
    record_entry,
    record_findings,
    tell,
    tell_owed_notices,
    today,
    told_both,
)
from tests.investigation.support import audited, problem, state


class TestClose:
    @pytest.mark.clause("4.3.1(viii)")
    async def test_a_finding_of_harassment_closes_as_concluded_and_owes_nothing_more(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        found: Case,
    ) -> None:
        await disclose(client, found)
        await told_both(client, found)
        await tell_owed_notices(client, found)
        member = found.crc[1]
        response = await client.post(f"{found.url}/close", headers=found.change(member))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["stage"], body["closure"], body["closed_on"]) == (
            "closed",
            "concluded",
            today(),
        )
        saved = await state(db, found.id)
        # Met deadlines stay met: only what is still owed is cancelled by closing.
        assert dict((k, s) for k, s, _ in saved["deadlines"]) == {
            DeadlineKind.crc_report: DeadlineStatus.met,
            DeadlineKind.written_response: DeadlineStatus.met,
        }
        assert await audited(db, "investigation.close", member.user.id) == 1

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_response_that_lapsed_at_the_findings_stays_lapsed_not_cancelled(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        struck_on = local_today() - timedelta(days=30)
        case = await at_investigation(
            client, db, passwords, settings, struck_on=struck_on, response="asked"
        )
        await record_entry(client, case)
        await record_findings(client, case, finding="harassment_not_found")
        await told_both(client, case)
        await tell_owed_notices(client, case)
        response = case.took(
            await client.post(f"{case.url}/close", headers=case.change(case.crc[0]))
        )
        assert response.status_code == 200, response.text
        saved = await state(db, case.id)
        assert {k: (s, on) for k, s, on in saved["deadlines"]} == {
            DeadlineKind.crc_report: (DeadlineStatus.met, local_today()),
            DeadlineKind.written_response: (DeadlineStatus.lapsed, None),
        }

    @pytest.mark.clause("4.3.1(viii)")
    async def test_no_harassment_found_closes_as_dismissed(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case
    ) -> None:
        await told_both(client, dismissed)
        await tell_owed_notices(client, dismissed)
        response = await client.post(
            f"{dismissed.url}/close", headers=dismissed.change(dismissed.crc[0])
        )
        assert response.status_code == 200, response.text
        assert (response.json()["stage"], response.json()["closure"]) == ("closed", "dismissed")
        assert (await state(db, dismissed.id))["stage"] is Stage.closed

    @pytest.mark.clause("4.3.1(ix)")
    async def test_closing_before_both_parties_were_told_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case
    ) -> None:
        before = await state(db, dismissed.id)
        response = await client.post(
            f"{dismissed.url}/close", headers=dismissed.change(dismissed.crc[0])
        )
        body = problem(response, 409, "complainant_told_conclusions_on", "told")
        assert ("other_party_told_conclusions_on", "told") in {
            (e["field"], e["rule"]) for e in body["errors"]
        }
        assert await state(db, dismissed.id) == before
        await tell(client, dismissed, "complainant")
        before = await state(db, dismissed.id)
        response = await client.post(
            f"{dismissed.url}/close", headers=dismissed.change(dismissed.crc[0])
        )
        body = problem(response, 409, "other_party_told_conclusions_on", "told")
        assert len(body["errors"]) == 1
        assert await state(db, dismissed.id) == before

    @pytest.mark.clause("5.1")
    @pytest.mark.clause("4.3.1(viii)")
    async def test_closing_before_the_recommendations_were_disclosed_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await told_both(client, found)
        before = await state(db, found.id)
        response = await client.post(f"{found.url}/close", headers=found.change(found.crc[0]))
        problem(response, 409, "recommendations", "recommendations_disclosed")
        assert await state(db, found.id) == before

    async def test_closing_during_the_investigation_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        response = await client.post(f"{case.url}/close", headers=case.change(case.crc[0]))
        assert problem(response, 409)["stage"] == "investigation"
        assert await state(db, case.id) == before

    async def test_who_may_not_close_and_a_stale_version(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case, outsider: Actor
    ) -> None:
        await told_both(client, dismissed)
        url = f"{dismissed.url}/close"
        before = await state(db, dismissed.id)
        problem(await client.post(url, headers={"If-Match": dismissed.etag}), 401)
        problem(await client.post(url, headers=dismissed.change(dismissed.officer)), 403)
        for actor in (dismissed.intake, dismissed.staff):
            problem(
                await client.post(url, headers=dismissed.change(actor)), 403, "caller", "crc_member"
            )
        problem(await client.post(url, headers=dismissed.change(outsider)), 404)
        problem(await client.post(url, headers=dismissed.crc[0].headers), 428)
        stale = dismissed.stale_change(dismissed.crc[0])
        problem(await client.post(url, headers=stale), 412)
        assert await state(db, dismissed.id) == before
