"""Redeeming an invitation: the link and the code, once, and a passphrase (issue 16)."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth import throttle
from ombuds.kit.clock import utcnow
from ombuds.models import LoginFailure, PortalAccess, PortalInvitation
from tests.portal.support import PASSPHRASE, Case, bearer, invite, redeem, refused, sign_in

SIGN_IN_ID = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


@pytest.mark.clause("4.3.1(vii)")
class TestRedeem:
    async def test_the_whole_flow_redeem_then_sign_in_later(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        made = await invite(client, case, "complainant")
        # The code as a person types it: lower case, without its dash.
        r = await redeem(client, made, code=made["access_code"].replace("-", "").lower())
        assert r.status_code == 200, r.text
        body = r.json()
        assert SIGN_IN_ID.match(body["sign_in_id"]), body["sign_in_id"]
        me = await client.get("/api/portal/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200, me.text
        assert me.json()["party"] == "complainant"
        assert me.json()["reference"] == case.reference
        access = await db.scalar(select(PortalAccess))
        assert access is not None and access.passphrase_hash.startswith("$argon2id$")
        assert PASSPHRASE not in access.passphrase_hash
        # A later visit: the sign-in id (with or without its dashes) and the passphrase.
        later = await sign_in(client, body["sign_in_id"].replace("-", ""))
        assert later.status_code == 200, later.text
        again = await client.get("/api/portal/me", headers=bearer(later.json()["access_token"]))
        assert again.json()["reference"] == case.reference

    async def test_a_link_is_redeemed_once(self, client: httpx.AsyncClient, case: Case) -> None:
        made = await invite(client, case)
        assert (await redeem(client, made)).status_code == 200
        assert refused(await redeem(client, made, passphrase="another long passphrase"))

    async def test_two_redemptions_at_once_make_one_access(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        made = await invite(client, case)
        answers = await asyncio.gather(
            redeem(client, made), redeem(client, made, passphrase="another long passphrase")
        )
        assert sorted(a.status_code for a in answers) == [200, 401], [a.text for a in answers]
        assert await db.scalar(select(func.count()).select_from(PortalAccess)) == 1

    async def test_an_expired_invitation_opens_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        made = await invite(client, case)
        await db.execute(
            update(PortalInvitation)
            .where(PortalInvitation.id == uuid.UUID(made["invitation_id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
        assert refused(await redeem(client, made))

    async def test_every_failure_answers_alike(self, client: httpx.AsyncClient, case: Case) -> None:
        made = await invite(client, case)
        revoked = await invite(client, case, "witness")
        await client.post(
            f"{case.url}/portal-invitations/{revoked['invitation_id']}/revoke", headers=case.staff
        )
        answers = [
            await redeem(client, made, code="AAAAA-AAAAA"),  # wrong code
            await redeem(client, {**made, "link": "x#not-a-token"}),  # no such link
            await redeem(client, revoked),  # revoked, right code
        ]
        assert all(refused(a) for a in answers), [a.text for a in answers]
        assert len({a.text for a in answers}) == 1
        assert len({frozenset(a.headers.keys()) for a in answers}) == 1
        assert (await redeem(client, made)).status_code == 200  # the right one still works

    async def test_a_short_passphrase_is_refused_naming_the_field(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        made = await invite(client, case)
        r = await redeem(client, made, passphrase="short")
        assert r.status_code == 422
        (error,) = r.json()["errors"]
        assert (error["field"], error["rule"]) == ("passphrase", "string_too_short")
        assert (await redeem(client, made)).status_code == 200  # nothing was used up

    async def test_wrong_codes_are_throttled_even_the_right_one_then(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        made = await invite(client, case)
        for _ in range(throttle.ACCOUNT_FREE_FAILURES):
            assert refused(await redeem(client, made, code="AAAAA-AAAAA"))
        stored = await db.scalar(select(func.count()).select_from(LoginFailure))
        assert stored == throttle.ACCOUNT_FREE_FAILURES
        r = await redeem(client, made)  # the right code waits for the window
        assert r.status_code == 429
        assert r.json()["type"].endswith("/too-many-attempts")
        assert 1 <= int(r.headers["retry-after"]) <= 30
        await db.execute(update(LoginFailure).values(at=utcnow() - throttle.WINDOW))
        await db.commit()
        assert (await redeem(client, made)).status_code == 200

    async def test_one_address_guessing_many_links_is_throttled(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        made = await invite(client, case)
        for n in range(throttle.CLIENT_MAX_FAILURES):
            guess = {**made, "link": f"x#guess-{n}"}
            assert refused(await redeem(client, guess))
        assert (await redeem(client, made)).status_code == 429
