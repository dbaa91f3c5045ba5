"""4.3.1(v)-(vi): confirming the panel strikes the CRC and starts the investigation; the
confirmed panel is shown to case workers on the complaint."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.complaints import access
from ombuds.deadlines.rules import due_after_days
from ombuds.kit.clock import local_today
from ombuds.models import (
    AuditEntry,
    Committee,
    CommitteeStatus,
    Complaint,
    Deadline,
    DeadlineKind,
    ExclusionReason,
    OmbudspersonConflict,
    PartyNotice,
    Role,
    Stage,
    TimelineEvent,
    User,
)
from tests.committees.support import count, error_fields, problem, ready_to_strike, seat_ids
from tests.factories.accounts import login, signed_in
from tests.factories.committees import (
    committee_url,
    confirm,
    propose_ok,
    status_etag,
    strike_committee,
)


async def committee_row(db: AsyncSession) -> Committee:
    found = await db.scalar(select(Committee).execution_options(populate_existing=True))
    assert found is not None
    return found


async def stage_of(db: AsyncSession, complaint_id: str) -> Stage:
    stage = await db.scalar(select(Complaint.stage).where(Complaint.id == uuid.UUID(complaint_id)))
    assert stage is not None
    return stage


def both_past_the_check(monkeypatch: pytest.MonkeyPatch, n: int) -> asyncio.Event:
    """Hold each of ``n`` requests just after its If-Match check until all have passed."""
    checked = access.for_officer_change
    waiting: list[None] = []
    everyone = asyncio.Event()

    async def held(*args: Any) -> Complaint:
        complaint = await checked(*args)
        waiting.append(None)
        if len(waiting) == n:
            everyone.set()
        await everyone.wait()
        return complaint

    monkeypatch.setattr(access, "for_officer_change", held)
    return everyone


async def one_struck_panel(db: AsyncSession, responses: list[httpx.Response]) -> None:
    """Exactly one 200 and one 412 problem (never a later rule's 409); one of everything."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 412], [r.text for r in responses]
    lost = next(r for r in responses if r.status_code == 412)
    assert problem(lost, 412)["type"].endswith("/stale-version")
    committees = (await db.scalars(select(Committee))).all()
    assert [c.status for c in committees] == [CommitteeStatus.confirmed]
    assert await count(db, TimelineEvent, TimelineEvent.kind == "committee.confirmed") == 1
    assert await count(db, TimelineEvent, TimelineEvent.kind == "stage.investigation") == 1
    assert await count(db, Deadline, Deadline.kind == DeadlineKind.crc_report) == 1
    assert await count(db, PartyNotice, PartyNotice.stage == Stage.investigation) == 2
    assert await count(db, AuditEntry, AuditEntry.action == "committees.confirm") == 1


class TestConfirm:
    @pytest.mark.clause("4.3.1(v)")
    async def test_confirming_strikes_the_crc(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, staff = await ready_to_strike(client, db, passwords)
        striker, headers = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, headers, case.id)
        response = await confirm(client, headers, case.id, etag, proposal["version"])
        assert response.status_code == 200, response.text
        struck = response.json()
        today = local_today()
        assert (struck["status"], struck["struck_on"]) == ("confirmed", today.isoformat())
        assert [{**s, "available": None, "can_redraw": False} for s in proposal["seats"]] == (
            struck["seats"]
        )
        assert struck["discretionary_redraws_left"] == 0
        assert struck["staff_resource"] == proposal["staff_resource"]
        assert response.headers["ETag"] == await status_etag(client, headers, case.id)
        committee = await committee_row(db)
        assert committee.status is CommitteeStatus.confirmed
        assert (committee.confirmed_by, committee.struck_on) == (striker.id, today)
        assert committee.staff_resource_id == staff.id
        assert seat_ids(struck) == {str(u.id) for u in pool}
        assert await stage_of(db, case.id) is Stage.investigation
        kinds = (await db.scalars(select(TimelineEvent.kind).order_by(TimelineEvent.at))).all()
        assert kinds[-2:] == ["committee.confirmed", "stage.investigation"]
        assert await count(db, AuditEntry, AuditEntry.action == "committees.confirm") == 1
        # 4.3.1(vii): both parties are owed word of the new stage.
        notices = await count(db, PartyNotice, PartyNotice.stage == Stage.investigation)
        assert notices == 2

    @pytest.mark.clause("4.3.1(vi)")
    async def test_the_crc_report_is_due_from_the_striking(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        await strike_committee(client, headers, case.id)
        deadline = await db.scalar(select(Deadline).where(Deadline.kind == DeadlineKind.crc_report))
        assert deadline is not None
        expected = due_after_days(local_today(), 60, rollover=True)
        assert (deadline.trigger_on, deadline.due_on) == (local_today(), expected.due_on)
        assert deadline.complaint_id == uuid.UUID(case.id)
        status = (await client.get(f"/api/status/{case.id}", headers=headers)).json()
        assert {
            "kind": "crc_report",
            "due_on": expected.due_on.isoformat(),
            "status": "open",
            "overdue": False,
        } in status["deadlines"]
        assert (status["stage"], status["crc_to_be_struck"]) == ("investigation", False)

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_stale_proposal_version_is_412_and_nothing_changes(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords, pool=4)
        _, first = await signed_in(db, passwords, client, Role.table_officer)
        _, second = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, first, case.id)
        redraw = committee_url(case.id, "proposal/seats/1/redraw")
        redrawn = await client.post(redraw, headers={**second, "If-Match": etag})
        assert redrawn.status_code == 200
        # The first officer reloads the complaint, but confirms the panel they saw.
        fresh = await status_etag(client, first, case.id)
        response = await confirm(client, first, case.id, fresh, proposal["version"])
        body = problem(response, 412)
        assert error_fields(body) == [("proposal_version", "current")]
        assert body["current_version"] == proposal["version"] + 1
        assert (await committee_row(db)).status is CommitteeStatus.proposed
        assert await stage_of(db, case.id) is Stage.committee
        assert await status_etag(client, first, case.id) == fresh

    async def test_if_match_is_required_and_must_be_current(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, headers, case.id)
        missing = await client.post(
            committee_url(case.id, "confirm"), json={"proposal_version": 1}, headers=headers
        )
        problem(missing, 428)
        stale = etag.replace("-v", "-v9")
        problem(await confirm(client, headers, case.id, stale, proposal["version"]), 412)
        assert (await committee_row(db)).status is CommitteeStatus.proposed
        assert await stage_of(db, case.id) is Stage.committee

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_member_who_became_ineligible_must_be_redrawn_first(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords, pool=4)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, headers, case.id)
        seat_two = uuid.UUID(proposal["seats"][1]["user_id"])
        db.add(OmbudspersonConflict(complaint_id=uuid.UUID(case.id), user_id=seat_two))
        await db.commit()
        response = await confirm(client, headers, case.id, etag, proposal["version"])
        body = problem(response, 409)
        assert error_fields(body) == [("seats.2", "eligible")]
        for reason in ExclusionReason:  # the reason is not the officers' to know
            assert reason.value not in response.text
        assert (await committee_row(db)).status is CommitteeStatus.proposed
        redraw = committee_url(case.id, "proposal/seats/2/redraw")
        redrawn = await client.post(redraw, headers={**headers, "If-Match": etag})
        assert redrawn.status_code == 200, redrawn.text
        etag = redrawn.headers["ETag"]
        response = await confirm(client, headers, case.id, etag, redrawn.json()["version"])
        assert response.status_code == 200, response.text
        assert str(seat_two) not in seat_ids(response.json())

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_staff_resource_who_became_ineligible_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, staff = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, headers, case.id)
        row = await db.get(User, staff.id)
        assert row is not None
        row.staff_resource_kind = None
        await db.commit()
        response = await confirm(client, headers, case.id, etag, proposal["version"])
        assert error_fields(problem(response, 409)) == [
            ("staff_resource_id", "eligible_staff_resource")
        ]
        assert await stage_of(db, case.id) is Stage.committee

    async def test_without_a_proposal_is_409(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        etag = await status_etag(client, headers, case.id)
        response = await confirm(client, headers, case.id, etag, 1)
        assert error_fields(problem(response, 409)) == [("proposal", "exists")]
        assert await count(db, Committee) == 0
        assert await stage_of(db, case.id) is Stage.committee

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_struck_crc_cannot_be_confirmed_again(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        struck, etag = await strike_committee(client, headers, case.id)
        body = problem(await confirm(client, headers, case.id, etag, struck["version"]), 409)
        assert body["stage"] == "investigation"
        assert await count(db, TimelineEvent, TimelineEvent.kind == "committee.confirmed") == 1

    @pytest.mark.clause("4.3.1(v)")
    async def test_two_officers_confirming_at_once_one_wins_and_the_other_gets_412(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Both pass the If-Match check before either writes; then both go on at once."""
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, first = await signed_in(db, passwords, client, Role.table_officer)
        _, second = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, first, case.id)
        both_read = both_past_the_check(monkeypatch, 2)
        responses = await asyncio.gather(
            confirm(client, first, case.id, etag, proposal["version"]),
            confirm(client, second, case.id, etag, proposal["version"]),
        )
        assert both_read.is_set()
        await one_struck_panel(db, responses)

    @pytest.mark.clause("4.3.1(v)")
    async def test_the_officer_who_read_first_but_writes_second_gets_412(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Interleaved: the loser passes the If-Match check, the winner then strikes the
        panel from start to finish, and only then does the loser go on."""
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, first = await signed_in(db, passwords, client, Role.table_officer)
        _, second = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, first, case.id)
        go_on = asyncio.Event()
        read = asyncio.Event()
        checked = access.for_officer_change

        async def held(*args: Any) -> Complaint:
            complaint = await checked(*args)
            if not read.is_set():
                read.set()
                await go_on.wait()
            return complaint

        monkeypatch.setattr(access, "for_officer_change", held)
        loser = asyncio.create_task(confirm(client, second, case.id, etag, proposal["version"]))
        await read.wait()
        winner = await confirm(client, first, case.id, etag, proposal["version"])
        go_on.set()
        await one_struck_panel(db, [winner, await loser])
        assert winner.status_code == 200

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, officer, case.id)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await confirm(client, headers, case.id, etag, proposal["version"]), 403)
        problem(await confirm(client, {}, case.id, etag, proposal["version"]), 401)
        assert (await committee_row(db)).status is CommitteeStatus.proposed


