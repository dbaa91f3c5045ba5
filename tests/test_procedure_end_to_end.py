"""One complaint through the whole procedure over the HTTP API, each step by the role whose
step it is; at every step, what every other role can and cannot see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds import demo
from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.settings import Settings

Json = dict[str, Any]
OMBUDSPERSONS = ["ombuds-u1", "ombuds-u2", "ombuds-u3", "ombuds-u4", "ombuds-u5", "ombuds-aff"]


def day(ago: int) -> str:
    return (local_today() - timedelta(days=ago)).isoformat()


class World:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers: dict[str, dict[str, str]] = {}
        self.ids: dict[str, str] = {}
        self.cid = ""
        self.etag = ""

    async def sign_in_everyone(self) -> None:
        for name in [
            *OMBUDSPERSONS,
            "officer-president",
            "officer-secretary",
            "officer-treasurer",
            "staff-sao",
            "admin",
        ]:
            r = await self.client.post(
                "/api/auth/token", data={"username": name, "password": demo.DEMO_PASSWORD}
            )
            self.headers[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
            me = await self.client.get("/api/auth/me", headers=self.headers[name])
            self.ids[name] = me.json()["id"]

    async def step(
        self,
        who: str,
        path: str,
        body: Json | None = None,
        *,
        method: str = "POST",
        status: int = 200,
    ) -> Json:
        r = await self.client.request(
            method,
            f"/api/complaints/{self.cid}/{path}",
            json=body,
            headers={**self.headers[who], "If-Match": self.etag},
        )
        assert r.status_code == status, (path, r.text)
        self.etag = r.headers.get("ETag", self.etag)
        return r.json() if r.content else {}

    async def officer(
        self,
        who: str,
        path: str = "",
        body: Json | None = None,
        *,
        method: str = "GET",
        status: int = 200,
    ) -> Json:
        headers = dict(self.headers[who])
        if method != "GET":
            headers["If-Match"] = self.etag
        r = await self.client.request(
            method, f"/api/status/{self.cid}{path}", json=body, headers=headers
        )
        assert r.status_code == status, (who, path, r.text)
        if "ETag" in r.headers:
            self.etag = r.headers["ETag"]
        return r.json() if r.content else {}

    async def sees(self, who: str) -> int:
        if who.startswith("officer-"):
            return (
                await self.client.get(f"/api/status/{self.cid}", headers=self.headers[who])
            ).status_code
        return (
            await self.client.get(f"/api/complaints/{self.cid}", headers=self.headers[who])
        ).status_code

    async def expect(self, allowed: set[str]) -> None:
        """Exactly `allowed` see the complaint (case workers) or its status (officers)."""
        seen = {}
        for who in self.headers:
            seen[who] = await self.sees(who)
        expected = {
            who: (200 if who in allowed else 403 if who == "admin" else 404) for who in self.headers
        }
        assert seen == expected
        assert (await self.client.get(f"/api/complaints/{self.cid}")).status_code == 401


@pytest.mark.clause("4.3.1")
async def test_a_complaint_from_intake_to_closure(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> None:
    local = await demo.seed(db, settings, passwords)
    await db.commit()
    assert local is not None
    w = World(client)
    await w.sign_in_everyone()
    complainant, witness = local.members[3], local.members[5]
    names = [complainant.full_name, witness.full_name, local.officer_member.full_name]

    # Intake by the Unit 1 ombudsperson; the other party is the Recording Secretary.
    r = await client.post(
        "/api/complaints",
        headers=w.headers["ombuds-u1"],
        json={
            "received_on": day(30),
            "setting": "local_500_event",
            "complainant": {"member_id": str(complainant.id)},
            "other_party": {"member_id": str(local.officer_member.id)},
            "witnesses": [{"member_id": str(witness.id)}],
            "incidents": [
                {
                    "what": "Belittling remarks while chairing",
                    "occurred_on": day(35),
                    "location": "Union hall",
                    "categories": ["comments"],
                }
            ],
            "grounds": ["age"],
            "resolution_sought": "An apology",
        },
    )
    assert r.status_code == 201
    w.cid, w.etag = r.json()["id"], r.headers["ETag"]
    await w.expect({"ombuds-u1"})

    # 4.2.1: a shuttle discussion with the Unit 2 ombudsperson; the other party refuses.
    await w.step(
        "ombuds-u1",
        "informal-attempts",
        {
            "method": "shuttle_discussion",
            "held_on": day(28),
            "participant_ids": [w.ids["ombuds-u1"], w.ids["ombuds-u2"]],
            "proposal": "A private apology",
            "outcome": "refused",
        },
        status=201,
    )
    await w.expect({"ombuds-u1", "ombuds-u2"})

    # 4.3.1, 4.3.1(i): the Local 500 procedure and the signed letter.
    await w.step(
        "ombuds-u1", "formal-route", {"route": "local_500_procedure", "chosen_on": day(25)}
    )
    await w.step(
        "ombuds-u1",
        "letter",
        {
            "what_took_place": "Belittling remarks",
            "when_it_took_place": "While chairing",
            "occurred_at": f"{day(35)}T19:00:00",
            "witnesses": "One member",
            "resolution_sought": "An apology",
            "signed_on": day(25),
        },
        method="PUT",
    )
    await w.step("ombuds-u1", "letter/complete")
    # 4.3.1(ii): the review with the other party starts the 14-day clock.
    await w.step("ombuds-u1", "other-party-review", {"reviewed_on": day(24)})
    await w.step("ombuds-u1", "response", {"received_on": day(20), "text": "I disagree."})
    # 4.3: from the formal route on, ombuds-u2 (informal attempt only) keeps its attempt.
    await w.expect({"ombuds-u1"})
    attempts = f"/api/complaints/{w.cid}/informal-attempts"
    kept = await client.get(attempts, headers=w.headers["ombuds-u2"])
    assert [a["proposal"] for a in kept.json()] == ["A private apology"]

    # 4.3.1(iii)-(iv): the officers learn the complaint exists; the Secretary is recused.
    await w.step("ombuds-u1", "notify-table-officers")
    await w.expect({"ombuds-u1", "officer-president", "officer-treasurer"})
    status = await w.officer("officer-president")
    assert status["recused_officers"] == 1 and status["crc_to_be_struck"] is True
    assert not any(n in str(status) for n in names)

    # 4.3.1(v): the President strikes the CRC; neither intake nor informal participant sits.
    proposal = await w.officer("officer-president", "/committee/proposal", {}, method="POST")
    await w.officer("officer-president")  # the latest ETag
    await w.officer(
        "officer-president",
        "/committee/confirm",
        {"proposal_version": proposal["version"]},
        method="POST",
    )
    panel = {s["user_id"] for s in proposal["seats"]}
    crc = sorted(n for n in OMBUDSPERSONS if w.ids[n] in panel)
    assert len(crc) == 3 and not {"ombuds-u1", "ombuds-u2"} & set(crc)
    await w.officer("officer-secretary", "/committee/proposal", status=404)
    await w.expect({"ombuds-u1", *crc, "staff-sao", "officer-president", "officer-treasurer"})

    # 4.3.1(vi)-(viii): the CRC investigates, finds harassment, recommends, discloses.
    chair = crc[0]
    r = await client.get(f"/api/complaints/{w.cid}", headers=w.headers[chair])
    w.etag = r.headers["ETag"]
    await w.step(
        chair,
        "investigation",
        {
            "kind": "letter_review",
            "occurred_on": day(0),
            "notes": "Reviewed the letter and the response.",
        },
        status=201,
    )
    await w.step(
        "staff-sao",
        "investigation",
        {"kind": "complainant_interview", "occurred_on": day(0), "notes": "Interview."},
        status=201,
    )
    await w.step(
        "ombuds-u1",
        "findings",
        {"finding": "harassment_found", "findings_on": day(0), "findings_text": "Found."},
        status=403,
    )
    await w.step(
        chair,
        "findings",
        {
            "finding": "harassment_found",
            "findings_on": day(0),
            "findings_text": "Harassment was found (2.1).",
        },
    )
    rec = await w.step(
        chair, "recommendations", {"kind": "apology", "text": "A written apology."}, status=201
    )
    await w.step(
        chair, "recommendations/disclose", {"reason": "Corrective action (5.1)"}, status=201
    )
    shown = await w.officer("officer-treasurer", "/recommendations")
    assert [x["text"] for x in shown] == ["A written apology."]  # type: ignore[union-attr]
    await w.officer("officer-secretary", "/recommendations", status=404)

    # 4.3.1(ix): the complainant first; then the other party; then close.
    await w.step(
        chair,
        "conclusions/told",
        {"party": "other_party", "told_on": day(0), "method": "letter"},
        status=409,
    )
    await w.step(
        chair,
        "conclusions/told",
        {"party": "complainant", "told_on": day(0), "method": "in_person"},
    )
    await w.step(
        chair, "conclusions/told", {"party": "other_party", "told_on": day(0), "method": "letter"}
    )
    # 4.3.1(vii): not before both parties were told of every stage (or a notice waived).
    refused = await w.step(chair, "close", status=409)
    assert refused["type"].endswith("/party-notices-owed")
    r = await client.get(f"/api/complaints/{w.cid}/party-notices", headers=w.headers[chair])
    owed = [n for n in r.json() if n["owed"]]
    assert {(n["stage"], n["party"]) for n in owed} == {
        (stage, party)
        for stage in ("review", "committee", "investigation")
        for party in ("complainant", "other_party")
    }
    for n in owed:
        told = {"told_on": day(0), "method": "letter"}
        await w.step(chair, f"party-notices/{n['id']}/told", told)
    detail = await w.step(chair, "close")
    assert detail.get("stage", "closed") == "closed"

    # 4.3.1(viii): the officers carry out the recommendation.
    await w.officer("officer-treasurer")
    rec_id = rec.get("id") or shown[0]["id"]  # type: ignore[index]
    done = await w.officer(
        "officer-treasurer",
        f"/recommendations/{rec_id}/status",
        {"status": "implemented", "status_on": day(0)},
        method="POST",
    )
    assert done["status"] == "implemented"
    board = await client.get(
        "/api/status?include_closed=true", headers=w.headers["officer-president"]
    )
    row = next(x for x in board.json()["items"] if x["id"] == w.cid)
    assert row["stage"] == "closed" and not any(n in board.text for n in names)
