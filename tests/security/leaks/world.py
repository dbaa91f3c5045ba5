"""The world the leak scan searches: the demo Local (`ombuds.demo.seed` and
`ombuds.demo_procedure.run`), plus complaints whose every identifying or narrative value is
a canary, made over HTTP by the role whose step it is:

- A: intake by ombuds-u1, an informal attempt with ombuds-u2, the formal route, the letter,
  an attachment, the other party's response, the table officers told, the CRC struck, the
  investigation, findings, a recommendation disclosed to the officers (who record its
  status), a disclosure outside the roles, the complainant told the conclusions. A witness
  is a member who is also an ombudsperson ("the party ombudsperson").
- B: intake by ombuds-u3, up to a CRC to be struck; the other party is the Recording
  Secretary's member record (renamed to a canary), so that officer is recused.
- C: intake by ombuds-u1 too, the letter in draft (the scan's own steps move it on).
- K: a consultation held by ombuds-u1 with someone outside the directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from ombuds import demo, demo_procedure
from ombuds.kit.clock import local_today
from ombuds.models import Member
from tests.security.leaks.canaries import Registry, Scope

Json = dict[str, Any]
PASSWORD = "leak-scan-password-0001"
OMBUDSPERSONS = ["ombuds-u1", "ombuds-u2", "ombuds-u3", "ombuds-u4", "ombuds-u5", "ombuds-aff"]
SPARE_SESSIONS = 3  # per signed-in principal, for the logouts the scan sends


def day(ago: int) -> str:
    return (local_today() - timedelta(days=ago)).isoformat()


@dataclass
class Principal:
    key: str
    username: str | None
    password: str = demo.DEMO_PASSWORD
    headers: dict[str, str] = field(default_factory=dict)
    spare: list[dict[str, str]] = field(default_factory=list)
    user_id: str | None = None


@dataclass
class World:
    client: httpx.AsyncClient
    canaries: Registry = field(default_factory=Registry)
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)
    complaints: dict[str, str] = field(default_factory=dict)  # key -> id
    nested: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {param: id}
    etags: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # other path targets
    demo_members: list[str] = field(default_factory=list)

    # -- HTTP ----------------------------------------------------------------------------

    async def login(self, username: str, password: str = demo.DEMO_PASSWORD) -> dict[str, str]:
        r = await self.client.post(
            "/api/auth/token", data={"username": username, "password": password}
        )
        assert r.status_code == 200, (username, r.status_code)
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def as_(self, username: str) -> dict[str, str]:
        if username not in self.sessions:
            self.sessions[username] = await self.login(username)
            me = await self.client.get("/api/auth/me", headers=self.sessions[username])
            self.user_ids[username] = me.json()["id"]
        return self.sessions[username]

    async def call(
        self,
        who: str,
        method: str,
        path: str,
        key: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """A step of the seeding; `key` names the complaint whose ETag goes along."""
        headers = dict(await self.as_(who))
        if key is not None:
            headers["If-Match"] = self.etags[key]
        r = await self.client.request(method, path, headers=headers, **kwargs)
        assert r.status_code < 300, (
            f"seeding step {method} {path} as {who} answered {r.status_code}: {r.text[:300]}"
        )
        if key is not None and "ETag" in r.headers:
            self.etags[key] = r.headers["ETag"]
        return r.json() if r.content else None

    async def step(self, who: str, key: str, method: str, tail: str, **kwargs: Any) -> Any:
        return await self.call(
            who, method, f"/api/complaints/{self.complaints[key]}/{tail}", key, **kwargs
        )

    async def refresh(self, who: str, key: str) -> None:
        r = await self.client.get(
            f"/api/complaints/{self.complaints[key]}", headers=await self.as_(who)
        )
        assert r.status_code == 200, (who, key, r.status_code)
        self.etags[key] = r.headers["ETag"]

    # -- planting ------------------------------------------------------------------------

    def text(self, kind: str, key: str, scope: Scope = Scope.complaint) -> str:
        return self.canaries.sentence(kind, scope, key)

    async def member(self, key: str, unit_id: str) -> str:
        c = self.canaries
        name = c.new("member name", Scope.directory, key)
        body = {
            "member_number": c.new("member number", Scope.directory, key),
            "full_name": f"Pat {name}",
            "unit_id": unit_id,
            "email": f"{c.new('member email', Scope.directory, key).lower()}@example.org",
        }
        return str((await self.call("admin", "POST", "/api/members", json=body))["id"])

    def outsider(self, key: str) -> Json:
        return {
            "full_name": f"Sam {self.canaries.new('outsider name', Scope.complaint, key)}",
            "contact": self.text("outsider contact", key),
        }

    def complaint_body(
        self, key: str, complainant: Json, other: Json, witnesses: list[Json]
    ) -> Json:
        return {
            "received_on": day(30),
            "setting": "local_500_event",
            "complainant": complainant,
            "other_party": other,
            "witnesses": witnesses,
            "incidents": [
                {
                    "what": self.text("incident text", key),
                    "occurred_on": day(35),
                    "occurred_at": "19:30:00",
                    "location": self.text("incident location", key),
                    "categories": ["comments"],
                }
            ],
            "grounds": ["age"],
            "resolution_sought": self.text("resolution sought", key),
        }

    async def file(self, who: str, key: str, body: Json) -> None:
        detail = await self.call(who, "POST", "/api/complaints", json=body)
        self.complaints[key] = str(detail["id"])
        self.canaries.adopt(detail["reference"], "reference", Scope.reference, key)
        await self.refresh(who, key)

    async def letter(self, who: str, key: str, *, complete: bool) -> None:
        await self.step(
            who,
            key,
            "POST",
            "formal-route",
            json={"route": "local_500_procedure", "chosen_on": day(25)},
        )
        letter = {
            "what_took_place": self.text("letter what took place", key),
            "when_it_took_place": self.text("letter when", key),
            "occurred_at": f"{day(35)}T19:30:00",
            "witnesses": self.text("letter witnesses", key),
            "resolution_sought": self.text("letter resolution sought", key),
            "signed_on": day(25),
        }
        await self.step(who, key, "PUT", "letter", json=letter)
        if complete:
            await self.step(who, key, "POST", "letter/complete")

    async def to_committee(self, who: str, key: str) -> None:
        await self.step(who, key, "POST", "other-party-review", json={"reviewed_on": day(24)})
        response = {"received_on": day(20), "text": self.text("other party response", key)}
        await self.step(who, key, "POST", "response", json=response)
        await self.step(who, key, "POST", "notify-table-officers")

    async def strike(self, officer: str, key: str) -> list[str]:
        status = f"/api/status/{self.complaints[key]}"
        r = await self.client.get(status, headers=await self.as_(officer))
        self.etags[key] = r.headers["ETag"]
        proposal = await self.call(officer, "POST", f"{status}/committee/proposal", key, json={})
        r = await self.client.get(status, headers=await self.as_(officer))
        self.etags[key] = r.headers["ETag"]
        confirm = {"proposal_version": proposal["version"]}
        await self.call(officer, "POST", f"{status}/committee/confirm", key, json=confirm)
        return [str(s["user_id"]) for s in proposal["seats"]]


async def _complaint_a(w: World, unit: str) -> None:
    complainant, other, witness = [await w.member(f"A-{r}", unit) for r in ("c", "o", "w")]
    w.ids["member_id"] = complainant
    user = {
        "username": "ombuds-witness",
        "display_name": "Ombudsperson who is a witness",
        "password": PASSWORD,
        "roles": ["ombudsperson"],
        "member_id": witness,
    }
    await w.call("admin", "POST", "/api/users", json=user)
    witnesses = [{"member_id": witness}, w.outsider("A")]
    body = w.complaint_body("A", {"member_id": complainant}, {"member_id": other}, witnesses)
    await w.file("ombuds-u1", "A", body)
    await w.as_("ombuds-u2")
    attempt = {
        "method": "other_agreed_method",
        "method_description": w.text("informal method", "A", Scope.attempt),
        "held_on": day(28),
        "participant_ids": [w.user_ids["ombuds-u1"], w.user_ids["ombuds-u2"]],
        "proposal": w.text("informal proposal", "A", Scope.attempt),
        "other_party_answer": w.text("other party answer", "A", Scope.attempt),
        "outcome": "refused",
    }
    attempt_out = await w.step("ombuds-u1", "A", "POST", "informal-attempts", json=attempt)
    await w.letter("ombuds-u1", "A", complete=False)
    name = w.canaries.new("attachment file name", Scope.complaint, "A")
    content = b"%PDF-1.4\n% " + w.canaries.new("attachment content", Scope.complaint, "A").encode()
    files = {"file": (f"{name}.pdf", content, "application/pdf")}
    attachment = await w.step(
        "ombuds-u1", "A", "POST", "attachments", files=files, data={"purpose": "signed_letter"}
    )
    await w.step("ombuds-u1", "A", "POST", "letter/complete")
    await w.to_committee("ombuds-u1", "A")
    panel = await w.strike("officer-president", "A")
    for n in OMBUDSPERSONS:
        await w.as_(n)
    chair = next(n for n in OMBUDSPERSONS if w.user_ids[n] in panel)
    w.ids["crc_member"] = chair
    w.ids["unrelated_ombudsperson"] = next(
        n for n in OMBUDSPERSONS[2:] if w.user_ids[n] not in panel
    )
    await w.refresh(chair, "A")
    entry = {
        "kind": "complainant_interview",
        "occurred_on": day(0),
        "notes": w.text("investigation notes", "A"),
    }
    await w.step(chair, "A", "POST", "investigation", json=entry)
    findings = {
        "finding": "harassment_found",
        "findings_on": day(0),
        "findings_text": w.text("findings text", "A"),
    }
    await w.step(chair, "A", "POST", "findings", json=findings)
    rec_text = w.text("recommendation text", "A", Scope.recommendation)
    rec = await w.step(
        chair, "A", "POST", "recommendations", json={"kind": "apology", "text": rec_text}
    )
    reason = {"reason": w.text("disclosure reason", "A")}
    await w.step(chair, "A", "POST", "recommendations/disclose", json=reason)
    disclosure = {
        "purpose": "investigation",
        "reason": w.text("disclosure reason", "A"),
        "recipient": w.text("disclosure recipient", "A", Scope.recipient),
        "content": w.text("disclosure content", "A"),
    }
    await w.step(chair, "A", "POST", "disclosures", json=disclosure)
    told = {"party": "complainant", "told_on": day(0), "method": "in_person"}
    await w.step(chair, "A", "POST", "conclusions/told", json=told)
    status = f"/api/status/{w.complaints['A']}"
    r = await w.client.get(status, headers=await w.as_("officer-president"))
    w.etags["A"] = r.headers["ETag"]
    note = {
        "status": "implemented",
        "status_on": day(0),
        "status_note": w.text("recommendation status note", "A", Scope.recommendation),
    }
    await w.call(
        "officer-president", "POST", f"{status}/recommendations/{rec['id']}/status", "A", json=note
    )
    notices = await w.call(chair, "GET", f"/api/complaints/{w.complaints['A']}/party-notices")
    w.nested["A"] = {
        "attempt_id": str(attempt_out["id"]),
        "attachment_id": str(attachment["id"]),
        "recommendation_id": str(rec["id"]),
        "notice_id": str(notices[0]["id"]),
    }


async def _complaint_b(w: World, unit: str, officer_member: Member) -> None:
    complainant = await w.member("B-c", unit)
    renamed = {
        "full_name": f"Lee {w.canaries.new('member name', Scope.directory, 'B-o')}",
        "email": f"{w.canaries.new('member email', Scope.directory, 'B-o').lower()}@example.org",
    }
    await w.call("admin", "PATCH", f"/api/members/{officer_member.id}", json=renamed)
    body = w.complaint_body(
        "B", {"member_id": complainant}, {"member_id": str(officer_member.id)}, [w.outsider("B")]
    )
    await w.file("ombuds-u3", "B", body)
    await w.letter("ombuds-u3", "B", complete=True)
    await w.to_committee("ombuds-u3", "B")


async def _complaint_c(w: World, unit: str) -> None:
    complainant, other = [await w.member(f"C-{r}", unit) for r in ("c", "o")]
    body = w.complaint_body(
        "C", {"member_id": complainant}, {"member_id": other}, [w.outsider("C")]
    )
    await w.file("ombuds-u1", "C", body)
    await w.letter("ombuds-u1", "C", complete=False)


PRINCIPALS = {
    # principal -> demo login (None: anonymous or the integration token); some are
    # decided once A's CRC is struck (see `_principals`).
    "anonymous": None,
    "administrator": "admin",
    "intake_ombudsperson": "ombuds-u1",
    "informal_participant": "ombuds-u2",
    "crc_member": "",
    "unrelated_ombudsperson": "",
    "party_ombudsperson": "ombuds-witness",
    "staff_resource": "staff-sao",
    "table_officer": "officer-president",
    "recused_table_officer": "officer-secretary",
    "integration": None,
}


async def _principals(w: World) -> None:
    for key, username in PRINCIPALS.items():
        username = w.ids.get(key, username) if username == "" else username
        p = Principal(key, username)
        if username == "ombuds-witness":
            p.password = PASSWORD
        if key == "integration":
            p.headers = {"Authorization": f"Bearer {demo.DEMO_API_TOKEN}"}
        elif username is not None:
            p.headers = await w.login(username, p.password)
            p.spare = [await w.login(username, p.password) for _ in range(SPARE_SESSIONS)]
            me = await w.client.get("/api/auth/me", headers=p.headers)
            p.user_id = me.json()["id"]
        w.principals[key] = p


async def build(app: FastAPI, client: httpx.AsyncClient, canaries: Registry) -> World:
    settings = app.state.settings
    async with app.state.sessionmaker() as db:
        local = await demo.seed(db, settings, app.state.passwords)
        await db.commit()
    assert local is not None
    await demo_procedure.run(app, local.members, local.officer_member)
    w = World(client, canaries)
    w.demo_members = [str(m.id) for m in local.members[2:5]]  # [1] is the officer's record
    unit = {
        "code": w.canaries.new("unit code", Scope.directory, "unit"),
        "name": f"Unit {w.canaries.new('unit name', Scope.directory, 'unit')}",
    }
    w.ids["unit_id"] = str((await w.call("admin", "POST", "/api/units", json=unit))["id"])
    consultation = {
        "full_name": f"Kim {w.canaries.new('consultation name', Scope.consultation, 'K')}",
        "held_on": day(3),
        "notes": w.text("consultation notes", "K", Scope.consultation),
        "other_routes_told": True,
    }
    w.ids["consultation_id"] = str(
        (await w.call("ombuds-u1", "POST", "/api/consultations", json=consultation))["id"]
    )
    await _complaint_a(w, w.ids["unit_id"])
    await _complaint_b(w, w.ids["unit_id"], local.officer_member)
    await _complaint_c(w, w.ids["unit_id"])
    await _targets(w)
    await _principals(w)
    return w


async def _targets(w: World) -> None:
    """A user (an ombudsperson without a seat), a service account and its token that exist
    only to be changed by the scan; a roster seat and term to aim the roster steps at."""
    user = {
        "username": "leak-target",
        "display_name": "Leak scan target",
        "password": PASSWORD,
        "roles": ["ombudsperson"],
    }
    w.ids["user_id"] = str((await w.call("admin", "POST", "/api/users", json=user))["id"])
    vacant = [s for s in await w.call("admin", "GET", "/api/roster") if s["vacant"]]
    if vacant:  # the canary Unit's seat, when creating a Unit opens one
        w.ids["seat_id"] = str(vacant[0]["id"])
    account = await w.call("admin", "POST", "/api/service-accounts", json={"name": "Leak target"})
    w.ids["account_id"] = str(account["id"])
    token = await w.call(
        "admin",
        "POST",
        f"/api/service-accounts/{account['id']}/tokens",
        json={"scopes": ["deadlines:read"]},
    )
    w.ids["token_id"] = str(token["id"])
