"""4.3, 4.3.1: the member's formal route, directly from intake or after informal attempts."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    Closure,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    FormalRoute,
    PartyNotice,
    Role,
    Stage,
)
from tests.factories.accounts import signed_in
from tests.factories.procedure import record_attempt
from tests.formal.support import (
    Case,
    audits,
    client_with,
    count,
    errors,
    new_case,
    problem,
    reload,
    stage_refusal,
    with_etag,
)

LOCAL_500 = {"route": "local_500_procedure"}


async def _choose(
    client: httpx.AsyncClient, case: Case, body: dict[str, str], etag: str | None = None
) -> httpx.Response:
    return await client.post(
        case.url("formal-route"), json=body, headers=with_etag(case.headers, etag or case.etag)
    )


async def _unchanged(db: AsyncSession, case: Case, stage: Stage, version: int) -> None:
    complaint = await reload(db, case.id)
    assert (complaint.stage, complaint.version) == (stage, version)
    assert (complaint.formal_route, complaint.formal_route_chosen_on) == (None, None)
    assert await count(db, Deadline, Deadline.complaint_id.is_not(None)) == 0


class TestChooseRoute:
    @pytest.mark.clause("4.3.1")
    async def test_a_constitutional_charge_closes_the_record_as_referred(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        body = {"route": "cupe_constitutional_charge", "chosen_on": "2026-02-03"}
        response = await _choose(client, case, body)
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["stage"], out["closure"]) == ("closed", "referred_to_charge")
        assert (out["formal_route"], out["formal_route_chosen_on"]) == (
            "cupe_constitutional_charge",
            "2026-02-03",
        )
        assert out["deadlines"] == []
        complaint = await reload(db, case.id)
        assert complaint.referred_to_charge_on == date(2026, 2, 3)
        assert complaint.closure is Closure.referred_to_charge
        assert await audits(db, "formal.choose_route", case.id) == 1

    @pytest.mark.clause("4.3")
    async def test_the_local_500_procedure_directly_from_intake(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        response = await _choose(client, case, {**LOCAL_500, "chosen_on": "2026-02-06"})
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["stage"], out["formal_route"]) == ("letter", "local_500_procedure")
        assert "edit_letter" in out["allowed_actions"]
        assert response.headers["ETag"] == f'"{case.id.replace("-", "")[:12]}-v{out["version"]}"'
        # 4.3.1(iii): the officers' notice target counts 7 days from the choice: Fri 2026-02-13.
        [notice] = out["deadlines"]
        assert (notice["kind"], notice["status"], notice["due_on"]) == (
            "table_officer_notice",
            "open",
            "2026-02-13",
        )
        assert notice["trigger_on"] == "2026-02-06"
        # The letter stage involves only the complainant: no party notices yet (4.3.1(vii)).
        assert await count(db, PartyNotice) == 0

    @pytest.mark.clause("4.3.1(iii)")
    async def test_the_date_defaults_to_today_and_the_target_is_a_setting(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, database_url: str
    ) -> None:
        case = await new_case(db, passwords, client)
        async with client_with(database_url, notify_table_officers_target_days=2) as other:
            response = await other.post(
                case.url("formal-route"), json=LOCAL_500, headers=with_etag(case.headers, case.etag)
            )
        assert response.status_code == 200, response.text
        assert response.json()["formal_route_chosen_on"] == local_today().isoformat()
        deadline = await db.scalar(select(Deadline).where(Deadline.complaint_id.is_not(None)))
        assert deadline is not None
        assert deadline.kind is DeadlineKind.table_officer_notice
        assert (deadline.trigger_on, deadline.period_days) == (local_today(), 2)
        assert deadline.nominal_due_on == local_today() + timedelta(days=2)

    @pytest.mark.clause("4.2.1(iv)")
    @pytest.mark.parametrize("outcome", ["refused", "failed", "pending"])
    async def test_after_informal_attempts_that_did_not_resolve_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, outcome: str
    ) -> None:
        case = await new_case(db, passwords, client)
        _, etag = await record_attempt(
            client,
            case.headers,
            case.detail,
            case.etag,
            [str(case.ombudsperson.id)],
            outcome=outcome,
        )
        response = await _choose(client, case, LOCAL_500, etag)
        assert response.status_code == 200, response.text
        assert response.json()["stage"] == "letter"

    @pytest.mark.clause("4.2.1(iv)")
    async def test_refused_when_an_attempt_resolved_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        _, etag = await record_attempt(
            client,
            case.headers,
            case.detail,
            case.etag,
            [str(case.ombudsperson.id)],
            outcome="failed",
        )
        _, etag = await record_attempt(
            client, case.headers, case.detail, etag, [str(case.ombudsperson.id)], outcome="resolved"
        )
        version = (await reload(db, case.id)).version
        body = problem(await _choose(client, case, LOCAL_500, etag), 409)
        assert "resolved informally" in body["detail"]
        assert errors(body) == [("route", "not_resolved_informally")]
        await _unchanged(db, case, Stage.informal, version)

    @pytest.mark.clause("4.3.1")
    async def test_the_date_of_the_choice_is_possible(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)  # received on 2026-02-02
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        response = await _choose(client, case, {**LOCAL_500, "chosen_on": tomorrow})
        assert errors(problem(response, 422)) == [("chosen_on", "not_future")]
        response = await _choose(client, case, {**LOCAL_500, "chosen_on": "2026-02-01"})
        assert errors(problem(response, 422)) == [("chosen_on", "not_before_received")]
        response = await _choose(client, case, {"route": "arbitration"})
        assert errors(problem(response, 422)) == [("route", "enum")]
        await _unchanged(db, case, Stage.intake, case.detail["version"])

    async def test_not_twice(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        response = await _choose(client, case, LOCAL_500)
        etag, version = response.headers["ETag"], response.json()["version"]
        again = await _choose(client, case, {"route": "cupe_constitutional_charge"}, etag)
        body = stage_refusal(again, "letter")
        assert "choose_formal_route" not in body["allowed_actions"]
        complaint = await reload(db, case.id)
        assert (complaint.stage, complaint.version) == (Stage.letter, version)
        assert complaint.formal_route is FormalRoute.local_500_procedure

    async def test_a_stale_or_missing_if_match_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        stale = case.etag.replace(f"-v{case.detail['version']}", "-v0")
        body = problem(await _choose(client, case, LOCAL_500, stale), 412)
        assert body["current_version"] == case.detail["version"]
        response = await client.post(case.url("formal-route"), json=LOCAL_500, headers=case.headers)
        assert errors(problem(response, 428)) == [("If-Match", "required")]
        await _unchanged(db, case, Stage.intake, case.detail["version"])

    @pytest.mark.clause("4.2.1")
    async def test_an_ombudsperson_who_took_part_informally_may_record_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        colleague, colleague_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        _, etag = await record_attempt(
            client, case.headers, case.detail, case.etag, [str(colleague.id)], outcome="refused"
        )
        response = await client.post(
            case.url("formal-route"), json=LOCAL_500, headers=with_etag(colleague_headers, etag)
        )
        assert response.status_code == 200, response.text
        assert response.json()["stage"] == "letter"

    async def test_who_may_choose(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        url = case.url("formal-route")
        problem(await client.post(url, json=LOCAL_500, headers={"If-Match": case.etag}), 401)
        for role in (Role.staff_resource, Role.table_officer, Role.administrator):
            _, headers = await signed_in(db, passwords, client, role)
            problem(
                await client.post(url, json=LOCAL_500, headers=with_etag(headers, case.etag)), 403
            )
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await client.post(url, json=LOCAL_500, headers=with_etag(other, case.etag)), 404)
        await _unchanged(db, case, Stage.intake, case.detail["version"])
        assert (
            await count(
                db,
                Deadline,
                Deadline.complaint_id.is_not(None),
                Deadline.status == DeadlineStatus.open,
            )
            == 0
        )
