"""4.3.1(vii): the parties are kept informed; the record shows when and how."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.settings import Settings
from tests.factories.investigation import Actor, Case, at_investigation, record_entry, today
from tests.investigation.support import audited, problem, state


def told(**overrides: str) -> dict[str, Any]:
    body = {"told_on": today(), "method": "phone"}
    body.update(overrides)
    return body


async def notices(client: httpx.AsyncClient, case: Case, reader: Actor) -> list[dict[str, Any]]:
    response = await client.get(f"{case.url}/party-notices", headers=reader.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


class TestListPartyNotices:
    @pytest.mark.clause("4.3.1(vii)")
    async def test_each_stage_is_owed_to_both_parties(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        items = await notices(client, found, found.crc[0])
        assert sorted((n["stage"], n["party"], n["owed"]) for n in items) == [
            ("conclusions", "complainant", True),
            ("conclusions", "other_party", True),
            ("investigation", "complainant", True),
            ("investigation", "other_party", True),
        ]
        assert all(n["told_on"] is None and n["method"] is None for n in items)
        assert await audited(db, "investigation.read_party_notices", found.crc[0].user.id) == 1

    async def test_who_may_not_read(
        self, client: httpx.AsyncClient, case: Case, outsider: Actor, admin: Actor
    ) -> None:
        url = f"{case.url}/party-notices"
        problem(await client.get(url), 401)
        problem(await client.get(url, headers=admin.headers), 403)
        problem(await client.get(url, headers=case.officer.headers), 403)
        problem(await client.get(url, headers=outsider.headers), 404)
        assert len(await notices(client, case, case.staff)) == 2


class TestRecordPartyTold:
    @pytest.mark.clause("4.3.1(vii)")
    @pytest.mark.parametrize("who", ["intake", "crc"])
    async def test_the_intake_ombudsperson_or_a_crc_member_records_how_a_party_was_told(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, who: str
    ) -> None:
        actor = case.intake if who == "intake" else case.crc[1]
        notice = next(n for n in await notices(client, case, actor) if n["party"] == "complainant")
        response = await client.post(
            f"{case.url}/party-notices/{notice['id']}/told",
            headers=case.change(actor),
            json=told(method="letter"),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["owed"], body["told_on"], body["method"]) == (False, today(), "letter")
        owed = {(n["party"], n["owed"]) for n in await notices(client, case, actor)}
        assert owed == {("complainant", False), ("other_party", True)}
        assert response.headers["ETag"] != case.etag
        assert await audited(db, "investigation.record_party_told", actor.user.id) == 1

    @pytest.mark.clause("4.3.1(vii)")
    async def test_a_party_is_told_of_a_stage_once(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        [notice, _] = await notices(client, case, case.intake)
        url = f"{case.url}/party-notices/{notice['id']}/told"
        case.took(await client.post(url, headers=case.change(case.intake), json=told()))
        before = await state(db, case.id)
        again = await client.post(url, headers=case.change(case.intake), json=told())
        problem(again, 409, "told_on", "already_told")
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vii)")
    async def test_a_party_is_not_told_in_the_future(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        [notice, _] = await notices(client, case, case.intake)
        before = await state(db, case.id)
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        response = await client.post(
            f"{case.url}/party-notices/{notice['id']}/told",
            headers=case.change(case.intake),
            json=told(told_on=tomorrow),
        )
        problem(response, 422, "told_on", "not_in_future")
        assert await state(db, case.id) == before

    async def test_an_unknown_method_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        [notice, _] = await notices(client, case, case.intake)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/party-notices/{notice['id']}/told",
            headers=case.change(case.intake),
            json=told(method="carrier_pigeon"),
        )
        problem(response, 422, "method", "enum")
        assert await state(db, case.id) == before

    async def test_a_notice_of_another_complaint_is_not_found(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        case: Case,
    ) -> None:
        other = await at_investigation(client, db, passwords, settings)
        [foreign, _] = await notices(client, other, other.intake)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/party-notices/{foreign['id']}/told",
            headers=case.change(case.intake),
            json=told(),
        )
        problem(response, 404)
        assert await state(db, case.id) == before
        assert all(told_on is None for _, told_on, _ in (await state(db, other.id))["notices"])

    async def test_who_may_not_record_and_a_stale_version(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, outsider: Actor
    ) -> None:
        await record_entry(client, case)  # someone else's change: the ETag before it is stale
        [notice, _] = await notices(client, case, case.intake)
        url = f"{case.url}/party-notices/{notice['id']}/told"
        before = await state(db, case.id)
        problem(await client.post(url, headers={"If-Match": case.etag}, json=told()), 401)
        problem(await client.post(url, headers=case.change(case.officer), json=told()), 403)
        response = await client.post(url, headers=case.change(case.staff), json=told())
        problem(response, 403, "caller", "crc_member_or_intake_ombudsperson")
        problem(await client.post(url, headers=case.change(outsider), json=told()), 404)
        stale = case.stale_change(case.intake)
        problem(await client.post(url, headers=stale, json=told()), 412)
        assert await state(db, case.id) == before
