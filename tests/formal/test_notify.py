"""4.3.1(iii): telling the table officers that a complaint exists and a CRC must be struck."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.complaints.access import officer_visible_complaints
from ombuds.kit.clock import local_today
from ombuds.models import (
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    PartyNotice,
    Role,
    Stage,
)
from tests.factories.accounts import make_user, signed_in
from tests.factories.procedure import to_letter, to_review
from tests.formal.support import (
    Case,
    audits,
    count,
    errors,
    new_case,
    problem,
    reload,
    stage_refusal,
    with_etag,
)


async def _at_review(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient, chosen_on: date | None = None
) -> tuple[Case, str]:
    case = await new_case(db, passwords, client)
    _, etag = await to_review(client, case.headers, case.detail, case.etag, chosen_on=chosen_on)
    return case, etag


async def _notify(
    client: httpx.AsyncClient, case: Case, etag: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post(
        case.url("notify-table-officers"), headers=with_etag(headers or case.headers, etag)
    )


async def _notice(db: AsyncSession) -> Deadline:
    deadline = await db.scalar(
        select(Deadline)
        .where(Deadline.kind == DeadlineKind.table_officer_notice)
        .execution_options(populate_existing=True)
    )
    assert deadline is not None
    return deadline


async def _unchanged(db: AsyncSession, case: Case, stage: Stage, version: int) -> None:
    complaint = await reload(db, case.id)
    assert (complaint.stage, complaint.version) == (stage, version)
    assert complaint.table_officers_notified_on is None
    assert (await _notice(db)).status is DeadlineStatus.open


class TestNotifyTableOfficers:
    @pytest.mark.clause("4.3.1(iii)")
    async def test_on_time_the_notice_is_met_and_a_crc_must_be_struck(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)  # the route was chosen today
        response = await _notify(client, case, etag)
        assert response.status_code == 200, response.text
        out = response.json()
        today = local_today()
        # The notice carries the reference only: no names, no circumstances.
        assert set(out) == {
            "reference",
            "stage",
            "notified_on",
            "recorded_at",
            "due_on",
            "deadline_status",
            "overdue",
        }
        assert (out["reference"], out["stage"], out["notified_on"]) == (
            case.detail["reference"],
            "committee",
            today.isoformat(),
        )
        assert (out["deadline_status"], out["overdue"]) == ("met", False)
        notice = await _notice(db)
        assert (notice.status, notice.satisfied_on) == (DeadlineStatus.met, today)
        complaint = await reload(db, case.id)
        assert (complaint.stage, complaint.table_officers_notified_on) == (Stage.committee, today)
        assert response.headers["ETag"] == f'"{complaint.id.hex[:12]}-v{complaint.version}"'
        # 4.3.1(vii): the change of stage is owed to both parties.
        assert await count(db, PartyNotice, PartyNotice.stage == Stage.committee) == 2
        assert await audits(db, "formal.notify_table_officers", case.id) == 1

    @pytest.mark.clause("4.3.1(iii)")
    async def test_a_late_notice_is_made_and_flagged_met_late_not_overdue_in_every_view(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        # Chosen Mon 2026-02-02: the target (7 days) was Mon 2026-02-09.
        case, etag = await _at_review(db, passwords, client, chosen_on=date(2026, 2, 2))
        response = await _notify(client, case, etag)
        assert response.status_code == 200, response.text
        out = response.json()
        # Late, and done: "met late". Overdue is for what is still owed past its date.
        assert (out["due_on"], out["deadline_status"], out["overdue"]) == (
            "2026-02-09",
            "met_late",
            False,
        )
        assert out["stage"] == "committee"
        assert (await _notice(db)).status is DeadlineStatus.met_late
        detail = (await client.get(case.url(), headers=case.headers)).json()
        [shown] = [d for d in detail["deadlines"] if d["kind"] == "table_officer_notice"]
        assert (shown["status"], shown["overdue"]) == ("met_late", False)
        _, officer_headers = await signed_in(db, passwords, client, Role.table_officer)
        board = await client.get(f"/api/status/{case.id}", headers=officer_headers)
        assert board.status_code == 200, board.text
        [seen] = [d for d in board.json()["deadlines"] if d["kind"] == "table_officer_notice"]
        assert (seen["status"], seen["overdue"]) == ("met_late", False)

    @pytest.mark.clause("4.3.1(iv)")
    async def test_from_then_on_table_officers_learn_the_complaint_exists(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        officer = await make_user(db, passwords, Role.table_officer)
        principal = Principal(
            PrincipalKind.user, id=officer.id, roles=frozenset({Role.table_officer})
        )
        visible = select(Complaint.id).where(officer_visible_complaints(principal))
        assert (await db.scalars(visible)).all() == []
        assert (await _notify(client, case, etag)).status_code == 200
        db.expire_all()
        assert (await db.scalars(visible)).all() == [uuid.UUID(case.id)]

    async def test_only_at_the_review_stage(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        detail, etag = await to_letter(client, case.headers, case.detail, case.etag)
        body = stage_refusal(await _notify(client, case, etag), "letter")
        assert "notify_table_officers" not in body["allowed_actions"]
        await _unchanged(db, case, Stage.letter, detail["version"])
        assert await count(db, PartyNotice) == 0

    async def test_not_twice(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        first = await _notify(client, case, etag)
        stage_refusal(await _notify(client, case, first.headers["ETag"]), "committee")
        assert await count(db, PartyNotice, PartyNotice.stage == Stage.committee) == 2

    async def test_a_stale_or_missing_if_match_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _ = await _at_review(db, passwords, client)
        version = (await reload(db, case.id)).version
        problem(await _notify(client, case, case.etag), 412)
        response = await client.post(case.url("notify-table-officers"), headers=case.headers)
        problem(response, 428)
        await _unchanged(db, case, Stage.review, version)

    async def test_who_may_notify(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        version = (await reload(db, case.id)).version
        problem(
            await client.post(case.url("notify-table-officers"), headers={"If-Match": etag}), 401
        )
        for role in (Role.staff_resource, Role.table_officer, Role.administrator):
            _, headers = await signed_in(db, passwords, client, role)
            problem(await _notify(client, case, etag, headers), 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await _notify(client, case, etag, other), 404)
        await _unchanged(db, case, Stage.review, version)


class TestNoticeGivenBeforeItWasRecorded:
    """4.3.1(iii): the officers may be told before the notice is recorded; the day they
    were told counts, beside the time it was recorded, so no false lateness shows."""

    async def _notify_on(
        self, client: httpx.AsyncClient, case: Case, etag: str, occurred_on: str
    ) -> httpx.Response:
        return await client.post(
            case.url("notify-table-officers"),
            headers=with_etag(case.headers, etag),
            json={"occurred_on": occurred_on},
        )

    @pytest.mark.clause("4.3.1(iii)")
    async def test_told_on_time_and_recorded_late_is_met_not_overdue(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        # Chosen Mon 2026-02-02: the target (7 days) was Mon 2026-02-09; told on the 5th.
        case, etag = await _at_review(db, passwords, client, chosen_on=date(2026, 2, 2))
        response = await self._notify_on(client, case, etag, "2026-02-05")
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["notified_on"], out["due_on"], out["deadline_status"], out["overdue"]) == (
            "2026-02-05",
            "2026-02-09",
            "met",
            False,
        )
        notice = await _notice(db)
        assert (notice.status, notice.satisfied_on) == (DeadlineStatus.met, date(2026, 2, 5))
        complaint = await reload(db, case.id)
        assert complaint.table_officers_notified_on == date(2026, 2, 5)
        recorded_at = complaint.table_officers_notice_recorded_at
        assert recorded_at is not None and recorded_at.date() >= local_today() - timedelta(days=1)
        # The ombudsperson's view shows both: the day told, and when it was recorded.
        detail = (await client.get(case.url(), headers=case.headers)).json()
        assert detail["table_officers_notified_on"] == "2026-02-05"
        assert detail["table_officers_notice_recorded_at"] == out["recorded_at"]
        assert datetime.fromisoformat(out["recorded_at"]) == recorded_at

    @pytest.mark.clause("4.3.1(iii)")
    async def test_told_in_the_future_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        version = (await reload(db, case.id)).version
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        body = problem(await self._notify_on(client, case, etag, tomorrow), 422)
        assert errors(body) == [("occurred_on", "not_future")]
        await _unchanged(db, case, Stage.review, version)

    @pytest.mark.clause("4.3.1(iii)")
    async def test_told_before_the_route_was_chosen_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client, chosen_on=date(2026, 2, 2))
        version = (await reload(db, case.id)).version
        body = problem(await self._notify_on(client, case, etag, "2026-02-01"), 422)
        assert errors(body) == [("occurred_on", "not_before_route_chosen")]
        await _unchanged(db, case, Stage.review, version)
