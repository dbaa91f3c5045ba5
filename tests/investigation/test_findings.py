"""4.3.1(viii): the CRC's findings, and the report deadline of 4.3.1(vi) they satisfy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import DeadlineKind, DeadlineStatus, PartyNotice, Stage
from ombuds.settings import Settings
from tests.factories.investigation import (
    Actor,
    Case,
    at_investigation,
    record_entry,
    record_findings,
    today,
)
from tests.investigation.support import audited, problem, state


def findings(**overrides: str) -> dict[str, Any]:
    body = {
        "finding": "harassment_found",
        "findings_text": "The comments were demeaning and unwelcome.",
        "findings_on": today(),
    }
    body.update(overrides)
    return body


class TestRecordFindings:
    @pytest.mark.clause("4.3.1(viii)")
    async def test_harassment_found_moves_to_conclusions_and_meets_the_report_deadline(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        response = await client.post(
            f"{case.url}/findings", headers=case.change(case.crc[2]), json=findings()
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["stage"], body["finding"], body["findings_on"]) == (
            "conclusions",
            "harassment_found",
            today(),
        )
        assert body["findings_text"] == "The comments were demeaning and unwelcome."
        assert (body["crc_report"]["status"], body["crc_report"]["satisfied_on"]) == (
            "met",
            today(),
        )
        assert body["recommendations"] == 0
        saved = await state(db, case.id)
        assert saved["stage"] is Stage.conclusions
        assert response.headers["ETag"] == f'"{case.id.hex[:12]}-v{saved["version"]}"'
        # 4.3.1(vii): the new stage is owed to both parties.
        owed = (
            await db.scalars(
                select(PartyNotice.party).where(
                    PartyNotice.complaint_id == case.id, PartyNotice.stage == Stage.conclusions
                )
            )
        ).all()
        assert sorted(owed) == ["complainant", "other_party"]
        assert await audited(db, "investigation.record_findings", case.crc[2].user.id) == 1

    @pytest.mark.clause("4.3.1(viii)")
    async def test_harassment_not_found_dismisses(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        body = await record_findings(client, case, finding="harassment_not_found")
        assert (body["stage"], body["finding"]) == ("conclusions", "harassment_not_found")
        assert (await state(db, case.id))["finding"][0] == "harassment_not_found"

    @pytest.mark.clause("4.3.1(vi)")
    async def test_a_report_after_the_target_is_met_late(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        struck_on = local_today() - timedelta(days=settings.crc_report_target_days + 30)
        case = await at_investigation(client, db, passwords, settings, struck_on=struck_on)
        await record_entry(client, case)
        body = await record_findings(client, case)
        assert body["crc_report"]["status"] == "met_late"
        assert body["crc_report"]["overdue"] is False

    async def test_anonymous_and_roles_without_the_right_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, admin: Actor
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        url = f"{case.url}/findings"
        problem(await client.post(url, headers={"If-Match": case.etag}, json=findings()), 401)
        for actor in (admin, case.officer):
            problem(await client.post(url, headers=case.change(actor), json=findings()), 403)
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(viii)")
    async def test_the_intake_ombudsperson_not_on_the_crc_cannot_record_findings(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings", headers=case.change(case.intake), json=findings()
        )
        body = problem(response, 403, "caller", "crc_member")
        assert "members of this complaint's Complaint Review Committee" in body["detail"]
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(v)")
    async def test_the_staff_resource_assists_but_does_not_decide(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings", headers=case.change(case.staff), json=findings()
        )
        problem(response, 403, "caller", "crc_member")
        assert await state(db, case.id) == before

    async def test_someone_elses_complaint_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, outsider: Actor
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings", headers=case.change(outsider), json=findings()
        )
        problem(response, 404)
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vi)")
    async def test_findings_without_any_recorded_step_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings", headers=case.change(case.crc[0]), json=findings()
        )
        problem(response, 409, "investigation", "investigation_recorded")
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vi)")
    async def test_findings_wait_until_the_other_party_is_asked_to_respond(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case = await at_investigation(client, db, passwords, settings, response="not_asked")
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings", headers=case.change(case.crc[0]), json=findings()
        )
        body = problem(response, 409, "other_party_reviewed_on", "other_party_asked_to_respond")
        assert body["type"].endswith("/conflict") and "4.3.1(vi)" in body["detail"]
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vi)")
    async def test_findings_wait_for_the_response_while_its_days_run_then_go_ahead(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case = await at_investigation(client, db, passwords, settings, response="not_asked")
        asked_on = local_today() - timedelta(days=2)
        asked = case.took(
            await client.post(
                f"{case.url}/other-party-review",
                headers=case.change(case.intake),
                json={"reviewed_on": asked_on.isoformat()},
            )
        )
        assert asked.status_code == 200, asked.text
        assert asked.json()["flag"] == "awaiting"
        due_on = asked.json()["due_on"]
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings", headers=case.change(case.crc[0]), json=findings()
        )
        body = problem(response, 409, "response_received_on", "response_in_or_period_over")
        assert "4.3.1(vi)" in body["detail"] and body["response_due_on"] == due_on
        assert await state(db, case.id) == before
        # The response comes in: the CRC may now record its findings.
        answered = case.took(
            await client.post(
                f"{case.url}/response",
                headers=case.change(case.intake),
                json={"received_on": today(), "text": "I deny it."},
            )
        )
        assert answered.status_code == 200, answered.text
        body = await record_findings(client, case)
        assert body["stage"] == "conclusions"
        saved = await state(db, case.id)
        assert {k: (s, on) for k, s, on in saved["deadlines"]} == {
            DeadlineKind.crc_report: (DeadlineStatus.met, local_today()),
            DeadlineKind.written_response: (DeadlineStatus.met, local_today()),
        }

    @pytest.mark.clause("4.3.1(ii)")
    async def test_once_the_days_to_respond_are_over_findings_go_ahead_and_the_deadline_lapses(
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

        async def written_response() -> tuple[Any, Any, Any]:
            """How the CRC, a table officer and the dashboard show the response deadline."""
            detail = (await client.get(case.url, headers=case.crc[0].headers)).json()
            [mine] = [d for d in detail["deadlines"] if d["kind"] == "written_response"]
            board = (await client.get(case.status_url, headers=case.officer.headers)).json()
            [theirs] = [d for d in board["deadlines"] if d["kind"] == "written_response"]
            listed = (await client.get("/api/complaints", headers=case.crc[0].headers)).json()
            [row] = [r for r in listed["items"] if r["id"] == str(case.id)]
            return (
                (mine["status"], mine["overdue"]),
                (theirs["status"], theirs["overdue"]),
                row["next_deadline"],
            )

        mine, theirs, next_deadline = await written_response()
        assert mine == theirs == ("open", True)
        assert (next_deadline["kind"], next_deadline["overdue"]) == ("written_response", True)
        await record_findings(client, case)
        # Lapsed: no longer owed, no longer overdue, and no longer the complaint's next
        # deadline (the CRC's report is met, nothing else is open).
        assert await written_response() == (("lapsed", False), ("lapsed", False), None)
        saved = await state(db, case.id)
        assert {k: (s, on) for k, s, on in saved["deadlines"]} == {
            DeadlineKind.crc_report: (DeadlineStatus.met, local_today()),
            DeadlineKind.written_response: (DeadlineStatus.lapsed, None),
        }
        # A response that still comes is recorded and flagged late; the deadline's life
        # ended with the findings, so it stays lapsed.
        answered = case.took(
            await client.post(
                f"{case.url}/response",
                headers=case.change(case.intake),
                json={"received_on": today(), "text": "Too late, but here it is."},
            )
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["flag"] == "received_late"
        assert await written_response() == (("lapsed", False), ("lapsed", False), None)

    @pytest.mark.clause("4.3.1(viii)")
    @pytest.mark.parametrize("rule", ["not_in_future", "on_or_after_crc_struck"])
    async def test_the_date_of_the_findings_is_checked(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, rule: str
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        on = (
            local_today() + timedelta(days=1)
            if rule == "not_in_future"
            else case.struck_on - timedelta(days=1)
        )
        response = await client.post(
            f"{case.url}/findings",
            headers=case.change(case.crc[0]),
            json=findings(findings_on=on.isoformat()),
        )
        problem(response, 422, "findings_on", rule)
        assert await state(db, case.id) == before

    async def test_an_unknown_finding_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings",
            headers=case.change(case.crc[0]),
            json=findings(finding="partly"),
        )
        problem(response, 422, "finding", "enum")
        assert await state(db, case.id) == before

    async def test_a_stale_version_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        stale = case.etag
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/findings",
            headers={**case.crc[0].headers, "If-Match": stale},
            json=findings(),
        )
        problem(response, 412)
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(viii)")
    async def test_findings_are_recorded_once(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        before = await state(db, found.id)
        response = await client.post(
            f"{found.url}/findings",
            headers=found.change(found.crc[0]),
            json=findings(finding="harassment_not_found"),
        )
        assert problem(response, 409)["stage"] == "conclusions"
        assert await state(db, found.id) == before


class TestGetConclusions:
    @pytest.mark.clause("5.1")
    async def test_case_workers_read_the_conclusions_and_the_read_is_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        for reader in (found.intake, found.crc[1], found.staff):
            response = await client.get(f"{found.url}/conclusions", headers=reader.headers)
            assert response.status_code == 200, response.text
            body = response.json()
            assert (body["finding"], body["recommendations"]) == ("harassment_found", 1)
            assert body["undisclosed_recommendations"] == 1
            assert response.headers["ETag"] == found.etag
            assert await audited(db, "investigation.read_conclusions", reader.user.id) == 1

    async def test_who_may_not_read(
        self, client: httpx.AsyncClient, found: Case, outsider: Actor, admin: Actor
    ) -> None:
        url = f"{found.url}/conclusions"
        problem(await client.get(url), 401)
        problem(await client.get(url, headers=admin.headers), 403)
        problem(await client.get(url, headers=found.officer.headers), 403)
        response = await client.get(url, headers=outsider.headers)
        problem(response, 404)
        assert "demeaning" not in response.text
