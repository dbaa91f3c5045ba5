"""Signing in to the portal later: the sign-in id and the passphrase (issue 16)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth import throttle
from ombuds.kit.clock import utcnow
from ombuds.models import LoginFailure
from tests.portal.support import Case, bearer, party_in, refused, sign_in


@pytest.mark.clause("4.3.1(vii)")
class TestSignIn:
    async def test_the_sign_in_id_and_passphrase_open_a_new_session(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        party = await party_in(client, case, "witness")
        r = await sign_in(client, party["sign_in_id"])
        assert r.status_code == 200, r.text
        assert r.json()["access_token"] != party["access_token"]
        me = await client.get("/api/portal/me", headers=bearer(r.json()["access_token"]))
        assert me.json()["party"] == "witness"

    async def test_a_wrong_passphrase_and_an_unknown_id_answer_alike(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        party = await party_in(client, case)
        wrong = await sign_in(client, party["sign_in_id"], "not the passphrase at all")
        unknown = await sign_in(client, "AAAA-AAAA-AAAA")
        assert refused(wrong) and refused(unknown)
        assert wrong.text == unknown.text

    async def test_wrong_passphrases_are_throttled_even_the_right_one_then(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await party_in(client, case)
        for _ in range(throttle.ACCOUNT_FREE_FAILURES):
            assert refused(await sign_in(client, party["sign_in_id"], "a wrong passphrase"))
        r = await sign_in(client, party["sign_in_id"])
        assert r.status_code == 429
        assert r.json()["type"].endswith("/too-many-attempts")
        # Typed another way (no dashes, lower case), it is the same sign-in id to the throttle.
        other_way = party["sign_in_id"].replace("-", "").lower()
        assert (await sign_in(client, other_way)).status_code == 429
        await db.execute(update(LoginFailure).values(at=utcnow() - throttle.WINDOW))
        await db.commit()
        assert (await sign_in(client, party["sign_in_id"])).status_code == 200
