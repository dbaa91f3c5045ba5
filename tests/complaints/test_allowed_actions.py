"""`allowed_actions` in the complaint's detail is the caller's: exactly the steps this caller
may take on this complaint now. For representative states and every role that reads the
complaint, each action not listed is refused by its route (403, 404, 409 or 422, nothing
changed) and each listed action is accepted by its route (on a fresh copy of the state)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.complaints import access
from ombuds.complaints.actions import OFFICERS_ONLY, RULES
from ombuds.complaints.stages import Action
from ombuds.kit.clock import local_today
from ombuds.models import PartyNotice, Role
from ombuds.settings import Settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit
from tests.factories.investigation import (
    add_recommendation,
    at_closed,
    at_conclusions,
    at_investigation,
    record_entry,
    reload,
    tell_owed_notices,
)
from tests.factories.procedure import COMPLETE_LETTER, record_attempt, to_letter, to_review

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFUSED = {403, 404, 409, 422}


@dataclass
class State:
    complaint_id: uuid.UUID
    callers: dict[str, dict[str, str]]  # role in the case -> headers
    intake_id: str


Builder = Callable[[httpx.AsyncClient, AsyncSession, Passwords, Settings], Awaitable[State]]


async def _informal(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, outcome: str
) -> State:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    intake, intake_headers = await signed_in(db, passwords, client, Role.ombudsperson)
    colleague, colleague_headers = await signed_in(db, passwords, client, Role.ombudsperson)
    detail, etag = await file_complaint(client, intake_headers, complaint_body(a, b))
    await record_attempt(
        client, intake_headers, detail, etag, [str(intake.id), str(colleague.id)], outcome=outcome
    )
    callers = {"intake": intake_headers, "informal": colleague_headers}
    return State(uuid.UUID(detail["id"]), callers, str(intake.id))


async def informal_pending(c: Any, db: Any, p: Any, s: Any) -> State:
    return await _informal(c, db, p, "pending")


async def informal_resolved(c: Any, db: Any, p: Any, s: Any) -> State:
    return await _informal(c, db, p, "resolved")


async def letter_draft(c: Any, db: Any, p: Any, s: Any) -> State:
    state = await _informal(c, db, p, "refused")
    detail = {"id": str(state.complaint_id)}
    etag = access.etag(await reload(db, state.complaint_id))
    await to_letter(c, state.callers["intake"], detail, etag)
    return state


async def review(c: Any, db: Any, p: Any, s: Any) -> State:
    state = await _informal(c, db, p, "failed")
    detail = {"id": str(state.complaint_id), "stage": "informal"}
    etag = access.etag(await reload(db, state.complaint_id))
    await to_review(c, state.callers["intake"], detail, etag)
    return state


def _from_case(case: Any) -> State:
    callers = {"intake": case.intake.headers, "crc": case.crc[0].headers}
    callers["staff"] = case.staff.headers
    return State(case.id, callers, str(case.intake.user.id))


async def investigation(c: Any, db: Any, p: Any, s: Any) -> State:
    return _from_case(await at_investigation(c, db, p, s))


async def found_without_recommendations(c: Any, db: Any, p: Any, s: Any) -> State:
    return _from_case(await at_conclusions(c, db, p, s, recommendations=0))


async def found_undisclosed(c: Any, db: Any, p: Any, s: Any) -> State:
    case = await at_conclusions(c, db, p, s, recommendations=1)
    return _from_case(case)


async def dismissed(c: Any, db: Any, p: Any, s: Any) -> State:
    return _from_case(await at_conclusions(c, db, p, s, found=False))


async def closed(c: Any, db: Any, p: Any, s: Any) -> State:
    return _from_case(await at_closed(c, db, p, s))


async def redirected(c: Any, db: Any, p: Any, s: Any) -> State:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    intake, headers = await signed_in(db, p, c, Role.ombudsperson)
    body = complaint_body(a, b, setting="workplace", redirected_to="grievance_procedure")
    detail, _ = await file_complaint(c, headers, body)
    return State(uuid.UUID(detail["id"]), {"intake": headers}, str(intake.id))


STATES: dict[str, tuple[Builder, tuple[str, ...]]] = {
    "informal_pending": (informal_pending, ("intake", "informal")),
    "informal_resolved": (informal_resolved, ("intake", "informal")),
    "letter": (letter_draft, ("intake",)),
    "review": (review, ("intake",)),
    "investigation": (investigation, ("intake", "crc", "staff")),
    "found_without_recommendations": (found_without_recommendations, ("intake", "crc", "staff")),
    "found_undisclosed": (found_undisclosed, ("crc",)),
    "dismissed": (dismissed, ("intake", "crc")),
    "closed": (closed, ("intake", "crc", "staff")),
    "redirected": (redirected, ("intake",)),
}
CASE_WORKER_ACTIONS = [a for a in Action if a not in OFFICERS_ONLY]


def test_every_case_worker_action_has_a_rule() -> None:
    assert set(RULES) == set(CASE_WORKER_ACTIONS)


async def _untold_notice(db: AsyncSession, complaint_id: uuid.UUID) -> str:
    found = await db.scalar(
        select(PartyNotice.id)
        .where(PartyNotice.complaint_id == complaint_id)
        .order_by(PartyNotice.told_on.is_not(None), PartyNotice.id)
        .limit(1)
    )
    return str(found or uuid.uuid4())


async def attempt(
    client: httpx.AsyncClient, db: AsyncSession, state: State, who: str, action: Action
) -> httpx.Response:
    """Send ``action``'s route with a valid body, as ``who``, at the current ETag."""
    complaint = await reload(db, state.complaint_id)
    headers = {**state.callers[who], "If-Match": access.etag(complaint)}
    url = f"/api/complaints/{state.complaint_id}"
    today = local_today().isoformat()
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    json: dict[str, Any] | None = None
    method, path = "POST", ""
    match action:
        case Action.edit_intake:
            method, path, json = "PATCH", "/intake", {"resolution_sought": "An apology."}
        case Action.redirect:
            path, json = "/redirect", {"redirected_to": "grievance_procedure"}
        case Action.record_informal_attempt:
            path = "/informal-attempts"
            json = {
                "method": "facilitated_meeting",
                "held_on": yesterday,
                "participant_ids": [state.intake_id],
                "proposal": "A meeting.",
            }
        case Action.resolve_informally:
            path = "/resolve-informally"
        case Action.choose_formal_route:
            path, json = "/formal-route", {"route": "local_500_procedure"}
        case Action.edit_letter:
            method, path, json = "PUT", "/letter", COMPLETE_LETTER
        case Action.attach_document:
            files = {"file": ("letter.pdf", PDF, "application/pdf")}
            return await client.post(url + "/attachments", headers=headers, files=files)
        case Action.complete_letter:
            path = "/letter/complete"
        case Action.record_other_party_review:
            path, json = "/other-party-review", {"reviewed_on": today}
        case Action.record_response:
            path, json = "/response", {"received_on": today, "text": "I disagree."}
        case Action.notify_table_officers:
            path = "/notify-table-officers"
        case Action.declare_ombudsperson_conflict:
            path = "/ombudsperson-conflict"
        case Action.record_investigation:
            path = "/investigation"
            json = {"kind": "complainant_interview", "occurred_on": today, "notes": "Met."}
        case Action.record_findings:
            path = "/findings"
            json = {"finding": "harassment_found", "findings_on": today, "findings_text": "Yes."}
        case Action.add_recommendation:
            path, json = "/recommendations", {"kind": "apology", "text": "An apology."}
        case Action.disclose_recommendations:
            path, json = "/recommendations/disclose", {"reason": "Corrective action"}
        case Action.tell_conclusions:
            told = complaint.complainant_told_conclusions_on is not None
            party = "other_party" if told else "complainant"
            path = "/conclusions/told"
            json = {"party": party, "told_on": today, "method": "in_person"}
        case Action.record_not_satisfied:
            path = "/not-satisfied"
            json = {"complainant_not_satisfied_on": today, "referred_to_charge_on": today}
        case Action.record_party_notice:
            notice = await _untold_notice(db, state.complaint_id)
            path, json = f"/party-notices/{notice}/told", {"told_on": today, "method": "letter"}
        case Action.close:
            path = "/close"
        case Action.withdraw:
            path = "/withdraw"
        case _:
            raise AssertionError(action)
    return await client.request(method, url + path, headers=headers, json=json)


