"""Table officers receive the recommendations disclosed to them (5.1) and track each one
until it is implemented (4.3.1(viii)); they never learn the complaint's details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import OfficerConflict, Role, TimelineEvent
from ombuds.settings import Settings
from tests.factories.investigation import (
    Actor,
    Case,
    add_recommendation,
    at_closed,
    disclose,
    make_actor,
    refresh_etag,
    today,
)
from tests.investigation.support import audited, problem, state

OFFICER_FIELDS = {"id", "kind", "text", "status", "status_on", "status_note", "disclosed_at"}


def implemented(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "implemented", "status_on": today()}
    body.update(overrides)
    return body


class TestOfficerRecommendations:
    @pytest.mark.clause("5.1")
    @pytest.mark.clause("4.3.1(iv)")
    async def test_a_recipient_sees_what_was_disclosed_to_them_and_nothing_else(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        disclosure = await disclose(client, found)
        await add_recommendation(client, found, kind="counselling", text="Counselling.")
        response = await client.get(
            f"{found.status_url}/recommendations", headers=found.officer.headers
        )
        assert response.status_code == 200, response.text
        [item] = response.json()  # the undisclosed counselling is not there
        assert set(item) == OFFICER_FIELDS
        assert (item["kind"], item["text"], item["status"]) == (
            "apology",
            "A written apology to the member-complainant.",
            "pending",
        )
        assert item["disclosed_at"] == disclosure["disclosed_at"]
        text = response.text
        for secret in (
            "demeaning",  # findings_text
            found.complainant.full_name,
            found.other_party.full_name,
            "Union hall",
            str(found.unit.id),
        ):
            assert secret not in text
        assert response.headers["ETag"] == found.etag
        assert await audited(db, "recommendations.read_for_officer", found.officer.user.id) == 1

    @pytest.mark.clause("5.1")
    async def test_an_officer_who_was_not_a_recipient_sees_none(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, found: Case
    ) -> None:
        await disclose(client, found)
        later = await make_actor(db, passwords, client, Role.table_officer)
        response = await client.get(f"{found.status_url}/recommendations", headers=later.headers)
        assert response.status_code == 200
        assert response.json() == []

    @pytest.mark.clause("4.3.1(iv)")
    async def test_a_recipient_who_becomes_recused_sees_nothing_at_all(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await disclose(client, found)
        db.add(OfficerConflict(complaint_id=found.id, user_id=found.officer.user.id))
        await db.commit()
        response = await client.get(
            f"{found.status_url}/recommendations", headers=found.officer.headers
        )
        problem(response, 404)
        assert "apology" not in response.text

    @pytest.mark.clause("4.3.1(iv)")
    async def test_an_officer_who_is_a_party_sees_nothing_at_all(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, found: Case
    ) -> None:
        party = await make_actor(
            db, passwords, client, Role.table_officer, member=found.complainant
        )
        await disclose(client, found)
        response = await client.get(f"{found.status_url}/recommendations", headers=party.headers)
        problem(response, 404)

    async def test_case_workers_and_anonymous_callers_use_other_routes(
        self, client: httpx.AsyncClient, found: Case, admin: Actor
    ) -> None:
        await disclose(client, found)
        url = f"{found.status_url}/recommendations"
        problem(await client.get(url), 401)
        for actor in (found.crc[0], found.intake, found.staff, admin):
            problem(await client.get(url, headers=actor.headers), 403)


class TestSetRecommendationStatus:
    async def _disclosed(self, client: httpx.AsyncClient, found: Case) -> str:
        await disclose(client, found)
        response = await client.get(
            f"{found.status_url}/recommendations", headers=found.officer.headers
        )
        found.took(response)
        recommendation_id: str = response.json()[0]["id"]
        return recommendation_id

    @pytest.mark.clause("4.3.1(viii)")
    async def test_a_recipient_records_the_recommendation_implemented(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        rec = await self._disclosed(client, found)
        response = await client.post(
            f"{found.status_url}/recommendations/{rec}/status",
            headers=found.change(found.officer),
            json=implemented(status_note="Apology delivered in writing."),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == OFFICER_FIELDS
        assert (body["status"], body["status_on"], body["status_note"]) == (
            "implemented",
            today(),
            "Apology delivered in writing.",
        )
        assert response.headers["ETag"] != found.etag
        [saved] = (await state(db, found.id))["recommendations"]
        assert saved[2:] == ("implemented", local_today(), "Apology delivered in writing.")
        last = await db.scalar(
            select(TimelineEvent)
            .where(TimelineEvent.complaint_id == found.id)
            .order_by(TimelineEvent.at.desc())
        )
        assert last is not None
        assert (last.kind, last.actor_id) == ("recommendation.implemented", found.officer.user.id)
        assert await audited(db, "recommendations.set_status", found.officer.user.id) == 1

    @pytest.mark.clause("4.3.1(viii)")
    async def test_declined_stays_tracked_until_implemented_then_is_final(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        rec = await self._disclosed(client, found)
        url = f"{found.status_url}/recommendations/{rec}/status"
        declined = await client.post(
            url, headers=found.change(found.officer), json=implemented(status="declined")
        )
        assert found.took(declined).json()["status"] == "declined"
        done = await client.post(url, headers=found.change(found.officer), json=implemented())
        assert found.took(done).json()["status"] == "implemented"
        before = await state(db, found.id)
        again = await client.post(
            url, headers=found.change(found.officer), json=implemented(status="declined")
        )
        problem(again, 409, "status", "not_implemented")
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(viii)")
    async def test_tracking_goes_on_after_the_complaint_closes(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        closed = await at_closed(client, db, passwords, settings, found=True)
        listed = closed.took(
            await client.get(f"{closed.status_url}/recommendations", headers=closed.officer.headers)
        )
        rec = listed.json()[0]["id"]
        response = await client.post(
            f"{closed.status_url}/recommendations/{rec}/status",
            headers=closed.change(closed.officer),
            json=implemented(),
        )
        assert response.status_code == 200, response.text
        assert (await state(db, closed.id))["stage"] == "closed"

    @pytest.mark.clause("4.3.1(viii)")
    @pytest.mark.parametrize(
        ("days", "rule"), [(1, "not_in_future"), (-1, "on_or_after_disclosure")]
    )
    async def test_the_date_is_checked(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case, days: int, rule: str
    ) -> None:
        rec = await self._disclosed(client, found)
        before = await state(db, found.id)
        on = (local_today() + timedelta(days=days)).isoformat()
        response = await client.post(
            f"{found.status_url}/recommendations/{rec}/status",
            headers=found.change(found.officer),
            json=implemented(status_on=on),
        )
        problem(response, 422, "status_on", rule)
        assert await state(db, found.id) == before

    async def test_pending_is_not_a_status_an_officer_sets(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        rec = await self._disclosed(client, found)
        before = await state(db, found.id)
        response = await client.post(
            f"{found.status_url}/recommendations/{rec}/status",
            headers=found.change(found.officer),
            json=implemented(status="pending"),
        )
        problem(response, 422, "status", "enum")
        assert await state(db, found.id) == before

    @pytest.mark.clause("5.1")
    async def test_an_officer_who_was_not_a_recipient_cannot_track_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, found: Case
    ) -> None:
        rec = await self._disclosed(client, found)
        later = await make_actor(db, passwords, client, Role.table_officer)
        before = await state(db, found.id)
        response = await client.post(
            f"{found.status_url}/recommendations/{rec}/status",
            headers=found.change(later),
            json=implemented(),
        )
        problem(response, 404)
        assert await state(db, found.id) == before

    @pytest.mark.clause("5.1")
    async def test_an_undisclosed_recommendation_cannot_be_tracked(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await self._disclosed(client, found)
        extra = await add_recommendation(client, found, kind="other", text="Other remedy.")
        before = await state(db, found.id)
        response = await client.post(
            f"{found.status_url}/recommendations/{extra['id']}/status",
            headers=found.change(found.officer),
            json=implemented(),
        )
        problem(response, 404)
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(iv)")
    async def test_a_recused_recipient_cannot_track_it(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        rec = await self._disclosed(client, found)
        db.add(OfficerConflict(complaint_id=found.id, user_id=found.officer.user.id))
        await db.commit()
        await refresh_etag(db, found)
        before = await state(db, found.id)
        response = await client.post(
            f"{found.status_url}/recommendations/{rec}/status",
            headers=found.change(found.officer),
            json=implemented(),
        )
        problem(response, 404)
        assert await state(db, found.id) == before

    async def test_who_may_not_and_a_stale_version(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        rec = await self._disclosed(client, found)
        url = f"{found.status_url}/recommendations/{rec}/status"
        before = await state(db, found.id)
        problem(await client.post(url, headers={"If-Match": found.etag}, json=implemented()), 401)
        for actor in (found.crc[0], found.intake):
            problem(await client.post(url, headers=found.change(actor), json=implemented()), 403)
        problem(await client.post(url, headers=found.officer.headers, json=implemented()), 428)
        stale = found.stale_change(found.officer)
        problem(await client.post(url, headers=stale, json=implemented()), 412)
        assert await state(db, found.id) == before
