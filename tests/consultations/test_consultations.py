"""4.1: confidential consultations, recorded without opening a complaint."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import Consultation, Member, Role
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit
from tests.formal.support import ABSENT, audits, count, errors, problem

URL = "/api/consultations"


async def _member(db: AsyncSession) -> Member:
    return await make_member(db, await make_unit(db))


def _body(member: Member | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "held_on": "2026-01-26",
        "notes": "Asked what the procedure involves; no complaint yet.",
        "other_routes_told": True,
    }
    if member is not None:
        body["member_id"] = str(member.id)
    else:
        body["full_name"] = "Someone Outside"
    body.update(overrides)
    return body


async def _record(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


class TestCreate:
    @pytest.mark.clause("4.1")
    async def test_ombudsperson_records_a_consultation_with_a_member(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        member = await _member(db)
        user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        out = await _record(client, headers, _body(member))
        assert out["member_id"] == str(member.id)
        assert out["full_name"] == member.full_name
        assert out["unit_id"] == str(member.unit_id)
        assert out["held_on"] == "2026-01-26"
        assert (out["became_complaint"], out["complaint_id"]) == (False, None)
        saved = await db.get(Consultation, uuid.UUID(out["id"]))
        assert saved is not None and saved.ombudsperson_id == user.id
        assert await audits(db, "consultations.create", out["id"]) == 1

    @pytest.mark.clause("1.4")
    async def test_a_person_outside_the_directory_and_other_routes(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        out = await _record(client, headers, _body(other_routes_told=False))
        assert (out["member_id"], out["full_name"], out["unit_id"]) == (
            None,
            "Someone Outside",
            None,
        )
        assert out["other_routes_told"] is False
        out = await _record(client, headers, _body())
        assert out["other_routes_told"] is True

    @pytest.mark.parametrize(
        ("identity", "expected"),
        [
            ({"full_name": None}, [("member_id", "member_or_name")]),
            ({"member_id": ABSENT, "full_name": None}, [("member_id", "exists")]),
            ({"member_id": ABSENT}, [("member_id", "member_or_name")]),
        ],
    )
    async def test_member_or_name_is_required_and_must_exist(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        identity: dict[str, Any],
        expected: list[tuple[str, str]],
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        body = {**_body(), **identity}
        body = {k: v for k, v in body.items() if v is not None}
        response = await client.post(URL, json=body, headers=headers)
        assert errors(problem(response, 422)) == expected
        assert await count(db, Consultation) == 0

    async def test_a_consultation_is_not_in_the_future(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        response = await client.post(URL, json=_body(held_on=tomorrow), headers=headers)
        assert errors(problem(response, 422)) == [("held_on", "not_future")]
        assert await count(db, Consultation) == 0

    async def test_unknown_fields_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.post(URL, json=_body(ombudsperson_id=ABSENT), headers=headers)
        assert errors(problem(response, 422)) == [("ombudsperson_id", "extra_forbidden")]
        assert await count(db, Consultation) == 0

    @pytest.mark.parametrize("role", [Role.administrator, Role.table_officer, Role.staff_resource])
    async def test_only_ombudspersons_record_consultations(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.post(URL, json=_body(), headers=headers), 403)
        problem(await client.post(URL, json=_body()), 401)
        assert await count(db, Consultation) == 0


class TestGet:
    @pytest.mark.clause("4.1")
    async def test_only_the_ombudsperson_who_held_it_reads_it_and_every_read_is_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        out = await _record(client, headers, _body(await _member(db)))
        url = f"{URL}/{out['id']}"
        first = await client.get(url, headers=headers)
        second = await client.get(url, headers=headers)
        assert first.status_code == second.status_code == 200
        assert first.json() == out
        assert first.json()["notes"] == "Asked what the procedure involves; no complaint yet."
        # The create response shows the consultation too: that is a read as well.
        assert await audits(db, "consultations.read", out["id"]) == 3

        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        unrelated = await client.get(url, headers=other)
        missing = await client.get(f"{URL}/{ABSENT}", headers=other)
        assert problem(unrelated, 404) == problem(missing, 404)
        for role in (Role.staff_resource, Role.table_officer, Role.administrator):
            _, role_headers = await signed_in(db, passwords, client, role)
            problem(await client.get(url, headers=role_headers), 403)
        problem(await client.get(url), 401)
        assert await audits(db, "consultations.read", out["id"]) == 3

    @pytest.mark.clause("4.1")
    async def test_it_says_whether_it_became_a_complaint(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        out = await _record(client, headers, _body(a))
        body = complaint_body(a, b, consultation_id=out["id"])
        complaint, _ = await file_complaint(client, headers, body)
        read = (await client.get(f"{URL}/{out['id']}", headers=headers)).json()
        assert (read["became_complaint"], read["complaint_id"]) == (True, complaint["id"])


class TestList:
    @pytest.mark.clause("4.1")
    async def test_lists_only_the_callers_own_without_names_or_notes(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        older = await _record(client, headers, _body(held_on="2026-01-05"))
        newer = await _record(client, headers, _body(held_on="2026-01-12"))
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        await _record(client, other, _body())

        response = await client.get(URL, headers=headers)
        assert response.status_code == 200
        items = response.json()["items"]
        assert [i["id"] for i in items] == [newer["id"], older["id"]]
        assert set(items[0]) == {
            "id",
            "held_on",
            "other_routes_told",
            "became_complaint",
            "complaint_id",
            "created_at",
        }
        assert "Someone Outside" not in response.text
        assert await audits(db, "consultations.list") == 1

    async def test_pages_follow_the_cursor(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        made = [await _record(client, headers, _body(held_on=f"2026-01-0{d}")) for d in (1, 2, 3)]
        first = (await client.get(URL, params={"limit": 2}, headers=headers)).json()
        assert [i["id"] for i in first["items"]] == [made[2]["id"], made[1]["id"]]
        params = {"limit": 2, "cursor": first["next_cursor"]}
        second = (await client.get(URL, params=params, headers=headers)).json()
        assert [i["id"] for i in second["items"]] == [made[0]["id"]]
        assert second["next_cursor"] is None

    @pytest.mark.parametrize("role", [Role.administrator, Role.table_officer, Role.staff_resource])
    async def test_others_may_not_list(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get(URL, headers=headers), 403)
        problem(await client.get(URL), 401)
