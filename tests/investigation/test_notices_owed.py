"""4.3.1(vii): a complaint does not close while a party is still owed word of a stage,
unless that notice is recorded as told or waived with a reason."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import local_today
from ombuds.models import Closure, PartyNotice, Stage, TimelineEvent
from tests.factories.investigation import (
    Actor,
    Case,
    disclose,
    reload,
    tell_owed_notices,
    told_both,
)
from tests.investigation.support import audited, problem, state

REASON = "The other party had left the Local before this stage; no address on file."


async def notices(client: httpx.AsyncClient, case: Case, reader: Actor) -> list[dict[str, Any]]:
    response = await client.get(f"{case.url}/party-notices", headers=reader.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


async def waive(
    client: httpx.AsyncClient, case: Case, actor: Actor, notice_id: str, reason: str = REASON
) -> httpx.Response:
    return case.took(
        await client.post(
            f"{case.url}/party-notices/{notice_id}/waive",
            headers=case.change(actor),
            json={"reason": reason},
        )
    )


def owed_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in body["errors"]]


class TestCloseWhileNoticesAreOwed:
    @pytest.mark.clause("4.3.1(vii)")
    async def test_closing_while_a_party_is_owed_a_notice_is_refused_by_stage_and_role(
        self, client: httpx.AsyncClient, db: AsyncSession, dismissed: Case
    ) -> None:
        await told_both(client, dismissed)  # the conclusions' notices are told with them
        before = await state(db, dismissed.id)
        response = await client.post(
            f"{dismissed.url}/close", headers=dismissed.change(dismissed.crc[0])
        )
        body = problem(response, 409)
        assert body["type"].endswith("/party-notices-owed")
        assert owed_fields(body) == [
            ("party_notices.investigation.complainant", "told_or_waived"),
            ("party_notices.investigation.other_party", "told_or_waived"),
        ]
        # By stage and role, never by name.
        for member in (dismissed.complainant, dismissed.other_party):
            assert member.full_name not in response.text
        assert await state(db, dismissed.id) == before

    @pytest.mark.clause("4.3.1(vii)")
    async def test_told_or_waived_each_notice_the_complaint_closes(
        self, client: httpx.AsyncClient, db: AsyncSession, found: Case
    ) -> None:
        await disclose(client, found)
        await told_both(client, found)
        owed = [n for n in await notices(client, found, found.intake) if n["owed"]]
        other = next(n for n in owed if n["party"] == "other_party")
        assert (await waive(client, found, found.intake, other["id"])).status_code == 200
        response = await client.post(f"{found.url}/close", headers=found.change(found.crc[0]))
        body = problem(response, 409)
        assert owed_fields(body) == [("party_notices.investigation.complainant", "told_or_waived")]
        await tell_owed_notices(client, found)
        response = found.took(
            await client.post(f"{found.url}/close", headers=found.change(found.crc[0]))
        )
        assert response.status_code == 200, response.text
        assert (response.json()["stage"], response.json()["closure"]) == ("closed", "concluded")
        # The closing is itself owed to both parties, and may be told afterwards.
        closed = {(n["stage"], n["owed"]) for n in await notices(client, found, found.intake)}
        assert ("closed", True) in closed

    @pytest.mark.clause("4.3.1(vii)")
    async def test_a_withdrawal_waits_for_the_notices_too(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        url = f"{case.url}/withdraw"
        before = await state(db, case.id)
        response = await client.post(url, headers=case.change(case.intake))
        body = problem(response, 409)
        assert owed_fields(body) == [
            ("party_notices.investigation.complainant", "told_or_waived"),
            ("party_notices.investigation.other_party", "told_or_waived"),
        ]
        assert await state(db, case.id) == before
        for notice in await notices(client, case, case.intake):
            assert (await waive(client, case, case.intake, notice["id"])).status_code == 200
        response = case.took(await client.post(url, headers=case.change(case.intake)))
        assert response.status_code == 200, response.text
        complaint = await reload(db, case.id)
        assert (complaint.stage, complaint.closure) == (Stage.closed, Closure.withdrawn)


class TestWaivePartyNotice:
    @pytest.mark.clause("4.3.1(vii)")
    async def test_the_handling_ombudsperson_waives_a_notice_with_a_reason(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        notice = next(
            n for n in await notices(client, case, case.intake) if n["party"] == "other_party"
        )
        before = case.etag
        response = await waive(client, case, case.intake, notice["id"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["owed"], body["told_on"], body["waived_by"], body["waiver_reason"]) == (
            False,
            None,
            str(case.intake.user.id),
            REASON,
        )
        assert body["waived_at"] is not None
        assert response.headers["ETag"] != before
        listed = {n["id"]: n for n in await notices(client, case, case.crc[0])}
        assert listed[notice["id"]]["waiver_reason"] == REASON
        assert await audited(db, "investigation.waive_party_notice", case.intake.user.id) == 1
        kinds = (
            await db.scalars(
                select(TimelineEvent.kind).where(TimelineEvent.complaint_id == case.id)
            )
        ).all()
        assert kinds[-1] == "party_notice.waived"
        # Encrypted at rest like other free text: the stored bytes are not the reason.
        raw = (
            await db.execute(
                text("SELECT waiver_reason FROM party_notices WHERE waived_at IS NOT NULL")
            )
        ).scalar_one()
        assert raw is not None and REASON.encode() not in bytes(raw)

    @pytest.mark.clause("4.3.1(vii)")
    async def test_a_notice_told_or_waived_is_not_waived_again(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        items = await notices(client, case, case.intake)
        first, second = items[0]["id"], items[1]["id"]
        told = case.took(
            await client.post(
                f"{case.url}/party-notices/{first}/told",
                headers=case.change(case.intake),
                json={"told_on": local_today().isoformat(), "method": "phone"},
            )
        )
        assert told.status_code == 200, told.text
        problem(await waive(client, case, case.intake, first), 409, "told_on", "already_told")
        assert (await waive(client, case, case.intake, second)).status_code == 200
        problem(await waive(client, case, case.intake, second), 409, "waived_at", "already_waived")
        response = await client.post(
            f"{case.url}/party-notices/{second}/told",
            headers=case.change(case.intake),
            json={"told_on": local_today().isoformat(), "method": "phone"},
        )
        problem(response, 409, "waived_at", "already_waived")

    async def test_a_reason_is_required(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        notice = (await notices(client, case, case.intake))[0]
        response = await waive(client, case, case.intake, notice["id"], reason="")
        assert response.status_code == 422, response.text
        still = await db.scalar(
            select(PartyNotice.waived_at)
            .where(PartyNotice.id == uuid.UUID(notice["id"]))
            .execution_options(populate_existing=True)
        )
        assert still is None

    async def test_only_the_handling_ombudsperson_waives(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, outsider: Actor, admin: Actor
    ) -> None:
        notice = (await notices(client, case, case.intake))[0]
        url = f"{case.url}/party-notices/{notice['id']}/waive"
        before = await state(db, case.id)

        async def send(actor: Actor | None) -> httpx.Response:
            headers = {"If-Match": case.etag, **(actor.headers if actor else {})}
            return await client.post(url, headers=headers, json={"reason": REASON})

        problem(await send(None), 401)
        problem(await send(admin), 403)
        problem(await send(case.officer), 403)
        problem(await send(case.staff), 403)
        problem(await send(case.crc[0]), 403)  # the CRC records notices, but does not waive
        problem(await send(outsider), 404)
        assert await state(db, case.id) == before
        assert await audited(db, "investigation.waive_party_notice", case.crc[0].user.id) == 0
