"""What a party does in the portal: the other party's written response (4.3.1(ii)), the
member-complainant not satisfied (4.3.1(x)), a witness's availability (4.3.1(vi)); refused
to a read-only party and to another part; a party of one complaint reaches no other."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Notification,
    NotificationKind,
    WitnessAvailability,
)
from ombuds.settings import Settings
from tests.factories.investigation import (
    add_recommendation,
    disclose,
    record_entry,
    record_findings,
    refresh_etag,
    reload,
    tell,
    tell_owed_notices,
)
from tests.portal.parties import portal_case, view

WRITES = [
    ("/api/portal/response", {"text": "I was not there that evening."}),
    ("/api/portal/not-satisfied", None),
    ("/api/portal/availability", {"availability": "Weekday evenings after six."}),
]


async def _notified(
    db: AsyncSession, kind: NotificationKind, complaint_id: uuid.UUID
) -> set[uuid.UUID]:
    rows = await db.scalars(
        select(Notification.user_id).where(
            Notification.kind == kind, Notification.complaint_id == complaint_id
        )
    )
    return set(rows.all())


async def _deadline(db: AsyncSession, complaint_id: uuid.UUID) -> Deadline:
    row = await db.scalar(
        select(Deadline)
        .where(
            Deadline.complaint_id == complaint_id, Deadline.kind == DeadlineKind.written_response
        )
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


@pytest.mark.clause("4.3.1(ii)")
class TestRespondInWriting:
    async def test_before_the_due_date_it_is_met(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(
            client, db, passwords, settings, struck_on=local_today() - timedelta(days=1)
        )
        r = await client.post(
            "/api/portal/response", json={"text": "I was not there."}, headers=pc["other_party"]
        )
        assert r.status_code == 200, r.text
        today = local_today()
        body = r.json()
        assert body["response"]["received_on"] == today.isoformat()
        assert body["response"]["late"] is False
        assert body["next_step"] == "committee_looks_into_it"
        assert body["due_on"] is None
        complaint = await reload(db, pc.case.id)
        assert complaint.response_received_on == today
        assert complaint.response_text == "I was not there."
        deadline = await _deadline(db, pc.case.id)
        assert (deadline.status, deadline.satisfied_on) == (DeadlineStatus.met, today)
        # The same service as the staff's: the handling ombudsperson and the CRC are told.
        told = await _notified(db, NotificationKind.response_recorded, pc.case.id)
        crc = {a.user.id for a in pc.case.crc} | {pc.case.staff.user.id}
        assert told == {pc.case.intake.user.id} | crc
        staff = await client.get(f"{pc.case.url}/response-status", headers=pc.case.intake.headers)
        assert staff.json()["flag"] == "received_on_time"

    async def test_after_the_due_date_it_is_met_late(
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
            struck_on=local_today() - timedelta(days=30),
            roles=("other_party",),
        )
        before = await view(client, pc["other_party"])
        assert before["next_step"] == "respond_in_writing"
        assert before["response"]["due_on"] < local_today().isoformat()
        r = await client.post(
            "/api/portal/response", json={"text": "Late, but here."}, headers=pc["other_party"]
        )
        assert r.status_code == 200, r.text
        assert r.json()["response"]["late"] is True
        deadline = await _deadline(db, pc.case.id)
        assert (deadline.status, deadline.satisfied_on) == (DeadlineStatus.met_late, local_today())
        staff = await client.get(f"{pc.case.url}/response-status", headers=pc.case.intake.headers)
        assert staff.json()["flag"] == "received_late"

    async def test_once_and_only_when_asked(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(
            client, db, passwords, settings, response="not_asked", roles=("other_party",)
        )
        r = await client.post("/api/portal/response", json={"text": "x"}, headers=pc["other_party"])
        assert r.status_code == 409
        assert [e["rule"] for e in r.json()["errors"]] == ["asked_to_respond"]
        assert "stage" not in r.json() and "allowed_actions" not in r.json()
        pc = await portal_case(
            client, db, passwords, settings, response="responded", roles=("other_party",)
        )
        r = await client.post("/api/portal/response", json={"text": "x"}, headers=pc["other_party"])
        assert r.status_code == 409
        assert [e["rule"] for e in r.json()["errors"]] == ["not_yet_responded"]
        assert (await reload(db, pc.case.id)).response_text == "I deny the comments were about age."

    async def test_not_once_the_conclusions_are_reached(
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
            struck_on=local_today() - timedelta(days=30),
            roles=("other_party",),
        )
        await record_entry(client, pc.case)
        await record_findings(client, pc.case)
        r = await client.post("/api/portal/response", json={"text": "x"}, headers=pc["other_party"])
        assert r.status_code == 409
        assert [e["rule"] for e in r.json()["errors"]] == ["before_conclusions"]
        assert (await reload(db, pc.case.id)).response_received_on is None


@pytest.mark.clause("4.3.1(x)")
class TestNotSatisfied:
    async def test_the_complainant_says_so_once_told_and_the_ombudsperson_is_told(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(
            client, db, passwords, settings, response="responded", roles=("complainant",)
        )
        r = await client.post("/api/portal/not-satisfied", headers=pc["complainant"])
        assert r.status_code == 409
        assert [e["rule"] for e in r.json()["errors"]] == ["told_conclusions"]
        await record_entry(client, pc.case)
        await record_findings(client, pc.case)
        await add_recommendation(client, pc.case)
        await tell(client, pc.case, "complainant")
        r = await client.post("/api/portal/not-satisfied", headers=pc["complainant"])
        assert r.status_code == 200, r.text
        today = local_today()
        assert r.json()["not_satisfied_on"] == today.isoformat()
        assert r.json()["next_step"] == "constitutional_charge"
        complaint = await reload(db, pc.case.id)
        assert complaint.complainant_not_satisfied_on == today
        assert complaint.referred_to_charge_on == today
        told = await _notified(db, NotificationKind.complainant_not_satisfied, pc.case.id)
        assert told == {pc.case.intake.user.id}
        conclusions = await client.get(f"{pc.case.url}/conclusions", headers=pc.case.intake.headers)
        assert conclusions.json()["complainant_not_satisfied_on"] == today.isoformat()
        again = await client.post("/api/portal/not-satisfied", headers=pc["complainant"])
        assert again.status_code == 409
        assert [e["rule"] for e in again.json()["errors"]] == ["not_yet_said"]


@pytest.mark.clause("4.3.1(vi)")
class TestWitnessAvailability:
    async def test_a_witness_answers_and_the_crc_is_told(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings, roles=("witness",))
        said = "Weekday evenings after six; not Fridays."
        r = await client.post(
            "/api/portal/availability", json={"availability": said}, headers=pc["witness"]
        )
        assert r.status_code == 200, r.text
        assert r.json()["availability"] == said
        assert r.json()["availability_given_at"] is not None
        assert (await view(client, pc["witness"]))["availability"] == said
        row = await db.scalar(
            select(WitnessAvailability).where(WitnessAvailability.complaint_id == pc.case.id)
        )
        assert row is not None and row.availability == said
        raw = (
            await db.execute(
                text("SELECT availability FROM witness_availabilities WHERE id = :id"),
                {"id": row.id.hex if db.get_bind().dialect.name == "sqlite" else row.id},
            )
        ).scalar_one()
        assert b"Weekday" not in bytes(raw)  # sealed under the complaint's data key
        crc = {a.user.id for a in pc.case.crc} | {pc.case.staff.user.id}
        told = await _notified(db, NotificationKind.witness_availability, pc.case.id)
        assert told == crc
        # A later answer is the one that holds.
        r = await client.post(
            "/api/portal/availability", json={"availability": "Mornings."}, headers=pc["witness"]
        )
        assert r.json()["availability"] == "Mornings."
        # The CRC reads the answers on the complaint, latest first.
        r = await client.get(f"{pc.case.url}/witness-availability", headers=pc.case.crc[0].headers)
        assert r.status_code == 200, r.text
        assert [(a["person_id"], a["availability"]) for a in r.json()] == [
            (pc.people["witness"], "Mornings."),
            (pc.people["witness"], said),
        ]

    async def test_only_while_the_crc_asks(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(
            client, db, passwords, settings, response="responded", roles=("witness",)
        )
        await record_entry(client, pc.case)
        await record_findings(client, pc.case)
        assert (await view(client, pc["witness"]))["crc_asks_to_speak"] is False
        r = await client.post(
            "/api/portal/availability", json={"availability": "Any time."}, headers=pc["witness"]
        )
        assert r.status_code == 409
        assert [e["rule"] for e in r.json()["errors"]] == ["crc_asks_to_speak"]
        count = await db.scalar(
            select(WitnessAvailability.id).where(WitnessAvailability.complaint_id == pc.case.id)
        )
        assert count is None


@pytest.mark.clause("5.1")
class TestEachPartToItsOwn:
    @pytest.mark.parametrize(
        ("path", "body", "allowed"),
        [
            (p, b, a)
            for (p, b), a in zip(WRITES, ("other_party", "complainant", "witness"), strict=True)
        ],
    )
    async def test_another_part_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        path: str,
        body: dict[str, str] | None,
        allowed: str,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings)
        for role in ("complainant", "other_party", "witness"):
            if role == allowed:
                continue
            r = await client.post(path, json=body, headers=pc[role])
            assert r.status_code == 403, (role, r.text)
            assert r.json()["type"].endswith("/portal-not-your-part")


@pytest.mark.clause("4.3.1(vii)")
class TestReadOnly:
    async def test_every_write_is_refused_once_closed(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pc = await portal_case(client, db, passwords, settings, response="responded")
        case = pc.case
        await record_entry(client, case)
        await record_findings(client, case)
        await add_recommendation(client, case)
        await disclose(client, case)
        await tell(client, case, "complainant")
        await tell(client, case, "other_party")
        await tell_owed_notices(client, case)
        r = case.took(await client.post(f"{case.url}/close", headers=case.change(case.crc[0])))
        assert r.status_code == 200, r.text
        for role in ("complainant", "other_party", "witness"):
            seen = await view(client, pc[role])
            assert seen["read_only"] is True
            for path, body in WRITES:
                r = await client.post(path, json=body, headers=pc[role])
                assert r.status_code == 403, (role, path, r.text)
                assert r.json()["type"].endswith("/portal-read-only")
        notice = (await view(client, pc["complainant"]))["notices"][-1]
        r = await client.post(f"/api/portal/notices/{notice['id']}/read", headers=pc["complainant"])
        assert r.status_code == 403
        assert (await view(client, pc["complainant"]))["stage"] == "closed"


@pytest.mark.clause("5.1")
class TestOneComplaintOnly:
    async def test_a_party_of_one_complaint_reaches_nothing_of_another(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        a = await portal_case(client, db, passwords, settings, roles=("complainant", "other_party"))
        b = await portal_case(client, db, passwords, settings, roles=("complainant",))
        b_notice = (await view(client, b["complainant"]))["notices"][0]
        r = await client.post(
            f"/api/portal/notices/{b_notice['id']}/read", headers=a["complainant"]
        )
        assert r.status_code == 404
        assert (await view(client, b["complainant"]))["notices"][0]["told_on"] is None
        seen = await view(client, a["complainant"])
        assert seen["reference"] != (await view(client, b["complainant"]))["reference"]
        assert {n["id"] for n in seen["notices"]}.isdisjoint({b_notice["id"]})
        r = await client.post("/api/portal/response", json={"text": "x"}, headers=a["other_party"])
        assert r.status_code == 200
        assert (await reload(db, b.case.id)).response_received_on is None
        await refresh_etag(db, a.case)
