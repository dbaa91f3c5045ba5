"""4.3.1(i): the detailed, signed letter, complete before the procedure moves on."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import Letter, PartyNotice, Role, Stage
from tests.factories.accounts import make_user, signed_in
from tests.factories.procedure import COMPLETE_LETTER, save_letter, to_committee, to_letter
from tests.formal.support import (
    Case,
    audits,
    count,
    errors,
    new_case,
    problem,
    reload,
    seat_committee,
    stage_refusal,
    with_etag,
)

ALL_FIELDS = [
    "what_took_place",
    "when_it_took_place",
    "occurred_at",
    "witnesses",
    "resolution_sought",
    "signed_on",
]


async def _at_letter(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> tuple[Case, str]:
    case = await new_case(db, passwords, client)
    _, etag = await to_letter(client, case.headers, case.detail, case.etag)
    return case, etag


async def _put(
    client: httpx.AsyncClient, case: Case, etag: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.put(case.url("letter"), json=body, headers=with_etag(case.headers, etag))


async def _letter(db: AsyncSession, case: Case) -> Letter | None:
    return await db.get(Letter, uuid.UUID(case.id), populate_existing=True)


class TestSaveLetter:
    @pytest.mark.clause("4.3.1(i)")
    async def test_a_draft_says_what_it_still_lacks(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        draft = {"what_took_place": "Comments about my age.", "signed_on": "2026-02-02"}
        response = await _put(client, case, etag, draft)
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["what_took_place"], out["signed_on"]) == (
            "Comments about my age.",
            "2026-02-02",
        )
        assert out["complete"] is False
        assert out["missing"] == [
            "when_it_took_place",
            "occurred_at",
            "witnesses",
            "resolution_sought",
        ]
        assert response.headers["ETag"] != etag
        assert await audits(db, "formal.save_letter", case.id) == 1

    @pytest.mark.clause("4.3.1(i)")
    async def test_the_draft_is_replaced_as_a_whole(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        full, etag = await save_letter(client, case.headers, case.detail, etag, COMPLETE_LETTER)
        assert (full["complete"], full["missing"]) == (True, [])
        response = await _put(client, case, etag, {"witnesses": "None present."})
        assert response.json()["missing"] == [f for f in ALL_FIELDS if f != "witnesses"]
        letter = await _letter(db, case)
        assert letter is not None
        assert (letter.witnesses, letter.what_took_place) == ("None present.", None)

    async def test_the_time_without_an_offset_is_winnipeg_time(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await _put(client, case, etag, {"occurred_at": "2026-01-20T19:30:00"})
        assert response.json()["occurred_at"] == "2026-01-20T19:30:00-06:00"
        letter = await _letter(db, case)
        assert letter is not None and letter.occurred_at is not None
        assert letter.occurred_at.isoformat() == "2026-01-21T01:30:00+00:00"

    async def test_dates_are_not_in_the_future(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        tomorrow = local_today() + timedelta(days=1)
        body = {"signed_on": tomorrow.isoformat(), "occurred_at": f"{tomorrow}T12:00:00"}
        response = await _put(client, case, etag, body)
        assert errors(problem(response, 422)) == [
            ("signed_on", "not_future"),
            ("occurred_at", "not_future"),
        ]
        assert await _letter(db, case) is None
        response = await _put(client, case, etag, {"what_took_place": ""})
        assert errors(problem(response, 422)) == [("what_took_place", "string_too_short")]
        response = await _put(client, case, etag, {"signature": "x"})
        assert errors(problem(response, 422)) == [("signature", "extra_forbidden")]
        assert await count(db, Letter) == 0

    async def test_a_stale_if_match_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        await save_letter(client, case.headers, case.detail, etag, COMPLETE_LETTER)
        version = (await reload(db, case.id)).version
        problem(await _put(client, case, etag, {"witnesses": "Changed."}), 412)
        letter = await _letter(db, case)
        assert letter is not None and letter.witnesses == COMPLETE_LETTER["witnesses"]
        assert (await reload(db, case.id)).version == version

    async def test_only_at_the_letter_stage(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        response = await _put(client, case, case.etag, COMPLETE_LETTER)
        body = stage_refusal(response, "intake")
        assert "choose_formal_route" in body["allowed_actions"]
        assert await count(db, Letter) == 0

    async def test_who_may_write(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        url = case.url("letter")
        problem(await client.put(url, json=COMPLETE_LETTER, headers={"If-Match": etag}), 401)
        for role in (Role.staff_resource, Role.table_officer, Role.administrator):
            _, headers = await signed_in(db, passwords, client, role)
            response = await client.put(url, json=COMPLETE_LETTER, headers=with_etag(headers, etag))
            problem(response, 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.put(url, json=COMPLETE_LETTER, headers=with_etag(other, etag))
        problem(response, 404)
        assert await count(db, Letter) == 0


class TestGetLetter:
    @pytest.mark.clause("4.3.1(i)")
    async def test_before_any_draft_everything_is_missing_and_reads_are_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await client.get(case.url("letter"), headers=case.headers)
        assert response.status_code == 200
        out = response.json()
        assert (out["complete"], out["missing"], out["what_took_place"]) == (
            False,
            ALL_FIELDS,
            None,
        )
        assert response.headers["ETag"] == etag
        assert await audits(db, "formal.read_letter", case.id) == 1

    @pytest.mark.clause("4.3.1(vi)")
    async def test_the_crc_reads_the_letter_but_does_not_change_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        detail, etag = await to_committee(client, case.headers, case.detail, case.etag)
        member, member_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        others = [await make_user(db, passwords, Role.ombudsperson) for _ in range(2)]
        staff, staff_headers = await signed_in(db, passwords, client, Role.staff_resource)
        _, outsider = await signed_in(db, passwords, client, Role.staff_resource)
        problem(await client.get(case.url("letter"), headers=member_headers), 404)
        await seat_committee(db, case.id, [member, *others], staff)
        for headers in (member_headers, staff_headers):
            response = await client.get(case.url("letter"), headers=headers)
            assert response.status_code == 200
            assert response.json()["what_took_place"] == COMPLETE_LETTER["what_took_place"]
        problem(await client.get(case.url("letter"), headers=outsider), 404)
        # Completing the letter is the handling ombudsperson's step, not the CRC's.
        response = await client.post(
            case.url("letter", "complete"), headers=with_etag(member_headers, etag)
        )
        problem(response, 403)
        assert (await reload(db, case.id)).version == detail["version"]

    async def test_who_may_read(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _ = await _at_letter(db, passwords, client)
        problem(await client.get(case.url("letter")), 401)
        for role in (Role.table_officer, Role.administrator):
            _, headers = await signed_in(db, passwords, client, role)
            problem(await client.get(case.url("letter"), headers=headers), 403)
        assert await audits(db, "formal.read_letter") == 0


class TestCompleteLetter:
    @pytest.mark.clause("4.3.1(i)")
    @pytest.mark.parametrize(
        "draft",
        [
            None,
            {"what_took_place": "Comments.", "signed_on": "2026-02-02"},
            {k: v for k, v in COMPLETE_LETTER.items() if k != "witnesses"},
        ],
        ids=["no draft", "partial", "no witnesses"],
    )
    async def test_an_incomplete_letter_is_refused_naming_every_missing_part(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        draft: dict[str, Any] | None,
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        if draft is not None:
            _, etag = await save_letter(client, case.headers, case.detail, etag, draft)
        version = (await reload(db, case.id)).version
        response = await client.post(
            case.url("letter", "complete"), headers=with_etag(case.headers, etag)
        )
        body = problem(response, 422)
        expected = [f for f in ALL_FIELDS if draft is None or f not in draft]
        assert errors(body) == [(f, "required") for f in expected]
        complaint = await reload(db, case.id)
        assert (complaint.stage, complaint.version) == (Stage.letter, version)
        assert await count(db, PartyNotice) == 0

    @pytest.mark.clause("4.3.1(i)")
    async def test_the_refusal_names_the_missing_parts_in_words(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        draft = {"what_took_place": "Comments.", "when_it_took_place": "At the meeting."}
        _, etag = await save_letter(client, case.headers, case.detail, etag, draft)
        response = await client.post(
            case.url("letter", "complete"), headers=with_etag(case.headers, etag)
        )
        body = problem(response, 422)
        assert body["detail"].startswith(
            "The letter is not complete: it still needs the date and time, witnesses, "
            "the resolution sought and the signature."
        )
        # The codes stay beside the words, for an app to translate.
        assert [(e["field"], e["message"]) for e in body["errors"]] == [
            ("occurred_at", "the date and time: required in the signed letter"),
            ("witnesses", "witnesses: required in the signed letter"),
            ("resolution_sought", "the resolution sought: required in the signed letter"),
            ("signed_on", "the signature: required in the signed letter"),
        ]
        assert "occurred_at" not in body["detail"] and "signed_on" not in body["detail"]

    @pytest.mark.clause("4.3.1(i)")
    async def test_a_complete_letter_moves_on_to_the_review(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        _, etag = await save_letter(client, case.headers, case.detail, etag, COMPLETE_LETTER)
        response = await client.post(
            case.url("letter", "complete"), headers=with_etag(case.headers, etag)
        )
        assert response.status_code == 200, response.text
        out = response.json()
        assert out["stage"] == "review"
        assert "record_other_party_review" in out["allowed_actions"]
        # 4.3.1(vii): the change of stage is owed to both parties.
        assert await count(db, PartyNotice, PartyNotice.stage == Stage.review) == 2
        assert await audits(db, "formal.complete_letter", case.id) == 1
        # The completed letter is a record: it no longer changes.
        again = await _put(client, case, response.headers["ETag"], {"witnesses": "Someone."})
        stage_refusal(again, "review")
        letter = await _letter(db, case)
        assert letter is not None and letter.witnesses == COMPLETE_LETTER["witnesses"]

    async def test_stale_if_match_and_wrong_stage(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        url = case.url("letter", "complete")
        stage_refusal(await client.post(url, headers=with_etag(case.headers, case.etag)), "intake")
        _, etag = await to_letter(client, case.headers, case.detail, case.etag)
        _, etag2 = await save_letter(client, case.headers, case.detail, etag, COMPLETE_LETTER)
        problem(await client.post(url, headers=with_etag(case.headers, etag)), 412)
        assert (await reload(db, case.id)).stage is Stage.letter
        problem(await client.post(url, headers={"If-Match": etag2}), 401)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await client.post(url, headers=with_etag(other, etag2)), 404)
        assert (await reload(db, case.id)).stage is Stage.letter
