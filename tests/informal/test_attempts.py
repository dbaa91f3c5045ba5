"""4.2.1: informal attempts, and every ombudsperson who took part in them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    InformalAttempt,
    InformalParticipant,
    Role,
    Stage,
    User,
)
from tests.factories.accounts import make_user, signed_in
from tests.factories.procedure import record_attempt, to_letter
from tests.formal.support import (
    ABSENT,
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
from tests.informal.support import with_attempt


def _attempt(participants: list[User | str], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "method": "facilitated_meeting",
        "held_on": "2026-02-04",
        "participant_ids": [p if isinstance(p, str) else str(p.id) for p in participants],
        "proposal": "Both parties meet with the ombudsperson to agree on an apology.",
        "outcome": "pending",
    }
    body.update(overrides)
    return body


async def _post(
    client: httpx.AsyncClient, case: Case, body: dict[str, Any], etag: str | None = None
) -> httpx.Response:
    return await client.post(
        case.url("informal-attempts"), json=body, headers=with_etag(case.headers, etag or case.etag)
    )


async def _unchanged(db: AsyncSession, case: Case) -> None:
    complaint = await reload(db, case.id)
    assert (complaint.stage, complaint.version) == (Stage.intake, case.detail["version"])
    assert await count(db, InformalAttempt) == 0
    assert await count(db, InformalParticipant) == 0


class TestRecordAttempt:
    @pytest.mark.clause("4.2.1")
    async def test_first_attempt_records_every_participant_and_moves_to_informal(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        colleague = await make_user(db, passwords, Role.ombudsperson)
        response = await _post(client, case, _attempt([case.ombudsperson, colleague]))
        assert response.status_code == 201, response.text
        out = response.json()
        assert out["method"] == "facilitated_meeting"
        assert out["outcome"] == "pending"
        assert {p["user_id"] for p in out["participants"]} == {
            str(case.ombudsperson.id),
            str(colleague.id),
        }
        complaint = await reload(db, case.id)
        assert complaint.stage is Stage.informal
        assert response.headers["ETag"] != case.etag
        assert response.headers["ETag"] == f'"{complaint.id.hex[:12]}-v{complaint.version}"'
        rows = (await db.scalars(select(InformalParticipant))).all()
        assert {(r.user_id, r.complaint_id) for r in rows} == {
            (case.ombudsperson.id, complaint.id),
            (colleague.id, complaint.id),
        }
        assert await audits(db, "informal.record_attempt", out["id"]) == 1

        # A second attempt keeps the stage.
        again = await _post(
            client,
            case,
            _attempt([case.ombudsperson], method="shuttle_discussion"),
            response.headers["ETag"],
        )
        assert again.status_code == 201
        assert (await reload(db, case.id)).stage is Stage.informal

    @pytest.mark.clause("4.3.1(v)")
    async def test_an_ombudsperson_who_took_part_may_read_the_complaint(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        colleague, colleague_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        assert (await client.get(case.url(), headers=colleague_headers)).status_code == 404
        response = await _post(client, case, _attempt([colleague]))
        assert response.status_code == 201
        assert (await client.get(case.url(), headers=colleague_headers)).status_code == 200

    @pytest.mark.clause("4.2.1")
    async def test_another_method_needs_its_description(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        body = _attempt([case.ombudsperson], method="other_agreed_method")
        response = await _post(client, case, body)
        assert errors(problem(response, 422)) == [("method_description", "required")]
        await _unchanged(db, case)
        body["method_description"] = "A written exchange through the ombudsperson"
        response = await _post(client, case, body)
        assert response.status_code == 201
        assert response.json()["method_description"] == body["method_description"]

    @pytest.mark.clause("4.2.1")
    async def test_participants_are_active_ombudspersons(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        officer = await make_user(db, passwords, Role.table_officer)
        inactive = await make_user(db, passwords, Role.ombudsperson, active=False)
        body = _attempt([case.ombudsperson, officer, inactive, ABSENT, case.ombudsperson])
        response = await _post(client, case, body)
        assert errors(problem(response, 422)) == [
            ("participant_ids.1", "active_ombudsperson"),
            ("participant_ids.2", "active_ombudsperson"),
            ("participant_ids.3", "active_ombudsperson"),
            ("participant_ids.4", "unique"),
        ]
        await _unchanged(db, case)

    async def test_at_least_one_participant(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        response = await _post(client, case, _attempt([]))
        assert errors(problem(response, 422)) == [("participant_ids", "too_short")]
        await _unchanged(db, case)

    @pytest.mark.clause("4.3.1(v)")
    @pytest.mark.parametrize("who", ["witness", "complainant", "other_party"])
    async def test_a_party_or_witness_cannot_take_part(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, who: str
    ) -> None:
        case = await new_case(db, passwords, client)
        member = getattr(case, who)
        involved = await make_user(db, passwords, Role.ombudsperson, member=member)
        response = await _post(client, case, _attempt([case.ombudsperson, involved]))
        body = problem(response, 422)
        assert errors(body) == [("participant_ids.1", "not_party_or_witness")]
        assert member.full_name not in response.text
        await _unchanged(db, case)

    async def test_an_attempt_is_not_in_the_future(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        response = await _post(client, case, _attempt([case.ombudsperson], held_on=tomorrow))
        assert errors(problem(response, 422)) == [("held_on", "not_future")]
        await _unchanged(db, case)

    async def test_a_stale_or_missing_if_match_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        stale = case.etag.replace(f"-v{case.detail['version']}", "-v999")
        problem(await _post(client, case, _attempt([case.ombudsperson]), stale), 412)
        response = await client.post(
            case.url("informal-attempts"), json=_attempt([case.ombudsperson]), headers=case.headers
        )
        assert errors(problem(response, 428)) == [("If-Match", "required")]
        await _unchanged(db, case)

    async def test_not_once_the_formal_route_is_chosen(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        detail, etag = await to_letter(client, case.headers, case.detail, case.etag)
        response = await _post(client, case, _attempt([case.ombudsperson]), etag)
        body = stage_refusal(response, "letter")
        assert "edit_letter" in body["allowed_actions"]
        assert await count(db, InformalAttempt) == 0
        assert (await reload(db, case.id)).version == detail["version"]

    async def test_who_may_record(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        body = _attempt([case.ombudsperson])
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        headers = {"If-Match": case.etag}
        problem(await client.post(case.url("informal-attempts"), json=body, headers=headers), 401)
        for role in (Role.staff_resource, Role.table_officer, Role.administrator):
            _, role_headers = await signed_in(db, passwords, client, role)
            response = await client.post(
                case.url("informal-attempts"), json=body, headers=with_etag(role_headers, case.etag)
            )
            problem(response, 403)
        response = await client.post(
            case.url("informal-attempts"), json=body, headers=with_etag(other, case.etag)
        )
        problem(response, 404)
        await _unchanged(db, case)


class TestUpdateAttempt:
    @pytest.mark.clause("4.2.1")
    async def test_records_the_answer_and_the_outcome(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, attempt, etag = await with_attempt(db, passwords, client)
        url = case.url("informal-attempts", attempt["id"])
        body = {"other_party_answer": "Declines to apologise.", "outcome": "refused"}
        response = await client.patch(url, json=body, headers=with_etag(case.headers, etag))
        assert response.status_code == 200, response.text
        assert (response.json()["other_party_answer"], response.json()["outcome"]) == (
            "Declines to apologise.",
            "refused",
        )
        assert response.headers["ETag"] != etag
        # Only the fields sent change.
        response = await client.patch(
            url,
            json={"outcome": "failed"},
            headers=with_etag(case.headers, response.headers["ETag"]),
        )
        assert response.json()["other_party_answer"] == "Declines to apologise."
        assert response.json()["outcome"] == "failed"
        assert await audits(db, "informal.update_attempt", attempt["id"]) == 2

    async def test_an_outcome_cannot_be_cleared(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, attempt, etag = await with_attempt(db, passwords, client)
        response = await client.patch(
            case.url("informal-attempts", attempt["id"]),
            json={"outcome": None},
            headers=with_etag(case.headers, etag),
        )
        assert errors(problem(response, 422)) == [("outcome", "required")]
        saved = await db.get(InformalAttempt, uuid.UUID(attempt["id"]), populate_existing=True)
        assert saved is not None and saved.outcome.value == "pending"

    async def test_an_attempt_of_another_complaint_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, etag = await with_attempt(db, passwords, client)
        _, other_attempt, _ = await with_attempt(db, passwords, client)
        for attempt_id in (other_attempt["id"], ABSENT):
            response = await client.patch(
                case.url("informal-attempts", attempt_id),
                json={"outcome": "resolved"},
                headers=with_etag(case.headers, etag),
            )
            problem(response, 404)
        saved = await db.get(InformalAttempt, uuid.UUID(other_attempt["id"]))
        assert saved is not None and saved.outcome.value == "pending"

    async def test_stale_if_match_and_callers(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, attempt, etag = await with_attempt(db, passwords, client)
        url = case.url("informal-attempts", attempt["id"])
        body = {"outcome": "resolved"}
        problem(await client.patch(url, json=body, headers=with_etag(case.headers, case.etag)), 412)
        problem(await client.patch(url, json=body, headers={"If-Match": etag}), 401)
        _, staff = await signed_in(db, passwords, client, Role.staff_resource)
        problem(await client.patch(url, json=body, headers=with_etag(staff, etag)), 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await client.patch(url, json=body, headers=with_etag(other, etag)), 404)
        saved = await db.get(InformalAttempt, uuid.UUID(attempt["id"]), populate_existing=True)
        assert saved is not None and saved.outcome.value == "pending"


class TestListAttempts:
    @pytest.mark.clause("4.2.1")
    async def test_lists_attempts_and_the_read_is_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, attempt, etag = await with_attempt(db, passwords, client)
        colleague, colleague_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        second, _ = await record_attempt(
            client,
            case.headers,
            case.detail,
            etag,
            [str(colleague.id)],
            held_on=date(2026, 2, 10),
        )
        for headers in (case.headers, colleague_headers):
            response = await client.get(case.url("informal-attempts"), headers=headers)
            assert response.status_code == 200
            assert [a["id"] for a in response.json()] == [attempt["id"], second["id"]]
            assert [p["user_id"] for p in response.json()[1]["participants"]] == [str(colleague.id)]
        assert await audits(db, "informal.list_attempts", case.id) == 2

    async def test_who_may_read(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await with_attempt(db, passwords, client)
        url = case.url("informal-attempts")
        problem(await client.get(url), 401)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        problem(await client.get(url, headers=officer), 403)
        for role in (Role.ombudsperson, Role.staff_resource):
            _, headers = await signed_in(db, passwords, client, role)
            problem(await client.get(url, headers=headers), 404)
        assert await audits(db, "informal.list_attempts") == 0
