"""4.3.1(x): the member-complainant not satisfied is referred to a constitutional charge."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.settings import Settings
from tests.factories.investigation import (
    Actor,
    Case,
    at_closed,
    tell,
    today,
)
from tests.investigation.support import audited, problem, state


def day(offset: int) -> str:
    return (local_today() + timedelta(days=offset)).isoformat()


def not_satisfied(**overrides: str) -> dict[str, Any]:
    body = {"complainant_not_satisfied_on": today(), "referred_to_charge_on": today()}
    body.update(overrides)
    return body


class TestRecordNotSatisfied:
    @pytest.mark.clause("4.3.1(x)")
    @pytest.mark.parametrize("who", ["intake", "crc"])
    async def test_the_referral_to_a_constitutional_charge_is_recorded(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case, who: str
    ) -> None:
        actor = found.intake if who == "intake" else found.crc[1]
        await tell(client, found, "complainant")
        response = await client.post(
            f"{found.url}/not-satisfied", headers=found.change(actor), json=not_satisfied()
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["complainant_not_satisfied_on"], body["referred_to_charge_on"]) == (
            today(),
            today(),
        )
        assert (await state(db, found.id))["not_satisfied"] == (local_today(), local_today())
        assert await audited(db, "investigation.record_not_satisfied", actor.user.id) == 1

    @pytest.mark.clause("4.3.1(x)")
    async def test_it_can_be_recorded_after_the_complaint_closed(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        closed = await at_closed(client, db, passwords, settings, found=True)
        response = await client.post(
            f"{closed.url}/not-satisfied",
            headers=closed.change(closed.intake),
            json=not_satisfied(),
        )
        assert response.status_code == 200, response.text
        assert (response.json()["stage"], response.json()["closure"]) == ("closed", "concluded")

    @pytest.mark.clause("4.3.1(x)")
    async def test_not_before_the_complainant_was_told(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        before = await state(db, found.id)
        response = await client.post(
            f"{found.url}/not-satisfied", headers=found.change(found.intake), json=not_satisfied()
        )
        problem(response, 409, "complainant_not_satisfied_on", "complainant_told")
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(x)")
    @pytest.mark.parametrize(
        ("body", "field", "rule"),
        [
            (
                not_satisfied(complainant_not_satisfied_on=day(1), referred_to_charge_on=day(1)),
                "complainant_not_satisfied_on",
                "not_in_future",
            ),
            (
                not_satisfied(complainant_not_satisfied_on=day(-1)),
                "complainant_not_satisfied_on",
                "on_or_after_told",
            ),
            (
                not_satisfied(referred_to_charge_on=day(-1)),
                "referred_to_charge_on",
                "on_or_after_not_satisfied",
            ),
            ({"complainant_not_satisfied_on": today()}, "referred_to_charge_on", "missing"),
        ],
    )
    async def test_the_dates_are_checked(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        found: Case,
        body: dict[str, Any],
        field: str,
        rule: str,
    ) -> None:
        await tell(client, found, "complainant")
        before = await state(db, found.id)
        response = await client.post(
            f"{found.url}/not-satisfied", headers=found.change(found.crc[0]), json=body
        )
        problem(response, 422, field, rule)
        assert await state(db, found.id) == before

    @pytest.mark.clause("4.3.1(x)")
    async def test_it_is_recorded_once(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await tell(client, found, "complainant")
        first = await client.post(
            f"{found.url}/not-satisfied", headers=found.change(found.crc[0]), json=not_satisfied()
        )
        found.took(first)
        before = await state(db, found.id)
        again = await client.post(
            f"{found.url}/not-satisfied", headers=found.change(found.crc[0]), json=not_satisfied()
        )
        problem(again, 409, "complainant_not_satisfied_on", "already_recorded")
        assert await state(db, found.id) == before

    async def test_who_may_not_record_it_and_a_stale_version(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case, outsider: Actor
    ) -> None:
        await tell(client, found, "complainant")
        url = f"{found.url}/not-satisfied"
        before = await state(db, found.id)
        problem(await client.post(url, headers={"If-Match": found.etag}, json=not_satisfied()), 401)
        officer = found.change(found.officer)
        problem(await client.post(url, headers=officer, json=not_satisfied()), 403)
        response = await client.post(url, headers=found.change(found.staff), json=not_satisfied())
        problem(response, 403, "caller", "crc_member_or_intake_ombudsperson")
        problem(await client.post(url, headers=found.change(outsider), json=not_satisfied()), 404)
        stale = found.stale_change(found.intake)
        problem(await client.post(url, headers=stale, json=not_satisfied()), 412)
        assert await state(db, found.id) == before
