"""4.3.1(ii): the review with the other party, the 14-day written response, and its flags."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import Deadline, DeadlineKind, DeadlineStatus, Role, Stage
from ombuds.settings import Settings
from tests.factories.accounts import make_user, signed_in
from tests.factories.investigation import at_investigation, record_entry, record_findings
from tests.factories.procedure import record_review, to_committee, to_letter, to_review
from tests.formal.support import (
    Case,
    audits,
    client_with,
    count,
    errors,
    new_case,
    problem,
    reload,
    seat_committee,
    stage_refusal,
    with_etag,
)

MON = date(2026, 2, 2)  # the letter is signed that day (tests/factories/procedure.py)


async def _at_review(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> tuple[Case, str]:
    case = await new_case(db, passwords, client)
    _, etag = await to_review(client, case.headers, case.detail, case.etag)
    return case, etag


async def _review(
    client: httpx.AsyncClient, case: Case, etag: str, reviewed_on: date | str
) -> httpx.Response:
    return await client.post(
        case.url("other-party-review"),
        json={"reviewed_on": str(reviewed_on)},
        headers=with_etag(case.headers, etag),
    )


async def _respond(
    client: httpx.AsyncClient, case: Case, etag: str, received_on: date | str
) -> httpx.Response:
    return await client.post(
        case.url("response"),
        json={"received_on": str(received_on), "text": "I deny the comments were about age."},
        headers=with_etag(case.headers, etag),
    )


async def _deadline(db: AsyncSession) -> Deadline | None:
    return await db.scalar(
        select(Deadline)
        .where(Deadline.kind == DeadlineKind.written_response)
        .execution_options(populate_existing=True)
    )


class TestRecordOtherPartyReview:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_fourteen_days_rolled_over_louis_riel_day(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        response = await _review(client, case, etag, MON)
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["reviewed_on"], out["nominal_due_on"], out["due_on"]) == (
            "2026-02-02",
            "2026-02-16",
            "2026-02-17",
        )
        assert out["moved_by"] == "Louis Riel Day"
        assert out["explanation"] == (
            "14 calendar days after Mon 2026-02-02 is Mon 2026-02-16 (Louis Riel Day), "
            "so it moves to Tue 2026-02-17."
        )
        assert out["flag"] == "missing"  # the due date has passed and nothing came
        deadline = await _deadline(db)
        assert deadline is not None
        assert (deadline.id.hex, deadline.status) == (
            out["deadline_id"].replace("-", ""),
            DeadlineStatus.open,
        )
        assert deadline.moved_by == "Louis Riel Day"
        complaint = await reload(db, case.id)
        assert complaint.other_party_reviewed_on == MON
        assert response.headers["ETag"] == f'"{complaint.id.hex[:12]}-v{complaint.version}"'
        assert await audits(db, "formal.record_other_party_review", case.id) == 1

    @pytest.mark.clause("4.3.1(ii)")
    async def test_without_the_roll_over_it_is_due_on_the_holiday(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, database_url: str
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        async with client_with(database_url, roll_over_non_working_days=False) as plain:
            response = await _review(plain, case, etag, MON)
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["nominal_due_on"], out["due_on"], out["moved_by"]) == (
            "2026-02-16",
            "2026-02-16",
            None,
        )
        assert out["explanation"].endswith("and it is not moved.")

    @pytest.mark.clause("4.3.1(ii)")
    async def test_recording_it_again_re_dates_the_same_deadline(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        first = await _review(client, case, etag, MON)
        deadline = await _deadline(db)
        assert deadline is not None
        deadline_id, sequence = deadline.id, deadline.sequence
        second = await _review(client, case, first.headers["ETag"], "2026-02-05")
        assert second.status_code == 200, second.text
        assert (second.json()["deadline_id"], second.json()["due_on"]) == (
            str(deadline_id),
            "2026-02-19",
        )
        deadline = await _deadline(db)
        assert deadline is not None
        assert (deadline.id, deadline.sequence) == (deadline_id, sequence + 1)
        assert await count(db, Deadline, Deadline.kind == DeadlineKind.written_response) == 1

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_corrected_review_date_recomputes_the_deadline_though_the_due_date_stays(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        # Fri 2026-03-20 + 14 is Good Friday; Sat 2026-03-21 + 14 is a Saturday: both due
        # Mon 2026-04-06 once rolled over, from different triggers by different days.
        first = await _review(client, case, etag, date(2026, 3, 20))
        assert first.status_code == 200, first.text
        assert (first.json()["due_on"], first.json()["moved_by"]) == (
            "2026-04-06",
            "Good Friday, Saturday, Sunday",
        )
        before = await _deadline(db)
        assert before is not None
        deadline_id, sequence = before.id, before.sequence
        corrected = await _review(client, case, first.headers["ETag"], date(2026, 3, 21))
        assert corrected.status_code == 200, corrected.text
        out = corrected.json()
        explanation = (
            "14 calendar days after Sat 2026-03-21 is Sat 2026-04-04 (Saturday and Sunday), "
            "so it moves to Mon 2026-04-06."
        )
        assert (out["reviewed_on"], out["due_on"], out["nominal_due_on"]) == (
            "2026-03-21",
            "2026-04-06",
            "2026-04-04",
        )
        assert (out["moved_by"], out["explanation"]) == ("Saturday, Sunday", explanation)
        deadline = await _deadline(db)
        assert deadline is not None
        assert (deadline.id, deadline.trigger_on, deadline.sequence) == (
            deadline_id,
            date(2026, 3, 21),
            sequence + 1,
        )
        detail = (await client.get(case.url(), headers=case.headers)).json()
        [shown] = [d for d in detail["deadlines"] if d["kind"] == "written_response"]
        assert (shown["trigger_on"], shown["due_on"], shown["explanation"]) == (
            "2026-03-21",
            "2026-04-06",
            explanation,
        )
        listed = (await client.get("/api/deadlines", headers=case.headers)).json()["items"]
        [item] = [i for i in listed if i["id"] == str(deadline_id)]
        assert (item["sequence"], item["rule"]["trigger_on"], item["rule"]["moved_by"]) == (
            sequence + 1,
            "2026-03-21",
            ["Saturday", "Sunday"],
        )

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_review_date_corrected_after_the_findings_leaves_the_deadline_lapsed(
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
        await record_findings(client, case)
        lapsed = await _deadline(db)
        assert lapsed is not None and lapsed.status is DeadlineStatus.lapsed
        sequence = lapsed.sequence
        reviewed_on = struck_on - timedelta(days=4)
        response = case.took(
            await client.post(
                f"{case.url}/other-party-review",
                headers=case.change(case.intake),
                json={"reviewed_on": reviewed_on.isoformat()},
            )
        )
        assert response.status_code == 200, response.text
        assert response.json()["flag"] == "missing"
        deadline = await _deadline(db)
        assert deadline is not None
        assert (deadline.trigger_on, deadline.status, deadline.sequence) == (
            reviewed_on,
            DeadlineStatus.lapsed,
            sequence + 1,
        )

    @pytest.mark.clause("4.3.1(ii)")
    async def test_the_date_is_not_before_the_letter_was_signed_nor_in_the_future(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        version = (await reload(db, case.id)).version
        response = await _review(client, case, etag, MON - timedelta(days=1))
        assert errors(problem(response, 422)) == [("reviewed_on", "not_before_signed")]
        response = await _review(client, case, etag, local_today() + timedelta(days=1))
        assert errors(problem(response, 422)) == [("reviewed_on", "not_future")]
        complaint = await reload(db, case.id)
        assert (complaint.other_party_reviewed_on, complaint.version) == (None, version)
        assert await _deadline(db) is None

    async def test_not_before_the_letter_is_complete(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        _, etag = await to_letter(client, case.headers, case.detail, case.etag)
        body = stage_refusal(await _review(client, case, etag, MON), "letter")
        assert "complete_letter" in body["allowed_actions"]
        assert await _deadline(db) is None

    async def test_not_once_the_response_is_recorded(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        _, etag = await record_review(client, case.headers, case.detail, etag, MON)
        etag = (await _respond(client, case, etag, "2026-02-10")).headers["ETag"]
        body = problem(await _review(client, case, etag, "2026-02-03"), 409)
        assert errors(body) == [("reviewed_on", "before_response")]
        assert (await reload(db, case.id)).other_party_reviewed_on == MON

    async def test_a_stale_if_match_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _ = await _at_review(db, passwords, client)
        problem(await _review(client, case, case.etag, MON), 412)
        assert (await reload(db, case.id)).other_party_reviewed_on is None
        assert await _deadline(db) is None

    async def test_who_may_record(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        url, body = case.url("other-party-review"), {"reviewed_on": str(MON)}
        problem(await client.post(url, json=body, headers={"If-Match": etag}), 401)
        for role in (Role.staff_resource, Role.table_officer, Role.administrator):
            _, headers = await signed_in(db, passwords, client, role)
            problem(await client.post(url, json=body, headers=with_etag(headers, etag)), 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await client.post(url, json=body, headers=with_etag(other, etag)), 404)
        assert await _deadline(db) is None


class TestRecordResponse:
    @pytest.mark.clause("4.3.1(ii)")
    @pytest.mark.parametrize(
        ("received_on", "status", "flag"),
        [
            ("2026-02-17", DeadlineStatus.met, "received_on_time"),
            ("2026-02-18", DeadlineStatus.met_late, "received_late"),
        ],
    )
    async def test_the_response_satisfies_the_deadline_late_or_not(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        received_on: str,
        status: DeadlineStatus,
        flag: str,
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        _, etag = await record_review(client, case.headers, case.detail, etag, MON)
        response = await _respond(client, case, etag, received_on)
        assert response.status_code == 200, response.text
        assert (response.json()["received_on"], response.json()["flag"]) == (received_on, flag)
        deadline = await _deadline(db)
        assert deadline is not None
        assert (deadline.status, deadline.satisfied_on) == (status, date.fromisoformat(received_on))
        complaint = await reload(db, case.id)
        assert complaint.response_text == "I deny the comments were about age."
        detail = (await client.get(case.url(), headers=case.headers)).json()
        assert detail["response_received_on"] == received_on
        [shown] = [d for d in detail["deadlines"] if d["kind"] == "written_response"]
        assert (shown["status"], shown["overdue"]) == (status.value, False)

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_response_dated_before_the_review_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        _, etag = await record_review(client, case.headers, case.detail, etag, date(2026, 2, 4))
        version = (await reload(db, case.id)).version
        response = await _respond(client, case, etag, "2026-02-03")
        assert errors(problem(response, 422)) == [("received_on", "not_before_review")]
        response = await _respond(client, case, etag, local_today() + timedelta(days=1))
        assert errors(problem(response, 422)) == [("received_on", "not_future")]
        complaint = await reload(db, case.id)
        assert (complaint.response_received_on, complaint.response_text) == (None, None)
        assert complaint.version == version
        deadline = await _deadline(db)
        assert deadline is not None and deadline.status is DeadlineStatus.open

    @pytest.mark.clause("4.3.1(ii)")
    async def test_the_review_comes_first(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        body = problem(await _respond(client, case, etag, "2026-02-10"), 409)
        assert errors(body) == [("reviewed_on", "required")]
        assert (await reload(db, case.id)).response_received_on is None

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_lapsed_deadline_blocks_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        # Reviewed on 2026-02-02: the response was due 2026-02-17 and never came.
        detail, etag = await to_committee(client, case.headers, case.detail, case.etag)
        assert detail["stage"] == "committee"
        [shown] = [d for d in detail["deadlines"] if d["kind"] == "written_response"]
        assert (shown["status"], shown["overdue"]) == ("open", True)
        status = await client.get(case.url("response-status"), headers=case.headers)
        assert status.json()["flag"] == "missing"
        response = await _respond(client, case, etag, local_today())
        assert response.status_code == 200, response.text
        assert response.json()["flag"] == "received_late"

    async def test_not_before_the_review_stage(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        stage_refusal(await _respond(client, case, case.etag, "2026-02-10"), "intake")
        assert (await reload(db, case.id)).response_received_on is None

    @pytest.mark.clause("4.3.1(vi)")
    async def test_the_crc_reads_the_response_but_does_not_record_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        _, etag = await to_committee(client, case.headers, case.detail, case.etag)
        etag = (await _respond(client, case, etag, "2026-02-16")).headers["ETag"]
        member, member_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        staff, staff_headers = await signed_in(db, passwords, client, Role.staff_resource)
        others = [await make_user(db, passwords, Role.ombudsperson) for _ in range(2)]
        await seat_committee(db, case.id, [member, *others], staff)
        for headers in (member_headers, staff_headers):
            status = await client.get(case.url("response-status"), headers=headers)
            assert status.json()["flag"] == "received_on_time"
            read = await client.get(case.url(), headers=headers)
            assert read.json()["response_text"] == "I deny the comments were about age."
        version = (await reload(db, case.id)).version
        response = await client.post(
            case.url("response"),
            json={"received_on": "2026-02-17", "text": "Changed."},
            headers=with_etag(member_headers, etag),
        )
        problem(response, 403)
        complaint = await reload(db, case.id)
        assert (complaint.response_received_on, complaint.version) == (date(2026, 2, 16), version)

    async def test_a_stale_if_match_and_callers(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        stale = etag
        _, etag = await record_review(client, case.headers, case.detail, etag, MON)
        problem(await _respond(client, case, stale, "2026-02-10"), 412)
        url, body = case.url("response"), {"received_on": "2026-02-10", "text": "x"}
        problem(await client.post(url, json=body, headers={"If-Match": etag}), 401)
        _, staff = await signed_in(db, passwords, client, Role.staff_resource)
        problem(await client.post(url, json=body, headers=with_etag(staff, etag)), 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await client.post(url, json=body, headers=with_etag(other, etag)), 404)
        assert (await reload(db, case.id)).response_received_on is None


class TestResponseStatus:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_awaiting_until_due_and_nothing_before_the_review(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_review(db, passwords, client)
        before = await client.get(case.url("response-status"), headers=case.headers)
        assert before.status_code == 200
        assert before.json() == {
            "reviewed_on": None,
            "deadline_id": None,
            "due_on": None,
            "nominal_due_on": None,
            "moved_by": None,
            "explanation": None,
            "received_on": None,
            "flag": None,
        }
        assert before.headers["ETag"] == etag
        today = local_today()
        _, etag = await record_review(client, case.headers, case.detail, etag, today)
        after = (await client.get(case.url("response-status"), headers=case.headers)).json()
        assert (after["reviewed_on"], after["flag"]) == (today.isoformat(), "awaiting")
        assert date.fromisoformat(after["due_on"]) >= today + timedelta(days=14)
        assert after["explanation"].startswith(f"14 calendar days after {today:%a} {today}")
        assert await audits(db, "formal.read_response_status", case.id) == 2

    async def test_who_may_read(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _ = await _at_review(db, passwords, client)
        url = case.url("response-status")
        problem(await client.get(url), 401)
        for role in (Role.table_officer, Role.administrator):
            _, headers = await signed_in(db, passwords, client, role)
            problem(await client.get(url, headers=headers), 403)
        for role in (Role.ombudsperson, Role.staff_resource):
            _, headers = await signed_in(db, passwords, client, role)
            problem(await client.get(url, headers=headers), 404)
        assert await audits(db, "formal.read_response_status") == 0
        assert (await reload(db, case.id)).stage is Stage.review
