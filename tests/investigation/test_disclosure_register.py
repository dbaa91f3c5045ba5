"""5.1: administrators list the register of disclosures (who, to whom, when, why) without
reading what was disclosed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import Complaint, Disclosure
from tests.factories.investigation import Actor, Case, disclose
from tests.investigation.support import audited, problem

REGISTER = "/api/disclosures"
CONTENT = "Canary-content-7f3a: the venue log of the third floor"
REASON = "Canary-reason-91bc: the CRC asked for the door records"


async def record(client: httpx.AsyncClient, case: Case, actor: Actor, **body: str) -> Any:
    response = case.took(
        await client.post(
            f"{case.url}/disclosures",
            headers=case.change(actor),
            json={
                "purpose": "investigation",
                "reason": REASON,
                "recipient": "Venue manager",
                "content": CONTENT,
                **body,
            },
        )
    )
    assert response.status_code == 201, response.text
    return response.json()


async def everything(client: httpx.AsyncClient, headers: dict[str, str], limit: int) -> list[Any]:
    items: list[Any] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = await client.get(REGISTER, headers=headers, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


class TestDisclosureRegister:
    @pytest.mark.clause("5.1")
    async def test_administrators_see_who_disclosed_to_whom_and_why_never_what(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case, admin: Actor
    ) -> None:
        outside = await record(client, found, found.intake, purpose="required_by_law")
        to_officers = await disclose(client, found, reason=REASON)
        response = await client.get(REGISTER, headers=admin.headers)
        assert response.status_code == 200, response.text
        assert CONTENT not in response.text and REASON not in response.text
        items = response.json()["items"]
        reference = await db.scalar(select(Complaint.reference).where(Complaint.id == found.id))
        by_id = {item["id"]: item for item in items}
        assert set(by_id) == {outside["id"], to_officers["id"]}
        law = by_id[outside["id"]]
        assert law["complaint_reference"] == reference
        assert law["purpose"] == "required_by_law"
        assert law["disclosed_by"] == {
            "id": str(found.intake.user.id),
            "display_name": found.intake.user.display_name,
        }
        assert law["recipients"] == [{"recipient": "Venue manager", "user_id": None}]
        officers = by_id[to_officers["id"]]
        assert officers["purpose"] == "corrective_action"
        assert officers["disclosed_by"]["id"] == str(found.crc[0].user.id)
        assert str(found.officer.user.id) in {r["user_id"] for r in officers["recipients"]}
        assert [i["id"] for i in items] == [to_officers["id"], outside["id"]]  # newest first
        assert await audited(db, "register.list", admin.user.id) == 1

    @pytest.mark.clause("5.1")
    async def test_pages_follow_each_other_without_a_gap_or_a_repeat(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, admin: Actor
    ) -> None:
        for n in range(5):
            await record(client, case, case.crc[n % 3], recipient=f"Recipient {n}")
        whole = await everything(client, admin.headers, limit=50)
        paged = await everything(client, admin.headers, limit=2)
        assert len(whole) == 5
        assert [i["id"] for i in paged] == [i["id"] for i in whole]
        stored = await db.scalars(
            select(Disclosure.id).order_by(Disclosure.disclosed_at.desc(), Disclosure.id.desc())
        )
        assert [i["id"] for i in whole] == [str(i) for i in stored.all()]

    async def test_a_cursor_it_did_not_issue_is_refused(
        self, client: httpx.AsyncClient, admin: Actor
    ) -> None:
        for cursor in ("not-a-cursor", "WyJ4IiwieSJd"):  # the second is ["x","y"]
            response = await client.get(REGISTER, headers=admin.headers, params={"cursor": cursor})
            problem(response, 422, "cursor", "cursor_invalid")

    async def test_only_administrators_read_it(
        self, client: httpx.AsyncClient, found: Case, outsider: Actor
    ) -> None:
        await disclose(client, found)
        problem(await client.get(REGISTER), 401)
        for actor in (found.intake, found.crc[0], found.staff, found.officer, outsider):
            problem(await client.get(REGISTER, headers=actor.headers), 403)
