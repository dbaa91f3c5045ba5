"""A party's token reaches no staff route, and a staff token no party route; a party of
one complaint acts on no other (issue 16, item 1; 5.1)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.access import PUBLIC_RULE
from ombuds.auth.passwords import Passwords
from ombuds.kit.access import dependant_rules
from ombuds.portal.access import PARTY_RULE
from ombuds.settings import Settings
from tests.portal.support import Case, bearer, invite, open_case, party_in, redeem, refused

PARTY_ROUTES = {
    ("POST", "/api/portal/sign-out"),
    ("GET", "/api/portal/me"),
    ("GET", "/api/portal/complaint"),
    ("POST", "/api/portal/notices/{notice_id}/read"),
    ("POST", "/api/portal/response"),
    ("POST", "/api/portal/not-satisfied"),
    ("POST", "/api/portal/availability"),
    ("GET", "/api/portal/messages"),
    ("POST", "/api/portal/messages"),
    ("POST", "/api/portal/messages/{message_id}/attachments"),
    ("GET", "/api/portal/messages/{message_id}/attachments/{file_id}"),
}


def _routes(app: FastAPI, rule: str | None) -> list[tuple[str, str]]:
    """(method, path) of every API route whose access rule is ``rule``; None: any rule
    other than the public and the party's (the staff's)."""
    found = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        rules = dependant_rules(context.dependant)
        staff = PUBLIC_RULE not in rules and PARTY_RULE not in rules
        if (rule is None and staff) or (rule is not None and rule in rules):
            found += [(m, context.path or "") for m in sorted(context.methods or ())]
    return found


def _url(path: str, case: Case) -> str:
    ids = {"complaint_id": case.id, "token": "x" * 43}
    return path.format_map(_Ids(ids))


class _Ids(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return str(uuid.uuid4())


@pytest.mark.clause("5.1")
class TestPartyTokenOnStaffRoutes:
    async def test_every_staff_route_refuses_a_party(
        self, app: FastAPI, client: httpx.AsyncClient, case: Case
    ) -> None:
        party = await party_in(client, case)
        headers = bearer(party["access_token"])
        routes = _routes(app, None)
        assert len(routes) > 100  # the discovery itself works
        answers = {}
        for method, path in routes:
            body = {} if method in ("POST", "PUT", "PATCH") else None
            r = await client.request(method, _url(path, case), headers=headers, json=body)
            answers[(method, path)] = r.status_code
        assert {k: v for k, v in answers.items() if v != 401} == {}
        # ... and the token still works where it belongs.
        assert (await client.get("/api/portal/me", headers=headers)).status_code == 200


@pytest.mark.clause("5.1")
class TestStaffTokenOnPartyRoutes:
    async def test_no_party_route_takes_a_staff_token(
        self, app: FastAPI, client: httpx.AsyncClient, case: Case
    ) -> None:
        assert set(_routes(app, PARTY_RULE)) == PARTY_ROUTES
        for method, path in PARTY_ROUTES:
            r = await client.request(method, path, headers=case.staff)
            assert r.status_code == 401, (method, path, r.text)

    async def test_a_staff_token_redeems_and_signs_in_nothing(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        made = await invite(client, case)
        bad = {"token": "x", "code": "y", "passphrase": "long enough passphrase"}
        r = await client.post("/api/portal/redeem", json=bad, headers=case.staff)
        assert refused(r)
        bad = {"sign_in_id": "x", "passphrase": "long enough passphrase"}
        assert refused(await client.post("/api/portal/sign-in", json=bad, headers=case.staff))
        # A public route reads no bearer: a staff token sent along changes nothing.
        r = await client.post(
            "/api/portal/redeem",
            json={
                "token": made["link"].split("#")[1],
                "code": made["access_code"],
                "passphrase": "long enough passphrase",
            },
            headers=case.staff,
        )
        assert r.status_code == 200


@pytest.mark.clause("5.1")
class TestOneComplaintOnly:
    async def test_a_party_of_one_complaint_acts_on_no_other(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, case: Case
    ) -> None:
        other = await open_case(db, passwords, client)
        party = await party_in(client, case)
        headers = bearer(party["access_token"])
        me = (await client.get("/api/portal/me", headers=headers)).json()
        assert me["reference"] == case.reference != other.reference
        for method, url in [
            ("GET", f"{other.url}"),
            ("GET", f"{other.url}/portal-invitations"),
            ("POST", f"{other.url}/portal-invitations"),
        ]:
            body = {"person_id": other.people["witness"]} if method == "POST" else None
            r = await client.request(method, url, headers=headers, json=body)
            assert r.status_code == 401, (url, r.text)
        # Their code does not open the other complaint's link, nor the other's code theirs.
        theirs, others = await invite(client, case, "witness"), await invite(client, other)
        assert refused(await redeem(client, others, code=theirs["access_code"]))
        assert refused(await redeem(client, theirs, code=others["access_code"]))


@pytest.mark.clause("5.1")
class TestAudiences:
    def test_the_portal_and_the_staff_never_share_an_audience(self) -> None:
        with pytest.raises(ValidationError, match="OMBUDS_PORTAL_TOKEN_AUDIENCE"):
            Settings(token_audience="ombuds", portal_token_audience="ombuds")
        assert Settings().portal_token_audience != Settings().token_audience