class TestCommitteeForCaseWorkers:
    def url(self, complaint_id: str) -> str:
        return f"/api/complaints/{complaint_id}/committee"

    @pytest.mark.clause("4.3.1(v)")
    async def test_case_workers_on_the_complaint_see_the_struck_panel(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, staff = await ready_to_strike(client, db, passwords)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        struck, _ = await strike_committee(client, officer, case.id)
        recorded_at = (await committee_row(db)).struck_recorded_at
        assert recorded_at is not None
        expected = {
            "complaint_id": case.id,
            "struck_on": local_today().isoformat(),
            "struck_recorded_at": recorded_at.isoformat().replace("+00:00", "Z"),
            "members": [
                {k: s[k] for k in ("seat", "user_id", "display_name")} for s in struck["seats"]
            ],
            "staff_resource": {
                "user_id": str(staff.id),
                "display_name": staff.display_name,
                "kind": "special_assignments_officer",
            },
        }
        for user in (case.intake, pool[0], staff):
            headers = await login(client, user.username)
            response = await client.get(self.url(case.id), headers=headers)
            assert response.status_code == 200, response.text
            assert response.json() == expected
        reads = await count(db, AuditEntry, AuditEntry.action == "committees.read")
        assert reads == 3

    async def test_not_struck_yet_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        await propose_ok(client, officer, case.id)
        response = await client.get(self.url(case.id), headers=case.intake_headers)
        assert problem(response, 404)["detail"].endswith("not been struck yet.")

    async def test_others_never_see_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        await strike_committee(client, officer, case.id)
        _, stranger = await signed_in(db, passwords, client, Role.ombudsperson)
        _, other_staff = await signed_in(db, passwords, client, Role.staff_resource)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        assert problem(await client.get(self.url(case.id), headers=stranger), 404)["detail"] == (
            "No such complaint."
        )
        problem(await client.get(self.url(case.id), headers=other_staff), 404)
        problem(await client.get(self.url(case.id), headers=officer), 403)
        problem(await client.get(self.url(case.id), headers=admin), 403)
        problem(await client.get(self.url(case.id)), 401)
