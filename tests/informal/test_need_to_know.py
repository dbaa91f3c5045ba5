"""POLICY.md "People and roles": an ombudsperson sees the complaints they took in and those
whose CRC they sit on. One who only took part in an informal attempt (4.2.1) handles the
complaint while it is informal; from the formal route on (4.3) they keep the attempts they
took part in and the complaint's dashboard row, and nothing else of it."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Role
from tests.factories.accounts import make_user, signed_in
from tests.factories.procedure import record_attempt, to_committee, to_letter
from tests.formal.support import Case, audits, new_case, problem, seat_committee, with_etag

HIDDEN = (
    "",
    "timeline",
    "letter",
    "attachments",
    "response-status",
    "investigation",
    "conclusions",
    "recommendations",
    "disclosures",
    "party-notices",
    "committee",
)


async def _two_attempts(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> tuple[Case, dict[str, str], str, str, str]:
    """A complaint with two refused attempts: the colleague took part in the first only."""
    case = await new_case(db, passwords, client)
    colleague, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    ours = [str(case.ombudsperson.id), str(colleague.id)]
    first, etag = await record_attempt(
        client, case.headers, case.detail, case.etag, ours, outcome="refused"
    )
    second, etag = await record_attempt(
        client,
        case.headers,
        case.detail,
        etag,
        [str(case.ombudsperson.id)],
        outcome="failed",
        held_on=date(2026, 2, 10),
    )
    return case, headers, first["id"], second["id"], etag


class TestInformalParticipantBeforeTheFormalRoute:
    @pytest.mark.clause("4.2.1")
    async def test_reads_and_handles_the_informal_complaint(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, headers, first, second, etag = await _two_attempts(db, passwords, client)
        detail = await client.get(case.url(), headers=headers)
        assert detail.status_code == 200 and detail.json()["stage"] == "informal"
        listed = await client.get(case.url("informal-attempts"), headers=headers)
        assert [a["id"] for a in listed.json()] == [first, second]
        changed = await client.patch(
            case.url("informal-attempts", second),
            json={"other_party_answer": "No."},
            headers=with_etag(headers, etag),
        )
        assert changed.status_code == 200, changed.text


class TestInformalParticipantFromTheFormalRoute:
    @pytest.mark.clause("4.3")
    async def test_keeps_only_their_attempts_and_the_dashboard_row(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, headers, first, _, etag = await _two_attempts(db, passwords, client)
        detail, etag = await to_committee(client, case.headers, case.detail, etag)
        panel = [await make_user(db, passwords, Role.ombudsperson) for _ in range(3)]
        await seat_committee(
            db, case.id, panel, await make_user(db, passwords, Role.staff_resource)
        )
        listed = await client.get(case.url("informal-attempts"), headers=headers)
        assert listed.status_code == 200
        assert [a["id"] for a in listed.json()] == [first]
        assert listed.json()[0]["proposal"] == "A private apology."
        # The intake ombudsperson still sees every attempt.
        intake = await client.get(case.url("informal-attempts"), headers=case.headers)
        assert len(intake.json()) == 2
        rows = (await client.get("/api/complaints", headers=headers)).json()["items"]
        row = next(r for r in rows if r["id"] == case.id)
        assert (row["reference"], row["stage"]) == (detail["reference"], "committee")
        # The formal procedure's deadlines (the CRC's report) are not theirs.
        assert row["next_deadline"] is None
        intake_rows = (await client.get("/api/complaints", headers=case.headers)).json()["items"]
        assert next(r for r in intake_rows if r["id"] == case.id)["next_deadline"] is not None
        deadlines = (await client.get("/api/deadlines", headers=headers)).json()["items"]
        assert detail["reference"] not in {d["reference"] for d in deadlines}

    @pytest.mark.clause("4.3")
    async def test_loses_the_details_investigation_and_conclusions(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, headers, _, _, etag = await _two_attempts(db, passwords, client)
        await to_committee(client, case.headers, case.detail, etag)
        panel = [await make_user(db, passwords, Role.ombudsperson) for _ in range(3)]
        await seat_committee(
            db, case.id, panel, await make_user(db, passwords, Role.staff_resource)
        )
        before = await audits(db, "complaints.read")
        for part in HIDDEN:
            url = case.url(part) if part else case.url()
            body = problem(await client.get(url, headers=headers), 404)
            assert body["detail"] == "No such complaint.", part
        assert await audits(db, "complaints.read") == before

    @pytest.mark.clause("4.3")
    async def test_no_longer_handles_the_formal_steps(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, headers, first, _, etag = await _two_attempts(db, passwords, client)
        _, etag = await to_letter(client, case.headers, case.detail, etag)
        letter = {"what_took_place": "Remarks."}
        problem(
            await client.put(case.url("letter"), json=letter, headers=with_etag(headers, etag)),
            404,
        )
        problem(
            await client.post(case.url("withdraw"), headers=with_etag(headers, etag)),
            404,
        )
        # The intake ombudsperson goes on.
        saved = await client.put(
            case.url("letter"), json=letter, headers=with_etag(case.headers, etag)
        )
        assert saved.status_code == 200, saved.text
        listed = await client.get(case.url("informal-attempts"), headers=headers)
        assert [a["id"] for a in listed.json()] == [first]

    @pytest.mark.clause("5.1")
    async def test_a_party_or_witness_keeps_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, headers, _, _, etag = await _two_attempts(db, passwords, client)
        await to_letter(client, case.headers, case.detail, etag)
        me = (await client.get("/api/auth/me", headers=headers)).json()
        admin_headers = (await signed_in(db, passwords, client, Role.administrator))[1]
        linked = await client.put(
            f"/api/users/{me['id']}/member",
            json={"member_id": str(case.witness.id)},
            headers=admin_headers,
        )
        assert linked.status_code == 200, linked.text
        problem(await client.get(case.url("informal-attempts"), headers=headers), 404)
        rows = (await client.get("/api/complaints", headers=headers)).json()["items"]
        assert case.id not in {r["id"] for r in rows}
