"""What each party sees of their complaint in the portal, in their part's schema
(issue 16, item 2; 4.3.1(ii), (vii), (ix); 5.1)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import AuditEntry, NoticeMethod, PartyNotice
from ombuds.settings import Settings
from tests.factories.investigation import (
    add_recommendation,
    record_entry,
    record_findings,
    refresh_etag,
    tell,
)
from tests.portal.parties import ROLES, canaries_in, portal_case, view

COMMON = {"party", "reference", "read_only"}
FIELDS = {
    "complainant": COMMON | {"stage", "next_step", "notices", "conclusions", "not_satisfied_on"},
    "other_party": COMMON | {"stage", "next_step", "due_on", "notices", "response", "conclusions"},
    "witness": COMMON | {"crc_asks_to_speak", "availability", "availability_given_at"},
}
NOTICE_FIELDS = {"id", "stage", "owed_since", "told_on", "method"}
RESPONSE_FIELDS = {"asked_on", "due_on", "received_on", "late"}
CONCLUSION_FIELDS = {"finding", "told_on", "recommendations"}


@pytest.mark.clause("4.3.1(vii)")
class TestEachPartysSchema:
    async def test_each_part_sees_exactly_its_own_fields(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(
            client, db, passwords, settings, struck_on=local_today() - timedelta(days=1)
        )
        due = local_today() - timedelta(days=6) + timedelta(days=settings.response_period_days)
        seen = {role: await view(client, pc[role]) for role in ROLES}
        for role in ROLES:
            assert set(seen[role]) == FIELDS[role], role
            assert seen[role]["party"] == role
            assert seen[role]["read_only"] is False
        complainant, other, witness = (seen[r] for r in ROLES)
        assert complainant["stage"] == "committee_looking_into_it"
        assert complainant["next_step"] == "committee_looks_into_it"
        assert complainant["conclusions"] is None
        assert complainant["not_satisfied_on"] is None
        assert [(n["stage"], n["told_on"], n["method"]) for n in complainant["notices"]] == [
            ("committee_looking_into_it", None, None)
        ]
        assert set(complainant["notices"][0]) == NOTICE_FIELDS
        # The other party: their own deadline, and nothing of anyone else's.
        assert other["stage"] == "committee_looking_into_it"
        assert other["next_step"] == "respond_in_writing"
        assert set(other["response"]) == RESPONSE_FIELDS
        asked_on = (local_today() - timedelta(days=6)).isoformat()
        assert other["response"]["asked_on"] == asked_on
        assert other["response"]["received_on"] is None
        assert other["response"]["late"] is None
        assert other["due_on"] == other["response"]["due_on"]
        assert other["due_on"] >= due.isoformat()  # moved past a weekend or holiday, or not
        # A witness: that the CRC asks to speak with them; no stage, no notices.
        assert witness["crc_asks_to_speak"] is True
        assert witness["availability"] is None
        # One complaint, the same reference for each.
        assert complainant["reference"] == other["reference"] == witness["reference"]

    async def test_each_read_is_audited_as_the_party(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings, roles=("witness",))
        await view(client, pc["witness"])
        entries = (
            await db.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "portal.read_complaint",
                    AuditEntry.object_id == str(pc.case.id),
                )
            )
        ).all()
        assert [e.actor_kind for e in entries] == ["party"]


@pytest.mark.clause("5.1")
class TestNoNamesLeak:
    async def test_no_planted_name_reaches_any_party(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings)
        texts = []
        for role in ROLES:
            texts.append((role, (await client.get("/api/portal/complaint", headers=pc[role])).text))
        r = await client.post(
            "/api/portal/response", json={"text": "I was not there."}, headers=pc["other_party"]
        )
        assert r.status_code == 200, r.text
        texts.append(("other_party", r.text))
        r = await client.post(
            "/api/portal/availability", json={"availability": "Evenings"}, headers=pc["witness"]
        )
        assert r.status_code == 200, r.text
        texts.append(("witness", r.text))
        # The conclusions, told in order, with a recommendation naming the other party.
        case = pc.case
        await refresh_etag(db, case)
        await record_entry(client, case)
        await record_findings(client, case)
        await add_recommendation(client, case, text="An apology from Bartholomew Okonkwo-Vance.")
        await tell(client, case, "complainant")
        await tell(client, case, "other_party")
        for role in ROLES:
            texts.append((role, (await client.get("/api/portal/complaint", headers=pc[role])).text))
        r = await client.post("/api/portal/not-satisfied", headers=pc["complainant"])
        assert r.status_code == 200, r.text
        texts.append(("complainant", r.text))
        assert {role: canaries_in(text) for role, text in texts if canaries_in(text)} == {}
        # The scan itself finds a planted name where one is.
        assert canaries_in("to Ottoline, about it") == ["Ottoline Marchbanks"]


@pytest.mark.clause("4.3.1(ix)")
class TestConclusionsInOrder:
    async def test_the_complainant_sees_them_first_then_the_other_party(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(
            client,
            db,
            passwords,
            settings,
            response="responded",
            roles=("complainant", "other_party"),
        )
        case = pc.case
        await record_entry(client, case)
        await record_findings(client, case)
        await add_recommendation(client, case, kind="apology")
        await add_recommendation(client, case, kind="training_or_education")
        # Findings recorded, nobody told: neither party learns there are conclusions.
        for role in ("complainant", "other_party"):
            seen = await view(client, pc[role])
            assert seen["stage"] == "committee_looking_into_it", role
            assert seen["conclusions"] is None
            assert {n["stage"] for n in seen["notices"]} == {"committee_looking_into_it"}
        # "In the portal" is the party's own record of reading a notice, never the CRC's.
        r = await client.post(
            f"{case.url}/conclusions/told",
            json={"party": "complainant", "told_on": local_today().isoformat(), "method": "portal"},
            headers=case.change(case.crc[0]),
        )
        assert r.status_code == 422, r.text
        assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("method", "not_portal")]
        await tell(client, case, "complainant")
        complainant = await view(client, pc["complainant"])
        assert complainant["stage"] == "conclusions"
        assert complainant["next_step"] == "you_may_say_not_satisfied"
        assert set(complainant["conclusions"]) == CONCLUSION_FIELDS
        assert complainant["conclusions"] == {
            "finding": "harassment_found",
            "told_on": local_today().isoformat(),
            "recommendations": ["apology", "training_or_education"],
        }
        told = [n for n in complainant["notices"] if n["stage"] == "conclusions"]
        assert [(n["told_on"], n["method"]) for n in told] == [
            (local_today().isoformat(), "in_person")
        ]
        other = await view(client, pc["other_party"])
        assert other["stage"] == "committee_looking_into_it"
        assert other["conclusions"] is None
        assert "conclusions" not in {n["stage"] for n in other["notices"]}
        await tell(client, case, "other_party")
        other = await view(client, pc["other_party"])
        assert other["stage"] == "conclusions"
        assert other["next_step"] == "nothing_further"
        assert other["conclusions"]["finding"] == "harassment_found"
        assert other["conclusions"]["recommendations"] == ["apology", "training_or_education"]


@pytest.mark.clause("4.3.1(vii)")
class TestReadingANotice:
    async def test_reading_it_records_it_as_told_in_the_portal_once(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings, roles=("complainant",))
        notice = (await view(client, pc["complainant"]))["notices"][0]
        r = await client.post(f"/api/portal/notices/{notice['id']}/read", headers=pc["complainant"])
        assert r.status_code == 200, r.text
        today = local_today().isoformat()
        assert r.json() == {**notice, "told_on": today, "method": "portal"}
        row = await db.scalar(
            select(PartyNotice)
            .where(PartyNotice.id == uuid.UUID(notice["id"]))
            .execution_options(populate_existing=True)
        )
        assert row is not None and row.told_on == local_today()
        assert row.method is NoticeMethod.portal
        staff = await client.get(f"{pc.case.url}/party-notices", headers=pc.case.intake.headers)
        listed = {n["id"]: n for n in staff.json()}[notice["id"]]
        assert (listed["told_on"], listed["method"], listed["owed"]) == (today, "portal", False)
        timeline = await client.get(f"{pc.case.url}/timeline", headers=pc.case.intake.headers)
        assert timeline.status_code == 200, timeline.text
        told_events = [e for e in timeline.json() if e["kind"] == "party_notice.told"]
        assert len(told_events) == 1
        audits = (
            await db.scalars(
                select(AuditEntry.actor_kind).where(
                    AuditEntry.action == "investigation.record_party_told",
                    AuditEntry.object_id == notice["id"],
                )
            )
        ).all()
        assert audits == ["party"]
        # Again: the same answer, nothing recorded twice.
        again = await client.post(
            f"/api/portal/notices/{notice['id']}/read", headers=pc["complainant"]
        )
        assert again.status_code == 200 and again.json() == r.json()
        timeline = await client.get(f"{pc.case.url}/timeline", headers=pc.case.intake.headers)
        assert len([e for e in timeline.json() if e["kind"] == "party_notice.told"]) == 1

    async def test_a_notice_not_theirs_is_not_found(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings)
        others = (await view(client, pc["other_party"]))["notices"][0]
        for role in ("complainant", "witness"):
            r = await client.post(f"/api/portal/notices/{others['id']}/read", headers=pc[role])
            assert r.status_code == 404, (role, r.text)
        assert (await view(client, pc["other_party"]))["notices"][0]["told_on"] is None

    async def test_staff_never_record_the_portal_as_the_method(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings, roles=("complainant",))
        notice = (await view(client, pc["complainant"]))["notices"][0]
        r = await client.post(
            f"{pc.case.url}/party-notices/{notice['id']}/told",
            json={"told_on": local_today().isoformat(), "method": "portal"},
            headers=pc.case.change(pc.case.crc[0]),
        )
        assert r.status_code == 422, r.text
        assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("method", "not_portal")]
        assert (await view(client, pc["complainant"]))["notices"][0]["told_on"] is None
