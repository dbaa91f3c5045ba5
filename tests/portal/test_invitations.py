"""The ombudsperson's side: inviting a person of the complaint, seeing who is in, revoking
an invitation, ending an access (issue 16, item 1)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import utcnow
from ombuds.models import PortalInvitation, Role
from ombuds.settings import Settings
from tests.factories.accounts import signed_in
from tests.portal.support import (
    Case,
    bearer,
    invite,
    open_case,
    party_in,
    redeem,
    refused,
    sign_in,
    token_of,
)

CODE = re.compile(r"^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$")


async def _outsider(
    who: str, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    if who == "anonymous":
        return {}
    role = {"ombudsperson": Role.ombudsperson, "table_officer": Role.table_officer}
    role |= {"administrator": Role.administrator}
    return (await signed_in(db, passwords, client, role[who]))[1]


# who -> what they get: 401 not signed in, 403 no such role, 404 may not see the complaint
OUTSIDERS = [("anonymous", 401), ("administrator", 403), ("table_officer", 403)]
OUTSIDERS += [("ombudsperson", 404)]


@pytest.mark.clause("4.3.1(vii)")
class TestInvite:
    async def test_the_link_and_the_code_are_shown_once_and_only_hashes_kept(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, settings: Settings
    ) -> None:
        made = await invite(client, case, "witness")
        assert made["party"] == "witness" and made["person_id"] == case.people["witness"]
        assert made["link"].startswith(settings.public_url + "/portal/welcome#")
        token = token_of(made["link"])
        assert len(token) >= 43  # 32 random bytes, URL-safe
        assert CODE.match(made["access_code"]), made["access_code"]
        row = await db.get(PortalInvitation, uuid.UUID(made["invitation_id"]))
        assert row is not None
        assert row.link_token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.code_hash.startswith("$argon2id$")
        assert made["access_code"].replace("-", "") not in row.code_hash
        lasts = row.expires_at - row.issued_at
        assert lasts == timedelta(days=settings.portal_invitation_days) == timedelta(days=14)

    async def test_a_reissue_kills_the_old_link(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        first = await invite(client, case)
        second = await invite(client, case)
        old = await db.get(PortalInvitation, uuid.UUID(first["invitation_id"]))
        assert old is not None and old.revoked_at is not None
        assert refused(await redeem(client, first))
        assert (await redeem(client, second)).status_code == 200

    async def test_a_person_of_another_complaint_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, case: Case
    ) -> None:
        other = await open_case(db, passwords, client)
        for person_id in (other.people["witness"], str(uuid.uuid4())):
            r = await client.post(
                f"{case.url}/portal-invitations", json={"person_id": person_id}, headers=case.staff
            )
            assert r.status_code == 422, r.text
            assert r.json()["errors"] == [
                {
                    "field": "person_id",
                    "rule": "not_on_complaint",
                    "message": "not a person of this complaint",
                }
            ]

    async def test_nobody_is_invited_to_a_closed_complaint(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        etag = (await client.get(case.url, headers=case.staff)).headers["ETag"]
        closed = await client.post(f"{case.url}/withdraw", headers={**case.staff, "If-Match": etag})
        assert closed.status_code == 200, closed.text
        r = await client.post(
            f"{case.url}/portal-invitations",
            json={"person_id": case.people["complainant"]},
            headers=case.staff,
        )
        assert r.status_code == 409
        assert r.json()["type"].endswith("/stage-not-allowed")
        assert "only while the complaint is open" in r.json()["detail"]

    @pytest.mark.parametrize(("who", "status"), OUTSIDERS)
    async def test_only_the_intake_ombudsperson_invites(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        case: Case,
        who: str,
        status: int,
    ) -> None:
        headers = await _outsider(who, db, passwords, client)
        body = {"person_id": case.people["witness"]}
        r = await client.post(f"{case.url}/portal-invitations", json=body, headers=headers)
        assert r.status_code == status, r.text
        assert (await db.scalar(select(PortalInvitation.id))) is None


@pytest.mark.clause("4.3.1(vii)")
class TestListInvitations:
    async def _statuses(self, client: httpx.AsyncClient, case: Case) -> dict[str, str]:
        r = await client.get(f"{case.url}/portal-invitations", headers=case.staff)
        assert r.status_code == 200, r.text
        return {row["party"]: row["status"] for row in r.json()}

    async def test_each_person_and_where_they_stand(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        everyone = {"complainant", "other_party", "witness"}
        assert await self._statuses(client, case) == dict.fromkeys(everyone, "not_invited")
        await party_in(client, case, "complainant")
        made = await invite(client, case, "other_party")
        witness = await invite(client, case, "witness")
        await client.post(
            f"{case.url}/portal-invitations/{witness['invitation_id']}/revoke", headers=case.staff
        )
        assert await self._statuses(client, case) == {
            "complainant": "active",
            "other_party": "invited",
            "witness": "revoked",
        }
        await db.execute(
            update(PortalInvitation)
            .where(PortalInvitation.id == uuid.UUID(made["invitation_id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
        assert (await self._statuses(client, case))["other_party"] == "expired"

    async def test_never_a_token_a_code_or_a_hash(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        made = await invite(client, case, "witness")
        r = await client.get(f"{case.url}/portal-invitations", headers=case.staff)
        row = await db.get(PortalInvitation, uuid.UUID(made["invitation_id"]))
        assert row is not None
        for secret in (token_of(made["link"]), made["access_code"], row.link_token_hash):
            assert secret not in r.text
        assert "$argon2" not in r.text
        (witness,) = [p for p in r.json() if p["party"] == "witness"]
        assert witness["invitation_id"] == made["invitation_id"]

    @pytest.mark.parametrize(("who", "status"), OUTSIDERS)
    async def test_only_the_intake_ombudsperson_sees_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        case: Case,
        who: str,
        status: int,
    ) -> None:
        headers = await _outsider(who, db, passwords, client)
        r = await client.get(f"{case.url}/portal-invitations", headers=headers)
        assert r.status_code == status, r.text


@pytest.mark.clause("4.3.1(vii)")
class TestRevokeInvitation:
    async def test_a_revoked_link_opens_nothing(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        made = await invite(client, case)
        url = f"{case.url}/portal-invitations/{made['invitation_id']}/revoke"
        r = await client.post(url, headers=case.staff)
        assert r.status_code == 200, r.text
        assert r.json()["revoked_at"] is not None
        assert refused(await redeem(client, made))
        again = await client.post(url, headers=case.staff)
        assert again.status_code == 409
        assert again.json()["errors"][0]["rule"] == "revoked"

    async def test_a_redeemed_invitation_is_not_revoked_but_its_access_ended(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        made = await invite(client, case)
        assert (await redeem(client, made)).status_code == 200
        url = f"{case.url}/portal-invitations/{made['invitation_id']}/revoke"
        r = await client.post(url, headers=case.staff)
        assert r.status_code == 409
        assert r.json()["errors"][0]["rule"] == "redeemed"

    async def test_another_complaints_invitation_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, case: Case
    ) -> None:
        other = await open_case(db, passwords, client)
        made = await invite(client, other)
        # Case's ombudsperson, on their own complaint's URL, naming the other's invitation.
        url = f"{case.url}/portal-invitations/{made['invitation_id']}/revoke"
        assert (await client.post(url, headers=case.staff)).status_code == 404
        # The other complaint's URL: not theirs to see.
        url = f"{other.url}/portal-invitations/{made['invitation_id']}/revoke"
        assert (await client.post(url, headers=case.staff)).status_code == 404
        assert (await redeem(client, made)).status_code == 200


@pytest.mark.clause("4.3.1(vii)")
class TestEndAccess:
    async def test_the_party_is_out_at_once_and_cannot_sign_in(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        party = await party_in(client, case)
        listed = (await client.get(f"{case.url}/portal-invitations", headers=case.staff)).json()
        (row,) = [p for p in listed if p["party"] == "other_party"]
        url = f"{case.url}/portal-access/{row['access_id']}/end"
        r = await client.post(url, headers=case.staff)
        assert r.status_code == 200, r.text
        assert r.json()["ended_at"] is not None
        me = await client.get("/api/portal/me", headers=bearer(party["access_token"]))
        assert me.status_code == 401
        assert refused(await sign_in(client, party["sign_in_id"]))
        assert (await client.post(url, headers=case.staff)).status_code == 409
        listed = (await client.get(f"{case.url}/portal-invitations", headers=case.staff)).json()
        assert {p["party"]: p["status"] for p in listed}["other_party"] == "ended"

    async def test_a_new_invitation_opens_it_again_with_a_new_sign_in_id(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        first = await party_in(client, case)
        listed = (await client.get(f"{case.url}/portal-invitations", headers=case.staff)).json()
        (row,) = [p for p in listed if p["party"] == "other_party"]
        await client.post(f"{case.url}/portal-access/{row['access_id']}/end", headers=case.staff)
        second = await party_in(client, case)
        assert second["sign_in_id"] != first["sign_in_id"]
        assert refused(await sign_in(client, first["sign_in_id"]))
        assert (await sign_in(client, second["sign_in_id"])).status_code == 200

    @pytest.mark.parametrize(("who", "status"), OUTSIDERS)
    async def test_only_the_intake_ombudsperson_ends_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        case: Case,
        who: str,
        status: int,
    ) -> None:
        party = await party_in(client, case)
        listed = (await client.get(f"{case.url}/portal-invitations", headers=case.staff)).json()
        (row,) = [p for p in listed if p["party"] == "other_party"]
        headers = await _outsider(who, db, passwords, client)
        r = await client.post(f"{case.url}/portal-access/{row['access_id']}/end", headers=headers)
        assert r.status_code == status, r.text
        me = await client.get("/api/portal/me", headers=bearer(party["access_token"]))
        assert me.status_code == 200