async def listed(client: httpx.AsyncClient, state: State, who: str) -> list[str]:
    response = await client.get(f"/api/complaints/{state.complaint_id}", headers=state.callers[who])
    assert response.status_code == 200, response.text
    actions: list[str] = response.json()["allowed_actions"]
    return actions


CELLS = [(name, who) for name, (_, roles) in STATES.items() for who in roles]


class TestAllowedActionsAreWhatTheRoutesAccept:
    @pytest.mark.clause("4.3.1")
    @pytest.mark.parametrize(("state_name", "who"), CELLS, ids=[f"{s}-{w}" for s, w in CELLS])
    async def test_listed_iff_accepted(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        state_name: str,
        who: str,
    ) -> None:
        build, _ = STATES[state_name]
        state = await build(client, db, passwords, settings)
        shown = await listed(client, state, who)
        assert shown == [a.value for a in CASE_WORKER_ACTIONS if a.value in shown]  # in order
        wrong = []
        version = (await reload(db, state.complaint_id)).version
        for action in CASE_WORKER_ACTIONS:
            if action.value in shown:
                continue
            response = await attempt(client, db, state, who, action)
            if response.status_code not in REFUSED:
                wrong.append((action.value, "not listed", response.status_code, response.text))
        assert (await reload(db, state.complaint_id)).version == version  # nothing changed
        for action in CASE_WORKER_ACTIONS:
            if action.value not in shown:
                continue
            fresh = await build(client, db, passwords, settings)
            response = await attempt(client, db, fresh, who, action)
            if not response.is_success:
                wrong.append((action.value, "listed", response.status_code, response.text))
        assert wrong == []


