"""5.1: every disclosure outside the roles is recorded with its reason."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit import datakeys
from ombuds.kit.crypto import KeyRing, derive_key, owner_of
from ombuds.kit.datakeys import KeyStore
from ombuds.kit.rotation import encrypted_tables, rotate
from ombuds.models import Disclosure, DisclosureRecipient
from ombuds.settings import Settings
from tests.factories.investigation import Actor, Case, disclose, record_entry
from tests.investigation.support import audited, problem, state


def disclosure(**overrides: str) -> dict[str, Any]:
    body = {
        "purpose": "investigation",
        "reason": "The CRC needed the venue's incident log.",
        "recipient": "Venue manager",
        "content": "The date and place of the meeting; no names.",
    }
    body.update(overrides)
    return body


class TestRecipientAtRest:
    RECIPIENT = "Venue manager Canary-Pangolin"

    async def _record(self, client: httpx.AsyncClient, case: Case) -> str:
        response = await client.post(
            f"{case.url}/disclosures",
            headers=case.change(case.crc[0]),
            json=disclosure(recipient=self.RECIPIENT),
        )
        assert response.status_code == 201, response.text
        assert response.json()["recipients"] == [{"user_id": None, "recipient": self.RECIPIENT}]
        return str(response.json()["id"])

    @pytest.mark.clause("5.1")
    async def test_the_raw_column_holds_no_plaintext(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await self._record(client, case)
        rows = (await db.execute(text("SELECT recipient FROM disclosure_recipients"))).all()
        assert len(rows) == 1
        raw = bytes(rows[0][0])
        assert b"Canary-Pangolin" not in raw and b"Venue" not in raw
        listed = await client.get(f"{case.url}/disclosures", headers=case.crc[0].headers)
        assert [r["recipient"] for d in listed.json() for r in d["recipients"]] == [self.RECIPIENT]

    @pytest.mark.clause("5.1")
    async def test_key_rotation_covers_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        case: Case,
        app: FastAPI,
        settings: Settings,
    ) -> None:
        await self._record(client, case)
        assert (
            "recipient" in dict((t.name, c) for t, c in encrypted_tables())["disclosure_recipients"]
        )
        dev = derive_key(settings.secret_key, "ombuds encryption at rest")
        ring = KeyRing({"dev": dev, "k2": b"2" * 32}, "k2")
        await rotate(app.state.engine, ring)
        (row_id, blob) = (
            await db.execute(text("SELECT id, recipient FROM disclosure_recipients"))
        ).one()
        # Under the complaint's data key (destroyed with it), itself re-wrapped under k2.
        assert owner_of(bytes(blob)) == case.id
        store = KeyStore(datakeys.url_for(settings), KeyRing({"k2": b"2" * 32}, "k2"))
        try:
            await store.prefetch([case.id])
            plain = store.decrypt(
                bytes(blob),
                table="disclosure_recipients",
                column="recipient",
                row_id=str(uuid.UUID(str(row_id))),
            )
        finally:
            await store.dispose()
        assert plain.decode() == self.RECIPIENT


class TestRecordDisclosure:
    @pytest.mark.clause("5.1")
    @pytest.mark.parametrize("purpose", ["investigation", "required_by_law", "corrective_action"])
    async def test_a_crc_member_records_a_disclosure_with_its_reason(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, purpose: str
    ) -> None:
        member = case.crc[2]
        response = await client.post(
            f"{case.url}/disclosures",
            headers=case.change(member),
            json=disclosure(purpose=purpose),
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["purpose"], body["reason"], body["disclosed_by"]) == (
            purpose,
            "The CRC needed the venue's incident log.",
            str(member.user.id),
        )
        assert body["recipients"] == [{"user_id": None, "recipient": "Venue manager"}]
        saved = await db.scalar(select(Disclosure))
        assert saved is not None and saved.content == "The date and place of the meeting; no names."
        recipient = await db.scalar(select(DisclosureRecipient))
        assert recipient is not None and recipient.recipient == "Venue manager"
        assert response.headers["ETag"] != case.etag
        assert await audited(db, "investigation.record_disclosure", member.user.id) == 1

    @pytest.mark.clause("5.1")
    async def test_the_intake_ombudsperson_records_one_required_by_law(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        response = await client.post(
            f"{case.url}/disclosures",
            headers=case.change(case.intake),
            json=disclosure(purpose="required_by_law", recipient="Court, by subpoena"),
        )
        assert response.status_code == 201, response.text
        assert (await state(db, case.id))["disclosures"] == 1

    @pytest.mark.clause("5.1")
    @pytest.mark.parametrize("missing", ["purpose", "reason", "recipient", "content"])
    async def test_each_part_of_the_record_is_required(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, missing: str
    ) -> None:
        before = await state(db, case.id)
        body = disclosure()
        del body[missing]
        response = await client.post(
            f"{case.url}/disclosures", headers=case.change(case.crc[0]), json=body
        )
        problem(response, 422, missing, "missing")
        assert await state(db, case.id) == before

    async def test_an_unknown_purpose_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/disclosures",
            headers=case.change(case.crc[0]),
            json=disclosure(purpose="curiosity"),
        )
        problem(response, 422, "purpose", "enum")
        assert await state(db, case.id) == before

    async def test_who_may_not_record_one(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, outsider: Actor
    ) -> None:
        before = await state(db, case.id)
        url = f"{case.url}/disclosures"
        problem(await client.post(url, headers={"If-Match": case.etag}, json=disclosure()), 401)
        problem(await client.post(url, headers=case.change(case.officer), json=disclosure()), 403)
        response = await client.post(url, headers=case.change(case.staff), json=disclosure())
        problem(response, 403, "caller", "crc_member_or_intake_ombudsperson")
        problem(await client.post(url, headers=case.change(outsider), json=disclosure()), 404)
        assert await state(db, case.id) == before

    async def test_a_stale_version_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        stale = case.etag
        await record_entry(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/disclosures",
            headers={**case.crc[0].headers, "If-Match": stale},
            json=disclosure(),
        )
        problem(response, 412)
        assert await state(db, case.id) == before


class TestListDisclosures:
    @pytest.mark.clause("5.1")
    async def test_every_disclosure_is_listed_with_its_recipients_and_the_read_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        response = await client.post(
            f"{found.url}/disclosures", headers=found.change(found.crc[0]), json=disclosure()
        )
        found.took(response)
        await disclose(client, found)
        for reader in (found.intake, found.crc[1], found.staff):
            listed = await client.get(f"{found.url}/disclosures", headers=reader.headers)
            assert listed.status_code == 200, listed.text
            items = listed.json()
            assert [(d["purpose"], len(d["recipients"])) for d in items] == [
                ("investigation", 1),
                ("corrective_action", 1),
            ]
            assert items[1]["recipients"][0]["user_id"] == str(found.officer.user.id)
            assert await audited(db, "investigation.read_disclosures", reader.user.id) == 1

    async def test_who_may_not_read(
        self, client: httpx.AsyncClient, found: Case, outsider: Actor, admin: Actor
    ) -> None:
        await disclose(client, found)
        url = f"{found.url}/disclosures"
        problem(await client.get(url), 401)
        problem(await client.get(url, headers=admin.headers), 403)
        problem(await client.get(url, headers=found.officer.headers), 403)
        response = await client.get(url, headers=outsider.headers)
        problem(response, 404)
        assert "apology" not in response.text
