"""Demo complaints at every stage, made the way people make them: through the API, each
step by the role whose step it is, so the demo obeys every rule the service enforces."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from ombuds.demo import DEMO_PASSWORD
from ombuds.kit.clock import local_today
from ombuds.models import Member

Json = dict[str, Any]


class DemoFailed(RuntimeError):
    pass


class Driver:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.tokens: dict[str, dict[str, str]] = {}
        self.ids: dict[str, str] = {}

    async def login(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            r = await self.client.post(
                "/api/auth/token", data={"username": username, "password": DEMO_PASSWORD}
            )
            token = self._ok(r)["access_token"]
            self.tokens[username] = {"Authorization": f"Bearer {token}"}
            self.ids[username] = self._ok(
                await self.client.get("/api/auth/me", headers=self.tokens[username])
            )["id"]
        return self.tokens[username]

    @staticmethod
    def _ok(response: httpx.Response) -> Json:
        if response.status_code >= 300:
            # The status and the problem type only: problem texts may name a field's rule.
            raise DemoFailed(
                f"demo step {response.request.method} {response.request.url.path} "
                f"answered {response.status_code}"
            )
        body: Json = response.json() if response.content else {}
        return body

    async def call(
        self, who: str, method: str, path: str, *, etag: str | None = None, json: Json | None = None
    ) -> tuple[Json, str | None]:
        headers = dict(await self.login(who))
        if etag is not None:
            headers["If-Match"] = etag
        r = await self.client.request(method, path, headers=headers, json=json)
        return self._ok(r), r.headers.get("ETag")


def _day(days_ago: int) -> str:
    return (local_today() - timedelta(days=days_ago)).isoformat()


def _complaint(
    complainant: Member,
    other: Member,
    witness: Member | None,
    what: str,
    days_ago: int,
    **extra: Any,
) -> Json:
    return {
        "received_on": _day(days_ago),
        "setting": "local_500_event",
        "complainant": {"member_id": str(complainant.id)},
        "other_party": {"member_id": str(other.id)},
        "witnesses": [{"member_id": str(witness.id)}] if witness else [],
        "incidents": [
            {
                "what": what,
                "occurred_on": _day(days_ago + 5),
                "occurred_at": "19:30:00",
                "location": "Union hall, general membership meeting",
                "categories": ["comments", "verbal_abuse"],
            }
        ],
        "grounds": ["age"],
        "resolution_sought": "A written apology and an end to the comments.",
        **extra,
    }


class Case:
    def __init__(self, driver: Driver, handler: str, detail: Json, etag: str | None) -> None:
        self.d, self.handler, self.id, self.etag = driver, handler, detail["id"], etag

    def url(self, *parts: str) -> str:
        return "/".join([f"/api/complaints/{self.id}", *parts])

    async def step(
        self, path: str, body: Json | None = None, *, who: str | None = None, method: str = "POST"
    ) -> Json:
        result, etag = await self.d.call(
            who or self.handler,
            method,
            self.url(path) if path else self.url(),
            etag=self.etag,
            json=body,
        )
        if etag:
            self.etag = etag
        return result

    async def refresh(self, who: str | None = None) -> None:
        _, self.etag = await self.d.call(who or self.handler, "GET", self.url())

    async def to_review(self, days_ago: int) -> None:
        await self.step(
            "formal-route", {"route": "local_500_procedure", "chosen_on": _day(days_ago)}
        )
        await self.step(
            "letter",
            {
                "what_took_place": "Repeated demeaning comments during the meeting.",
                "when_it_took_place": "During the general membership meeting.",
                "occurred_at": f"{_day(days_ago + 5)}T19:30:00",
                "witnesses": "One member seated at the same table.",
                "resolution_sought": "A written apology.",
                "signed_on": _day(days_ago),
            },
            method="PUT",
        )
        await self.step("letter/complete")

    async def to_committee(self, days_ago: int) -> None:
        await self.to_review(days_ago)
        await self.step("other-party-review", {"reviewed_on": _day(days_ago - 1)})
        # Told on time, recorded today: the day it happened is what counts (4.3.1(iii)).
        await self.step("notify-table-officers", {"occurred_on": _day(days_ago - 2)})

    async def strike(self, officer: str, days_ago: int = 0) -> list[str]:
        status_url = f"/api/status/{self.id}"
        _, etag = await self.d.call(officer, "GET", status_url)
        proposal, etag = await self.d.call(
            officer, "POST", f"{status_url}/committee/proposal", etag=etag, json={}
        )
        _, etag = await self.d.call(officer, "GET", status_url)
        await self.d.call(
            officer,
            "POST",
            f"{status_url}/committee/confirm",
            etag=etag,
            json={"proposal_version": proposal["version"], "occurred_on": _day(days_ago)},
        )
        return [str(s["user_id"]) for s in proposal["seats"]]


async def run(app: FastAPI, members: Sequence[Member], officer_member: Member) -> int:
    """Drive the demo complaints; returns how many were made."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        d = Driver(client)
        m = list(members)
        made = 0

        async def new(handler: str, body: Json) -> Case:
            nonlocal made
            detail, etag = await d.call(handler, "POST", "/api/complaints", json=body)
            made += 1
            return Case(d, handler, detail, etag)

        await d.call(
            "ombuds-u3",
            "POST",
            "/api/consultations",
            json={
                "member_id": str(m[13].id),
                "held_on": _day(2),
                "notes": "Discussed options; the member will think about an informal complaint.",
                "other_routes_told": True,
            },
        )
        # 5.1: consultations end 30 days after they are held (docs/retention.md): one falls
        # due within the month, and one is kept by a legal hold.
        for days_ago, notes in (
            (12, "Asked how the informal route works; no complaint for now."),
            (26, "Described an incident at a meeting; may bring a complaint."),
        ):
            talk, _ = await d.call(
                "ombuds-u1",
                "POST",
                "/api/consultations",
                json={
                    "member_id": str(m[days_ago].id),
                    "held_on": _day(days_ago),
                    "notes": notes,
                    "other_routes_told": True,
                },
            )
        await d.call(
            "ombuds-u1",
            "POST",
            f"/api/retention/consultations/{talk['id']}/hold",
            json={"reason": "The member asked that the notes be kept while they decide."},
        )
        await new("ombuds-u1", _complaint(m[0], m[2], None, "Name calling in the hallway.", 3))
        informal = await new("ombuds-u2", _complaint(m[6], m[8], None, "Mocking jokes.", 10))
        await informal.step(
            "informal-attempts",
            {
                "method": "shuttle_discussion",
                "held_on": _day(6),
                "participant_ids": [d.ids["ombuds-u2"]],
                "proposal": "A private apology.",
                "outcome": "pending",
            },
        )
        letter = await new("ombuds-u3", _complaint(m[12], m[14], None, "Threats.", 12))
        await letter.step("formal-route", {"route": "local_500_procedure", "chosen_on": _day(4)})
        review = await new("ombuds-u4", _complaint(m[18], m[20], m[19], "Cartoons posted.", 20))
        await review.to_review(15)
        await review.step("other-party-review", {"reviewed_on": _day(10)})
        # The Recording Secretary is the other party here: recused from this case (4.3.1(iv)).
        recusal = await new(
            "ombuds-u1",
            _complaint(m[4], officer_member, None, "Belittling remarks while chairing.", 25),
        )
        await recusal.to_committee(20)
        investigation = await new(
            "ombuds-u5", _complaint(m[24], m[26], m[25], "Pushing at a picket line.", 40)
        )
        await investigation.to_committee(35)
        await investigation.strike("officer-president", 30)
        concluded = await new(
            "ombuds-aff", _complaint(m[30], m[32], m[31], "Repeated sexist comments.", 60)
        )
        await concluded.to_committee(55)
        panel = await concluded.strike("officer-treasurer", 50)
        crc = await _username_of(d, panel[0])
        await concluded.refresh(crc)
        concluded.handler = crc
        await concluded.step(
            "investigation",
            {
                "kind": "complainant_interview",
                "occurred_on": _day(0),
                "notes": "Interviewed the member-complainant.",
            },
        )
        await concluded.step(
            "findings",
            {
                "finding": "harassment_found",
                "findings_on": _day(0),
                "findings_text": "The comments were harassment (2.1).",
            },
        )
        await concluded.step(
            "recommendations", {"kind": "apology", "text": "A written apology to the member."}
        )
        await concluded.step(
            "recommendations",
            {"kind": "training_or_education", "text": "Respectful conduct training."},
        )
        await concluded.step(
            "recommendations/disclose", {"reason": "Corrective action by the table officers (5.1)."}
        )
        await concluded.step(
            "conclusions/told", {"party": "complainant", "told_on": _day(0), "method": "in_person"}
        )
        await new(
            "ombuds-u2",
            _complaint(
                m[8],
                m[10],
                None,
                "Comments at work.",
                5,
                setting="workplace",
                redirected_to="respectful_workplace_policy",
            ),
        )
        # 6: closed cases of the past year, so the review's statistics have figures to show
        # (and small counts to hide): nine redirected at intake, six withdrawn.
        handlers = ("ombuds-u1", "ombuds-u2", "ombuds-u3", "ombuds-u4", "ombuds-u5", "ombuds-aff")
        grounds: tuple[list[str], ...] = (
            ["age"],
            ["sex_including_pregnancy", "sexual_orientation"],
            [],
            ["religion"],
            ["physical_or_mental_disability"],
        )
        for n in range(15):
            i = (5 * n + 1) % len(m)
            body = _complaint(
                m[i],
                m[(i + 2) % len(m)],
                None,
                "Remarks at work.",
                40 + 21 * n,
                grounds=grounds[n % len(grounds)],
            )
            if n < 9:
                body |= {"setting": "workplace", "redirected_to": "grievance_procedure"}
            case = await new(handlers[min(i // 6, len(handlers) - 1)], body)
            if n >= 9:
                await case.step("withdraw")
        return made


async def _username_of(d: Driver, user_id: str) -> str:
    for name in ("ombuds-u1", "ombuds-u2", "ombuds-u3", "ombuds-u4", "ombuds-u5", "ombuds-aff"):
        await d.login(name)
        if d.ids[name] == user_id:
            return name
    raise DemoFailed("the struck committee has no demo ombudsperson")
