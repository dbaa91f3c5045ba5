"""`make run` seeds a demo Local with complaints at every stage; never in production."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ombuds import demo, demo_procedure
from ombuds.accounts.roles import clashes
from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import Complaint, ComplaintPerson, Stage, User
from ombuds.notifications import reminders
from ombuds.settings import Environment, Settings


async def test_demo_local_has_every_stage_and_a_recused_officer(
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    client: httpx.AsyncClient,
) -> None:
    local = await demo.seed(db, settings, passwords)
    await db.commit()
    assert local is not None
    made = await demo_procedure.run(app, local.members, local.officer_member)
    stages = set((await db.scalars(select(Complaint.stage))).all())
    assert made == 23
    assert stages == set(Stage)
    boards = {}
    for officer in ("officer-president", "officer-secretary"):
        token = (
            await client.post(
                "/api/auth/token", data={"username": officer, "password": demo.DEMO_PASSWORD}
            )
        ).json()["access_token"]
        boards[officer] = (
            await client.get("/api/status", headers={"Authorization": f"Bearer {token}"})
        ).json()["items"]
    president = {row["reference"]: row for row in boards["officer-president"]}
    secretary = {row["reference"] for row in boards["officer-secretary"]}
    recused = [ref for ref, row in president.items() if row["recused_officers"] == 1]
    assert len(recused) == 1 and recused[0] not in secretary
    # 5.1: the ombudsperson sees a record falling due within the month, and a held one.
    token = (
        await client.post(
            "/api/auth/token", data={"username": "ombuds-u1", "password": demo.DEMO_PASSWORD}
        )
    ).json()["access_token"]
    upcoming = (
        await client.get("/api/retention/upcoming", headers={"Authorization": f"Bearer {token}"})
    ).json()
    assert sorted((u["record_class"], u["held"]) for u in upcoming) == [
        ("consultation", False),
        ("consultation", True),
    ]
    # 6: the review's statistics have figures to show, and small counts hidden.
    token = (
        await client.post(
            "/api/auth/token",
            data={"username": "officer-treasurer", "password": demo.DEMO_PASSWORD},
        )
    ).json()["access_token"]
    report = (
        await client.get("/api/statistics", headers={"Authorization": f"Bearer {token}"})
    ).json()
    classes = {
        c["key"]: c for t in report["tables"] if t["key"] == "record_class" for c in t["cells"]
    }
    assert report["total"] == 16
    assert classes["redirected"]["count"] == 10
    # None formal or informal: hidden, and the withdrawn (6) with them, or 16 - 10 - 6
    # would tell that they are zero.
    assert [classes[k]["mark"] for k in ("formal", "informal", "withdrawn")] == [
        "fewer_than_k",
        "fewer_than_k",
        "suppressed",
    ]
    assert await demo.seed(db, settings, passwords) is None  # a second run changes nothing


async def test_demo_is_refused_in_production(db: AsyncSession, passwords: Passwords) -> None:
    production = Settings(
        env=Environment.production,
        secret_key="k" * 40,
        audit_key="a" * 40,
        encryption_keys={"k1": "a" * 43 + "="},
        encryption_active_key_id="k1",
        smtp_host="mail.example.org",
        smtp_from="ombuds@example.org",
        public_url="https://ombuds.example.org",
    )
    with pytest.raises(demo.DemoRefused):
        await demo.seed(db, production, passwords)


@pytest.mark.clause("5.1")
async def test_demo_logins_hold_no_conflicting_roles(
    db: AsyncSession, settings: Settings, passwords: Passwords
) -> None:
    local = await demo.seed(db, settings, passwords)
    await db.commit()
    assert local is not None
    users = (await db.scalars(select(User).options(selectinload(User.roles)))).all()
    assert len(users) == len(local.logins) > 0
    assert {u.username: clashes(r.role for r in u.roles) for u in users if u.roles} == {
        u.username: [] for u in users if u.roles
    }


@pytest.mark.clause("5.1")
async def test_demo_logins_have_notifications_to_show(
    app: FastAPI,
    db: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    client: httpx.AsyncClient,
) -> None:
    local = await demo.seed(db, settings, passwords)
    await db.commit()
    assert local is not None
    await demo_procedure.run(app, local.members, local.officer_member)
    written = await demo.seed_notifications(db, settings)
    await db.commit()
    # The demo's lapsed response periods and officers' notices remind their handlers today.
    assert written >= 3

    async def get(username: str, path: str) -> Any:
        form = {"username": username, "password": demo.DEMO_PASSWORD}
        token = (await client.post("/api/auth/token", data=form)).json()["access_token"]
        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return response.json()

    mine = (await get("ombuds-u1", "/api/notifications"))["items"]
    assert {i["kind"] for i in mine} >= {"committee_appointed", "response_lapsed"}
    assert [i["delivery"] for i in mine].count("failed") == 1
    assert all(i["reference"] is not None for i in mine)
    assert (await get("ombuds-u1", "/api/notifications/unread-count"))["unread"] == len(mine)
    president = {i["kind"] for i in (await get("officer-president", "/api/notifications"))["items"]}
    assert "committee_to_strike" in president
    # Written once: the service's own scan, run again today, adds nothing.
    assert await reminders.write_due(db, settings, local_today()) == 0
    # The officer who is the other party is never told of that complaint (4.3.1(iv)).
    secretary = (await get("officer-secretary", "/api/notifications"))["items"]
    recused_on = set(
        (
            await db.scalars(
                select(ComplaintPerson.complaint_id).where(
                    ComplaintPerson.member_id == local.officer_member.id
                )
            )
        ).all()
    )
    assert recused_on
    assert {i["kind"] for i in secretary} >= {"committee_to_strike"}
    assert not {i["complaint_id"] for i in secretary} & {str(c) for c in recused_on}
    failed = (await get("admin", "/api/notifications/failed-deliveries"))["items"]
    assert [(f["kind"], f["display_name"]) for f in failed] == [
        ("response_lapsed", "Ombudsperson U1 (demo)")
    ]
