"""What a step of the procedure tells people, driven through the API: each notification is
written in the transaction of the step, to the people the step concerns, never to the one
who took it, and never to a table officer recused on the complaint (4.3.1(iv))."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    Deadline,
    DeadlineKind,
    Notification,
    NotificationKind,
    OfficerConflict,
    OutboxMessage,
    Role,
    User,
)
from ombuds.settings import Settings
from tests.committees.support import Case, open_case, ready_to_strike, seat_ids
from tests.factories.accounts import login, make_user, signed_in
from tests.factories.committees import confirm, propose_ok, strike_committee
from tests.factories.investigation import at_conclusions, at_investigation, disclose
from tests.factories.procedure import record_review, to_committee, to_review, url

K = NotificationKind


async def told(db: AsyncSession, kind: NotificationKind) -> dict[uuid.UUID, Notification]:
    """Who was told `kind`, and what they were told."""
    rows = await db.scalars(
        select(Notification)
        .where(Notification.kind == kind)
        .execution_options(populate_existing=True)
    )
    found = {n.user_id: n for n in rows.all()}
    return found


async def all_told(db: AsyncSession) -> list[tuple[NotificationKind, uuid.UUID]]:
    rows = await db.execute(select(Notification.kind, Notification.user_id))
    return sorted((kind, user_id) for kind, user_id in rows.all())


async def officers(db: AsyncSession, passwords: Passwords, n: int) -> list[User]:
    return [
        await make_user(db, passwords, Role.table_officer, email=f"officer{i}@example.org")
        for i in range(n)
    ]


async def detail_of(client: httpx.AsyncClient, case: Case) -> tuple[dict[str, object], str]:
    response = await client.get(f"/api/complaints/{case.id}", headers=case.intake_headers)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


class TestResponseRecorded:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_the_handling_ombudsperson_is_not_told_of_their_own_step(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=None)
        detail, etag = await detail_of(client, case)
        detail, etag = await to_review(client, case.intake_headers, detail, etag)
        _, etag = await record_review(client, case.intake_headers, detail, etag)
        response = await client.post(
            url(detail, "response"),
            json={"received_on": local_today().isoformat(), "text": "A written answer."},
            headers={**case.intake_headers, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        assert await told(db, K.response_recorded) == {}

    @pytest.mark.clause("4.3.1(vi)")
    async def test_a_struck_crc_is_told_the_response_it_reviews_is_in(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case = await at_investigation(client, db, passwords, settings, response="asked")
        response = await client.post(
            f"{case.url}/response",
            json={"received_on": local_today().isoformat(), "text": "A late answer."},
            headers=case.change(case.intake),
        )
        assert response.status_code == 200, response.text
        found = await told(db, K.response_recorded)
        assert set(found) == {*(m.user.id for m in case.crc), case.staff.user.id}
        assert {n.complaint_id for n in found.values()} == {case.id}
        assert case.intake.user.id not in found


class TestCommitteeToStrike:
    @pytest.mark.clause("4.3.1(iv)")
    async def test_the_officers_not_recused_are_told(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=None)
        first, second = await officers(db, passwords, 2)
        party = await make_user(
            db, passwords, Role.table_officer, member=case.other_party, email="p@example.org"
        )
        await make_user(db, passwords, Role.table_officer, active=False, email="i@example.org")
        without_address = await make_user(db, passwords, Role.table_officer)
        detail, etag = await detail_of(client, case)

        await to_committee(client, case.intake_headers, detail, etag)

        found = await told(db, K.committee_to_strike)
        assert set(found) == {first.id, second.id, without_address.id}
        assert party.id not in found
        assert {(n.complaint_id, n.due_on) for n in found.values()} == {(uuid.UUID(case.id), None)}
        # An e-mail for those with an address; the in-app notification for everyone.
        mailed = set(await db.scalars(select(OutboxMessage.user_id)))
        assert mailed == {first.id, second.id}

    @pytest.mark.clause("4.3.1(iii)")
    async def test_nothing_is_told_before_the_officers_are(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=None)
        await officers(db, passwords, 1)
        detail, etag = await detail_of(client, case)
        detail, etag = await to_review(client, case.intake_headers, detail, etag)
        await record_review(client, case.intake_headers, detail, etag)
        assert await all_told(db) == []


class TestPanelConflictDeclared:
    @pytest.mark.clause("4.3.1(v)")
    async def test_a_drawn_member_s_conflict_tells_the_officers_not_recused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, _ = await ready_to_strike(client, db, passwords)
        striker, striker_headers = await signed_in(
            db, passwords, client, Role.table_officer, email="s@example.org"
        )
        recused, recused_headers = await signed_in(db, passwords, client, Role.table_officer)
        etag = (await client.get(f"/api/status/{case.id}", headers=recused_headers)).headers["ETag"]
        left = await client.post(
            f"/api/status/{case.id}/conflict", headers={**recused_headers, "If-Match": etag}
        )
        assert left.status_code == 204, left.text
        proposal, _ = await propose_ok(client, striker_headers, case.id)
        assert seat_ids(proposal) == {str(u.id) for u in pool}
        member = pool[0]
        headers = await login(client, member.username)
        (item,) = (await client.get("/api/committee-proposals", headers=headers)).json()["items"]

        response = await client.post(
            f"/api/complaints/{case.id}/ombudsperson-conflict",
            headers={**headers, "If-Match": item["etag"]},
        )

        assert response.status_code == 204, response.text
        found = await told(db, K.panel_conflict_declared)
        assert set(found) == {striker.id}
        assert recused.id not in found
        assert found[striker.id].complaint_id == uuid.UUID(case.id)

    @pytest.mark.clause("4.3.1(v)")
    async def test_an_ombudsperson_not_drawn_tells_nobody(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=None)
        await officers(db, passwords, 1)
        _, etag = await detail_of(client, case)
        response = await client.post(
            f"/api/complaints/{case.id}/ombudsperson-conflict",
            headers={**case.intake_headers, "If-Match": etag},
        )
        assert response.status_code == 204, response.text
        assert await all_told(db) == []


class TestCommitteeAppointed:
    @pytest.mark.clause("4.3.1(v)")
    async def test_the_members_and_the_staff_resource_are_told_with_the_report_date(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, staff = await ready_to_strike(client, db, passwords)
        striker, headers = await signed_in(db, passwords, client, Role.table_officer)

        await strike_committee(client, headers, case.id)

        report_due = await db.scalar(
            select(Deadline.due_on).where(Deadline.kind == DeadlineKind.crc_report)
        )
        assert isinstance(report_due, date)
        found = await told(db, K.committee_appointed)
        assert set(found) == {*(u.id for u in pool), staff.id}
        assert {(n.complaint_id, n.due_on) for n in found.values()} == {
            (uuid.UUID(case.id), report_due)
        }
        assert striker.id not in found

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_step_that_fails_tells_nobody(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, headers, case.id)
        recorded = audit.record

        async def failing(db: AsyncSession, actor: object, action: str, *args: object) -> None:
            if action == "committees.confirm":  # after the members were told
                raise RuntimeError("the audit log is unavailable")
            await recorded(db, actor, action, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(audit, "record", failing)
        response = await confirm(client, headers, case.id, etag, proposal["version"])

        assert response.status_code == 500
        assert await told(db, K.committee_appointed) == {}
        assert list(await db.scalars(select(OutboxMessage.id))) == []


class TestRecommendationsDisclosed:
    @pytest.mark.clause("4.3.1(viii)")
    async def test_the_officers_they_were_disclosed_to_are_told(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case = await at_conclusions(client, db, passwords, settings)
        other = await make_user(db, passwords, Role.table_officer)
        recused = await make_user(db, passwords, Role.table_officer)
        db.add(OfficerConflict(complaint_id=case.id, user_id=recused.id))
        await db.commit()

        disclosure = await disclose(client, case)

        found = await told(db, K.recommendations_disclosed)
        assert set(found) == {case.officer.user.id, other.id}
        assert recused.id not in found
        assert {n.complaint_id for n in found.values()} == {case.id}
        assert len(disclosure["recipients"]) == len(found)
