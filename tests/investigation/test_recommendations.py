"""4.3.1(viii) recommendations, and their disclosure to the table officers (5.1)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import (
    Disclosure,
    DisclosureRecipient,
    OfficerConflict,
    Recommendation,
    Role,
    TimelineEvent,
)
from tests.factories.accounts import make_user
from tests.factories.investigation import (
    Actor,
    Case,
    add_recommendation,
    disclose,
    make_actor,
    record_entry,
)
from tests.investigation.support import audited, problem, state

APOLOGY = {"kind": "apology", "text": "A written apology to the member-complainant."}


class TestAddRecommendation:
    @pytest.mark.clause("4.3.1(viii)")
    @pytest.mark.parametrize("kind", ["apology", "counselling", "training_or_education", "other"])
    async def test_the_crc_recommends_after_finding_harassment(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case, kind: str
    ) -> None:
        member = found.crc[1]
        response = await client.post(
            f"{found.url}/recommendations",
            headers=found.change(member),
            json={"kind": kind, "text": "Respectful conduct training."},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["kind"], body["status"], body["disclosure_id"]) == (kind, "pending", None)
        assert response.headers["ETag"] != found.etag
        assert len((await state(db, found.id))["recommendations"]) == 2
        assert await audited(db, "investigation.add_recommendation", member.user.id) == 1

    @pytest.mark.clause("4.3.1(viii)")
    async def test_a_dismissed_complaint_takes_no_recommendation(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case
    ) -> None:
        before = await state(db, dismissed.id)
        response = await client.post(
            f"{dismissed.url}/recommendations",
            headers=dismissed.change(dismissed.crc[0]),
            json=APOLOGY,
        )
        body = problem(response, 409, "finding", "harassment_found")
        assert "dismissed" in body["detail"]
        assert await state(db, dismissed.id) == before

    @pytest.mark.clause("4.3.1(viii)")
    async def test_no_recommendation_before_the_findings(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/recommendations", headers=case.change(case.crc[0]), json=APOLOGY
        )
        assert problem(response, 409)["stage"] == "investigation"
        assert await state(db, case.id) == before

    async def test_who_may_not_recommend(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case, outsider: Actor
    ) -> None:
        before = await state(db, found.id)
        url = f"{found.url}/recommendations"
        problem(await client.post(url, headers={"If-Match": found.etag}, json=APOLOGY), 401)
        problem(await client.post(url, headers=found.change(found.officer), json=APOLOGY), 403)
        for actor in (found.intake, found.staff):
            response = await client.post(url, headers=found.change(actor), json=APOLOGY)
            problem(response, 403, "caller", "crc_member")
        problem(await client.post(url, headers=found.change(outsider), json=APOLOGY), 404)
        assert await state(db, found.id) == before

    async def test_an_unknown_kind_or_a_stale_version_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        before = await state(db, found.id)
        url = f"{found.url}/recommendations"
        response = await client.post(
            url, headers=found.change(found.crc[0]), json={"kind": "fine", "text": "Pay"}
        )
        problem(response, 422, "kind", "enum")
        stale = found.stale_change(found.crc[0])
        problem(await client.post(url, headers=stale, json=APOLOGY), 412)
        assert await state(db, found.id) == before


class TestListRecommendations:
    @pytest.mark.clause("5.1")
    async def test_case_workers_read_them_and_each_read_is_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await add_recommendation(client, found, kind="counselling", text="Counselling.")
        for reader in (found.intake, found.crc[0], found.staff):
            response = await client.get(f"{found.url}/recommendations", headers=reader.headers)
            assert response.status_code == 200, response.text
            assert [r["kind"] for r in response.json()] == ["apology", "counselling"]
            assert await audited(db, "investigation.read_recommendations", reader.user.id) == 1

    async def test_who_may_not_read(
        self, client: httpx.AsyncClient, found: Case, outsider: Actor
    ) -> None:
        url = f"{found.url}/recommendations"
        problem(await client.get(url), 401)
        problem(await client.get(url, headers=found.officer.headers), 403)
        response = await client.get(url, headers=outsider.headers)
        problem(response, 404)
        assert "apology" not in response.text


async def _recipients(db: AsyncSession, disclosure_id: str) -> set[uuid.UUID | None]:
    rows = await db.scalars(
        select(DisclosureRecipient.user_id).where(
            DisclosureRecipient.disclosure_id == uuid.UUID(disclosure_id)
        )
    )
    return set(rows.all())


class TestDiscloseRecommendations:
    @pytest.mark.clause("4.3.1(viii)")
    @pytest.mark.clause("5.1")
    async def test_the_recommendations_go_to_the_table_officers_in_a_recorded_disclosure(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await add_recommendation(client, found, kind="training_or_education", text="Training.")
        member = found.crc[0]
        response = await client.post(
            f"{found.url}/recommendations/disclose",
            headers=found.change(member),
            json={"reason": "The table officers implement the recommendations."},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["purpose"] == "corrective_action"
        assert body["reason"] == "The table officers implement the recommendations."
        assert body["content"] == "A written apology to the member-complainant.\n\nTraining."
        assert body["disclosed_by"] == str(member.user.id)
        officer = found.officer.user
        assert body["recipients"] == [
            {"user_id": str(officer.id), "recipient": f"table officer {officer.username}"}
        ]
        saved = await state(db, found.id)
        assert {r[1] for r in saved["recommendations"]} == {uuid.UUID(body["id"])}
        assert (saved["disclosures"], saved["recipients"]) == (1, 1)
        events = (
            await db.scalars(
                select(TimelineEvent.kind).where(TimelineEvent.complaint_id == found.id)
            )
        ).all()
        assert "recommendations.disclosed" in events
        assert await audited(db, "investigation.disclose_recommendations", member.user.id) == 1

    @pytest.mark.clause("4.3.1(iv)")
    @pytest.mark.clause("5.1")
    async def test_recused_and_inactive_officers_receive_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, found: Case
    ) -> None:
        party = await make_user(db, passwords, Role.table_officer, member=found.other_party)
        declared = await make_user(db, passwords, Role.table_officer)
        db.add(OfficerConflict(complaint_id=found.id, user_id=declared.id))
        await db.commit()
        await make_user(db, passwords, Role.table_officer, active=False)
        second = await make_user(db, passwords, Role.table_officer)
        body = await disclose(client, found)
        received = {r["user_id"] for r in body["recipients"]}
        assert received == {str(found.officer.user.id), str(second.id)}
        assert str(party.id) not in received and str(declared.id) not in received
        assert await _recipients(db, body["id"]) == {found.officer.user.id, second.id}

    @pytest.mark.clause("5.1")
    async def test_a_later_disclosure_carries_only_the_new_recommendations(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        first = await disclose(client, found)
        await add_recommendation(client, found, kind="counselling", text="Counselling.")
        second = await disclose(client, found)
        assert (first["content"], second["content"]) == (
            "A written apology to the member-complainant.",
            "Counselling.",
        )
        rows = (
            await db.execute(
                select(Recommendation.kind, Recommendation.disclosure_id)
                .where(Recommendation.complaint_id == found.id)
                .order_by(Recommendation.created_at)
            )
        ).all()
        assert [(k, str(d)) for k, d in rows] == [
            ("apology", first["id"]),
            ("counselling", second["id"]),
        ]

    @pytest.mark.clause("5.1")
    async def test_nothing_left_to_disclose_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await disclose(client, found)
        before = await state(db, found.id)
        response = await client.post(
            f"{found.url}/recommendations/disclose",
            headers=found.change(found.crc[0]),
            json={"reason": "Again"},
        )
        problem(response, 409, "recommendations", "undisclosed_recommendations")
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(iv)")
    async def test_no_disclosure_when_every_officer_is_recused(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        db.add(OfficerConflict(complaint_id=found.id, user_id=found.officer.user.id))
        await db.commit()
        before = await state(db, found.id)
        response = await client.post(
            f"{found.url}/recommendations/disclose",
            headers=found.change(found.crc[0]),
            json={"reason": "Corrective action"},
        )
        problem(response, 409, "recipients", "unrecused_table_officer")
        assert await state(db, found.id) == before
        assert await db.scalar(select(Disclosure.id)) is None

    @pytest.mark.clause("5.1")
    async def test_a_disclosure_states_its_reason(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        before = await state(db, found.id)
        for body in ({}, {"reason": ""}):
            response = await client.post(
                f"{found.url}/recommendations/disclose",
                headers=found.change(found.crc[0]),
                json=body,
            )
            problem(response, 422)
            assert response.json()["errors"][0]["field"] == "reason"
        assert await state(db, found.id) == before

    @pytest.mark.clause("5.1")
    async def test_who_may_not_disclose(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        found: Case,
        outsider: Actor,
    ) -> None:
        before = await state(db, found.id)
        url = f"{found.url}/recommendations/disclose"
        reason = {"reason": "Corrective action"}
        problem(await client.post(url, headers={"If-Match": found.etag}, json=reason), 401)
        officer = await make_actor(db, passwords, client, Role.table_officer)
        problem(await client.post(url, headers=found.change(officer), json=reason), 403)
        for actor in (found.intake, found.staff):
            response = await client.post(url, headers=found.change(actor), json=reason)
            problem(response, 403, "caller", "crc_member")
        problem(await client.post(url, headers=found.change(outsider), json=reason), 404)
        stale = found.stale_change(found.crc[0])
        problem(await client.post(url, headers=stale, json=reason), 412)
        assert await state(db, found.id) == before