class TestNamedExamples:
    @pytest.mark.clause("4.2.1")
    async def test_resolve_informally_only_once_an_attempt_resolved_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        pending = await informal_pending(client, db, passwords, settings)
        assert "resolve_informally" not in await listed(client, pending, "intake")
        assert "choose_formal_route" in await listed(client, pending, "intake")
        resolved = await informal_resolved(client, db, passwords, settings)
        for who in ("intake", "informal"):
            shown = await listed(client, resolved, who)
            assert "resolve_informally" in shown
            assert "choose_formal_route" not in shown

    @pytest.mark.clause("4.3.1(vi)")
    async def test_record_investigation_only_for_the_crc(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        state = await investigation(client, db, passwords, settings)
        # The other party has responded (at_investigation records it); notices of the
        # investigation stage are still owed, so the complaint cannot be withdrawn yet.
        assert await listed(client, state, "intake") == [
            "attach_document",
            "record_response",
            "record_party_notice",
        ]
        assert await listed(client, state, "crc") == ["record_investigation", "record_party_notice"]
        assert await listed(client, state, "staff") == ["record_investigation"]

    @pytest.mark.clause("1.3")
    async def test_nothing_to_do_on_a_redirected_complaint(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        state = await redirected(client, db, passwords, settings)
        assert await listed(client, state, "intake") == []

    @pytest.mark.clause("4.3.1(viii)")
    async def test_the_order_of_the_conclusions(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case = await at_conclusions(client, db, passwords, settings, recommendations=0)
        state = _from_case(case)
        shown = await listed(client, state, "crc")
        assert "tell_conclusions" not in shown and "close" not in shown
        assert "add_recommendation" in shown and "disclose_recommendations" not in shown
        await add_recommendation(client, case)
        shown = await listed(client, state, "crc")
        assert {"tell_conclusions", "disclose_recommendations"} <= set(shown)
        assert "close" not in shown


class TestActionsFollowTheProcedure:
    @pytest.mark.clause("4.3.1(vi)")
    async def test_findings_are_not_offered_while_the_response_is_awaited(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case = await at_investigation(client, db, passwords, settings, response="asked")
        await record_entry(client, case)
        state = _from_case(case)
        assert "record_findings" not in await listed(client, state, "crc")
        refused = await attempt(client, db, state, "crc", Action.record_findings)
        assert refused.status_code == 409, refused.text
        answered = await attempt(client, db, state, "intake", Action.record_response)
        assert answered.status_code == 200, answered.text
        assert "record_findings" in await listed(client, state, "crc")

    @pytest.mark.clause("4.3.1(vii)")
    async def test_withdraw_is_offered_once_the_owed_notices_are_told_or_waived(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case = await at_investigation(client, db, passwords, settings)
        state = _from_case(case)
        assert "withdraw" not in await listed(client, state, "intake")
        await tell_owed_notices(client, case)
        shown = await listed(client, state, "intake")
        assert "withdraw" in shown and "record_party_notice" not in shown
