"""The security suites' world: a demo Local with one complaint at each of several stages and
every principal of the authorization matrix, seeded once per test module over the HTTP API.

Use it from any test module (its own app and database, on the run's `--db` backend);
tests/security/conftest.py provides exactly this as the module-scoped fixture `world`:

    @pytest.fixture(scope="module")
    async def world(databases: DatabaseFactory) -> AsyncIterator[World]:
        async with open_world(databases.fresh()) as w:
            yield w

Then drive any operation of the OpenAPI document, as any principal, at any stage:

    response = await world.call("complaints-get", "crc_member", "investigation")
    call = await world.request("formal-save-letter", "intake_ombudsperson", "committee")
    response = await world.send(replace(call, json={...}))   # or change the call first

`request` fills every path parameter by name (`path_ids`), sends a valid body (made from
the operation's schema by `generate`, or hand-written in OVERRIDES) and the complaint's
current ETag as If-Match where the operation takes one. A stage is GLOBAL for operations
without a complaint, else one of STAGES (`stages_of(operation)` says where it applies).

What is in it
- `ombuds.demo.seed`: Units U1-U5 and AFF, 36 members, ombuds-u1..u5 and ombuds-aff
  (seated, trained), officer-president, officer-secretary (linked to a member),
  officer-treasurer, staff-sao, admin, an integration token with deadlines:read.
- ombuds-party: a trained ombudsperson who took part in every target's informal attempt
  and was then linked to the targets' witness. Without the party rule (5.1) they could
  read every target: their 404s prove that rule, not merely that they are strangers.
- one complaint per stage in STAGES (`targets[stage]`: its path ids; `references`), each
  taken in by ombuds-u1 with the Recording Secretary as the other party (officer-secretary
  is recused, 4.3.1(iv)) and the same witness; an informal attempt by ombuds-u1, -u2 and
  -party (ombuds-u2 is the `informal_ombudsperson`: neither intake, nor CRC, nor a party
  or a witness; it reads a target only while no formal route is chosen, and then keeps
  its own attempts and the dashboard row, 4.2.1, 4.3). From `committee` on: the Local 500
  route, a complete letter, a PDF attachment, the other party's review and response, the
  officers told. `committee`: a panel proposed,
  not struck: ombuds-aff, -u4 and -u5 (ombuds-u3 is redrawn off it; being drawn lets
  ombuds-aff declare a conflict, and read nothing). From `investigation` on: the CRC
  ombuds-u3, -u4, -u5 and staff-sao (ombuds-aff is redrawn off it, so it stays unrelated)
  and an investigation entry. From `conclusions` on: harassment found, a recommendation
  disclosed to the table officers.
  `closed`: both parties told, closed.
- objects made only to be changed: the user, member, seat and term, service account and
  token that the path ids name, a second CalDAV connection (`OBJECT_OVERRIDES`); a
  consultation and a CalDAV connection of ombuds-u1; a live calendar feed for every user.
  So an `allow` cell that deactivates, revokes or deletes never breaks another cell.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds import demo
from ombuds import models as m
from ombuds.auth import tokens
from ombuds.auth.passwords import Passwords
from ombuds.complaints.access import etag as complaint_etag
from ombuds.kit.clock import local_today
from ombuds.main import create_app
from ombuds.openapi import document

Json = Any
GLOBAL = "global"
STAGES = ("informal", "committee", "investigation", "conclusions", "closed")
PRINCIPALS = tuple(
    "anonymous administrator intake_ombudsperson unrelated_ombudsperson party_ombudsperson"
    " informal_ombudsperson crc_member staff_resource table_officer recused_officer"
    " integration".split()
)
USERNAMES = {
    "administrator": "admin",
    "intake_ombudsperson": "ombuds-u1",
    "unrelated_ombudsperson": "ombuds-aff",
    "party_ombudsperson": "ombuds-party",
    "informal_ombudsperson": "ombuds-u2",
    "crc_member": "ombuds-u3",
    "staff_resource": "staff-sao",
    "table_officer": "officer-president",
    "recused_officer": "officer-secretary",
}
_ROLE = {"administrator": m.Role.administrator, "staff_resource": m.Role.staff_resource}
_ROLE |= {"table_officer": m.Role.table_officer, "recused_officer": m.Role.table_officer}
ROLES = {  # the roles each principal holds (the integration holds a scope, no role)
    p: frozenset({_ROLE.get(p, m.Role.ombudsperson)}) if p in USERNAMES else frozenset()
    for p in PRINCIPALS
}
PARTY, SPARE, LOGIN = "ombuds-party", "spare-ombudsperson", "matrix-login"
PANEL = ("ombuds-u3", "ombuds-u4", "ombuds-u5")
# Path parameters every stage has, and those each target has.
GLOBAL_PARAMS = frozenset(
    "user_id member_id seat_id term_id account_id token_id consultation_id connection_id"
    " token seat notification_id delivery_id".split()
) | {"message_id", "file_id"}  # the first target's, for the party's routes (all 401)
# Every target has a portal invitation (the witness's) and a portal access (the other
# party's), made at intake so that the closed target has them too; and in the other
# party's thread, the ombudsperson's reply to their message, with a file attached.
_PORTAL = frozenset({"invitation_id", "access_id", "message_id", "file_id"})
_FORMAL = frozenset({"complaint_id", "attempt_id", "attachment_id", "notice_id"}) | _PORTAL
TARGET_PARAMS = {
    "informal": frozenset({"complaint_id", "attempt_id"}) | _PORTAL,
    "committee": _FORMAL,
    "investigation": _FORMAL,
    "conclusions": _FORMAL | {"recommendation_id"},
    "closed": _FORMAL | {"recommendation_id"},
}
# Cells that delete what they name get an object of their own.
OBJECT_OVERRIDES = {"calendar-disconnect-caldav": {"connection_id": "disposable_connection_id"}}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CALDAV = {"url": "https://caldav.example.org/cal/", "username": "ombuds", "password": "app-pw"}


def day(ago: int) -> str:
    return (local_today() - timedelta(days=ago)).isoformat()


def random_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    path_params: tuple[str, ...]
    if_match: bool
    content_type: str | None
    body_schema: Json


@cache
def openapi() -> dict[str, Any]:
    return document()


@cache
def operations() -> dict[str, Operation]:
    """Every operation of the OpenAPI document, by operation id."""
    found = {}
    for path, item in openapi()["paths"].items():
        for method, op in item.items():
            params = op.get("parameters", [])
            content = (op.get("requestBody") or {}).get("content", {})
            ctype = next(iter(content), None)
            found[op["operationId"]] = Operation(
                id=op["operationId"],
                method=method.upper(),
                path=path,
                path_params=tuple(p["name"] for p in params if p["in"] == "path"),
                if_match=any(p["name"] == "If-Match" for p in params),
                content_type=ctype,
                body_schema=content[ctype]["schema"] if ctype else None,
            )
    return found


def stages_of(op: Operation) -> tuple[str, ...]:
    """Where an operation applies: GLOBAL without a complaint, else every stage whose
    target has all its path parameters."""
    if "complaint_id" not in op.path_params:
        return (GLOBAL,)
    return tuple(s for s in STAGES if set(op.path_params) <= TARGET_PARAMS[s] | GLOBAL_PARAMS)


@dataclass(frozen=True)
class Call:
    """One request, ready to send; change it with dataclasses.replace."""

    method: str
    url: str
    headers: dict[str, str]
    json: Json = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None


@dataclass
class World:
    app: FastAPI
    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    user_ids: dict[str, str] = field(default_factory=dict)  # username -> id
    auth: dict[str, dict[str, str]] = field(default_factory=dict)  # username -> headers
    ids: dict[str, str] = field(default_factory=dict)  # global path and body ids
    targets: dict[str, dict[str, str]] = field(default_factory=dict)  # stage -> path ids
    references: dict[str, str] = field(default_factory=dict)  # stage -> case reference
    witnesses: dict[str, str] = field(default_factory=dict)  # complaint id -> witness person

    def headers(self, principal: str) -> dict[str, str]:
        if principal == "integration":
            return {"Authorization": f"Bearer {demo.DEMO_API_TOKEN}"}
        return dict(self.auth[USERNAMES[principal]]) if principal in USERNAMES else {}

    def user_id(self, principal: str) -> str:
        return self.user_ids[USERNAMES[principal]]

    def path_ids(self, op: Operation, stage: str) -> dict[str, str]:
        ids = {name: self.ids[name] for name in GLOBAL_PARAMS}
        ids.update(self.targets.get(stage, {}))
        ids.update({k: self.ids[v] for k, v in OBJECT_OVERRIDES.get(op.id, {}).items()})
        # A party's own objects on the portal's routes (a notice, say) are no principal's
        # here: every cell is refused before the id is looked at, so any id does.
        if op.path.startswith("/api/portal/"):
            ids = {name: random_id() for name in op.path_params} | ids
        return ids

    async def etag(self, complaint_id: str) -> str:
        """The complaint's current ETag, read from the database (no audited read)."""
        cid = uuid.UUID(complaint_id)
        async with self.sessionmaker() as db:
            version = await db.scalar(select(m.Complaint.version).where(m.Complaint.id == cid))
        return complaint_etag(cast(m.Complaint, SimpleNamespace(id=cid, version=version)))

    async def sign_in(self, username: str) -> dict[str, str]:
        """A new session for ``username`` (the one in `auth` is left alone)."""
        form = {"username": username, "password": demo.DEMO_PASSWORD}
        r = await self.client.post("/api/auth/token", data=form)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def request(
        self, op_id: str, principal: str, stage: str, *, ids: Mapping[str, str] | None = None
    ) -> Call:
        """The operation as ``principal`` on ``stage``'s target, with a valid body.
        ``ids`` replaces path parameters (e.g. a random uuid for a guessed id)."""
        op = operations()[op_id]
        real = self.path_ids(op, stage)
        values = {**real, **(ids or {})}
        url = op.path.format(**{name: values[name] for name in op.path_params})
        headers = self.headers(principal)
        if op_id == "auth-logout" and principal in USERNAMES:
            headers = await self.sign_in(USERNAMES[principal])  # never end the shared one
        if op.if_match and "complaint_id" in real:
            headers["If-Match"] = await self.etag(real["complaint_id"])
        if op.content_type is None:
            return Call(op.method, url, headers)
        body = valid_body(self, op, values)
        if op.content_type == "application/json":
            return Call(op.method, url, headers, json=body)
        files = {k: v for k, v in body.items() if isinstance(v, tuple)}
        data = {k: str(v) for k, v in body.items() if not isinstance(v, tuple)}
        return Call(op.method, url, headers, data=data, files=files or None)

    async def send(self, call: Call) -> httpx.Response:
        c = call
        return await self.client.request(
            c.method, c.url, headers=c.headers, json=c.json, data=c.data, files=c.files
        )

    async def call(
        self, op_id: str, principal: str, stage: str, *, ids: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return await self.send(await self.request(op_id, principal, stage, ids=ids))


# Valid bodies --------------------------------------------------------------------------


def resolve_schema(schema: Json) -> Json:
    while "$ref" in schema:
        schema = openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


STRING_CANDIDATES = ("a", "aa", "a1", "A-1", "500-9001", "000000", "password")
# A uuid property of a body, by name, and the world id it gets.
BODY_IDS = {
    "member_id": "spare_member_id",
    "unit_id": "unit_id",
    "user_id": "user_id",
    "participant_ids": "intake_ombudsperson_id",  # never someone new to the complaint
    "staff_resource_id": "staff_resource_id",
    "consultation_id": "consultation_id",
}


def _string(schema: Json) -> str:
    low, high = schema.get("minLength", 1), schema.get("maxLength", 10_000)
    pattern = schema.get("pattern")
    for candidate in (*STRING_CANDIDATES, "a" * max(low, 1)):
        if low <= len(candidate) <= high and (not pattern or re.fullmatch(pattern, candidate)):
            return candidate
    raise ValueError(f"no simple string for {schema}: add the operation to OVERRIDES")


def generate(world: World, schema: Json, name: str = "") -> Json:
    """A minimal valid value: required properties only, the first enum value, a date of
    today (never in the future, never before what the world recorded), ids from the world
    where the property's name says what they are (BODY_IDS; an unknown name fails)."""
    schema = resolve_schema(schema)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if resolve_schema(s).get("type") != "null"]
        return generate(world, options[0], name)
    if "allOf" in schema:
        return generate(world, schema["allOf"][0], name)
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: generate(world, props[k], k) for k in schema.get("required", [])}
    if kind == "array":
        return [generate(world, schema["items"], name) for _ in range(schema.get("minItems", 0))]
    simple = {"integer": int(schema.get("minimum", 1)), "boolean": False}
    if kind in simple:
        return simple[kind]
    if fmt == "uuid":
        return world.ids[BODY_IDS[name]]
    formats = {"date": day(0), "date-time": f"{day(0)}T00:00:00Z", "time": "12:00:00"}
    if fmt in formats or fmt == "email":
        return formats.get(fmt, "someone@example.org")
    if schema.get("contentMediaType") or fmt == "binary":
        return ("document.pdf", PDF, "application/pdf")
    return _string(schema)


def complaint_body(complainant: str, other: str, witnesses: list[str], ago: int) -> Json:
    incident = {"what": "Remarks", "occurred_on": day(ago + 5), "location": "Union hall"}
    return {
        "received_on": day(ago),
        "setting": "local_500_event",
        "complainant": {"member_id": complainant},
        "other_party": {"member_id": other},
        "witnesses": [{"member_id": w} for w in witnesses],
        "incidents": [{**incident, "categories": ["comments"]}],
        "grounds": ["age"],
        "resolution_sought": "An apology",
    }


# Bodies the generator cannot make valid, or whose success would change what other cells
# rely on (a struck CRC, a closed complaint): hand-written.
OVERRIDES: dict[str, Any] = {
    "auth-token": lambda w: {"username": LOGIN, "password": demo.DEMO_PASSWORD},
    "users-set-roles": lambda w: {"roles": ["ombudsperson"]},
    "complaints-create": lambda w: complaint_body(w.ids["member_a"], w.ids["member_b"], [], 3),
    "consultations-create": lambda w: {
        "member_id": w.ids["member_a"],
        "held_on": day(1),
        "notes": "Talked through the options.",
    },
    "members-import": lambda w: {
        "file": ("members.csv", b"member_number,full_name,unit_code,email\n", "text/csv")
    },
    # Refused for its date (422, past authorization): the `informal` target stays informal,
    # so the informal_ombudsperson's cells there keep answering as at that stage (4.3).
    "formal-choose-route": lambda w: {"route": "local_500_procedure", "chosen_on": "2000-01-03"},
    "status-confirm-committee": lambda w: {"proposal_version": 999_999},  # never strikes
    "calendar-connect-caldav": lambda w: CALDAV,
    "calendar-connect-shared-caldav": lambda w: CALDAV,
    "calendar-replace-caldav": lambda w: CALDAV,
    # A passphrase under 12 characters: refused (422, past authorization), so that no cell
    # uses up an invitation the world needs; tests/portal redeem real ones.
    "portal-redeem": lambda w: {"token": "t", "code": "c", "passphrase": "short"},
    "portal-sign-in": lambda w: {"sign_in_id": w.ids["sign_in_id"], "passphrase": PASSPHRASE},
}
# Bodies that name an object of the target complaint (ids: the call's path ids).
TARGET_OVERRIDES: dict[str, Any] = {
    "portal-invite": lambda w, ids: {
        "person_id": w.witnesses.get(ids.get("complaint_id", ""), random_id())
    },
    "portal-reply-portal-message": lambda w, ids: {
        "person_id": w.witnesses.get(ids.get("complaint_id", ""), random_id()),
        "body": "A reply",
    },
}
PASSPHRASE = "the matrix party passphrase"


def valid_body(world: World, op: Operation, ids: Mapping[str, str] | None = None) -> Json:
    if op.id in TARGET_OVERRIDES:
        return TARGET_OVERRIDES[op.id](world, ids or {})
    if op.id in OVERRIDES:
        return OVERRIDES[op.id](world)
    return generate(world, op.body_schema)


# Building the world --------------------------------------------------------------------


@asynccontextmanager
async def open_world(database_url: str, **settings: object) -> AsyncIterator[World]:
    """A running app on ``database_url`` (fresh and migrated) with the world seeded."""
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, **settings))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            world = World(app, c, app.state.sessionmaker)
            await _seed(world)
            yield world


async def _seed(w: World) -> None:
    passwords: Passwords = w.app.state.passwords
    async with w.sessionmaker() as db:
        local = await demo.seed(db, w.app.state.settings, passwords)
        assert local is not None
        pw = passwords.hash(demo.DEMO_PASSWORD)
        ombudsperson = [m.Role.ombudsperson]
        users = {
            name: m.User(
                username=name,
                display_name=f"{name} (matrix)",
                password_hash=pw,
                roles=[m.UserRole(role=r) for r in roles],
            )
            for name, roles in [(PARTY, ombudsperson), (SPARE, ombudsperson), (LOGIN, [])]
        }
        unit = m.Unit(code="SPARE", name="Spare Unit")
        account = m.ServiceAccount(name="Spare integration")
        db.add_all([unit, account, *users.values()])
        await db.flush()
        seat = m.RosterSeat(unit_id=unit.id)
        spares = [
            m.Member(member_number=f"500-90{n}", full_name=f"Spare {n}", unit_id=unit.id)
            for n in range(3)
        ]
        _, token_hash, prefix = tokens.new_api_token()
        scope = m.Scope.deadlines_read.value
        token = m.ApiToken(
            service_account_id=account.id, token_hash=token_hash, prefix=prefix, scopes=scope
        )
        trained = m.TrainingKind.comprehensive
        training = m.TrainingRecord(
            user_id=users[PARTY].id, kind=trained, completed_on=date(2025, 2, 1)
        )
        db.add_all([seat, token, training, *spares])
        await db.flush()
        term = m.SeatTerm(seat_id=seat.id, user_id=users[SPARE].id, starts_on=date(2025, 1, 1))
        db.add(term)
        await db.flush()
        w.user_ids.update({u.username: str(u.id) for u in await db.scalars(select(m.User))})
        # The intake ombudsperson's notification, whose message every attempt failed to send.
        notified = uuid.UUID(w.user_ids["ombuds-u1"])
        notification = m.Notification(user_id=notified, kind=m.NotificationKind.response_recorded)
        db.add(notification)
        await db.flush()
        failed = m.OutboxMessage(
            notification_id=notification.id,
            user_id=notified,
            status=m.DeliveryStatus.failed,
            attempts=5,
            last_error="SMTPConnectError",
        )
        db.add(failed)
        await db.flush()
        for key, value in {
            "user_id": users[SPARE].id,
            "member_id": spares[0].id,
            "spare_member_id": spares[0].id,
            "member_a": spares[1].id,
            "member_b": spares[2].id,
            "unit_id": unit.id,
            "seat_id": seat.id,
            "term_id": term.id,
            "account_id": account.id,
            "token_id": token.id,
            "notification_id": notification.id,
            "delivery_id": failed.id,
            "seat": 1,
        }.items():
            w.ids[key] = str(value)
        complainants = [str(x.id) for x in local.members[6:12]]
        people = [str(local.officer_member.id), str(local.members[5].id)]  # other, witness
        await db.commit()
    for username in w.user_ids:
        if username != LOGIN:
            w.auth[username] = await w.sign_in(username)
    w.ids["intake_ombudsperson_id"] = w.user_ids["ombuds-u1"]
    w.ids["staff_resource_id"] = w.user_ids["staff-sao"]
    await _own_objects(w)
    for stage, complainant in zip(STAGES, complainants, strict=False):
        w.targets[stage] = await _target(w, stage, complainant, *people)
        assert set(w.targets[stage]) == TARGET_PARAMS[stage], stage
    # Only now the party ombudsperson becomes the witness: they took part informally.
    link = f"/api/users/{w.user_ids[PARTY]}/member"
    await _ok(w, "admin", "PUT", link, json={"member_id": people[1]})


async def _ok(
    w: World, who: str, method: str, url: str, *, cid: str = "", expect: int = 200, **kw: Any
) -> Json:
    """A step of the world's making, as ``who``; with ``cid``, at that complaint's ETag."""
    headers = {**w.auth[who], **({"If-Match": await w.etag(cid)} if cid else {})}
    r = await w.client.request(method, url, headers=headers, **kw)
    assert r.status_code == expect, (method, url, r.status_code, r.text)
    return r.json() if r.content else None


async def _own_objects(w: World) -> None:
    u1 = "ombuds-u1"
    body = OVERRIDES["consultations-create"](w)
    made = await _ok(w, u1, "POST", "/api/consultations", expect=201, json=body)
    w.ids["consultation_id"] = made["id"]
    for key in ("connection_id", "disposable_connection_id"):
        made = await _ok(w, u1, "POST", "/api/calendar/caldav", expect=201, json=CALDAV)
        w.ids[key] = made["id"]
    for username in w.auth:  # every user has a live feed: revoking it is then always 204
        feed = await _ok(w, username, "POST", "/api/calendar/feed", expect=201)
        if username == "officer-treasurer":  # nobody's principal: never rotated
            w.ids["token"] = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")


async def _target(w: World, stage: str, complainant: str, other: str, witness: str) -> Json:
    u1, officer = "ombuds-u1", "officer-president"
    body = complaint_body(complainant, other, [witness], 30)
    detail = await _ok(w, u1, "POST", "/api/complaints", expect=201, json=body)
    cid, w.references[stage] = detail["id"], detail["reference"]
    url, status = f"/api/complaints/{cid}", f"/api/status/{cid}"
    portal = await _portal(w, cid, {p["role"]: p["id"] for p in detail["people"]})

    async def step(who: str, path: str, json: Json = None, *, expect: int = 200) -> Json:
        return await _ok(w, who, "POST", url + path, cid=cid, expect=expect, json=json)

    attempt = {
        "method": "shuttle_discussion",
        "held_on": day(28),
        "participant_ids": [w.user_ids[n] for n in (u1, "ombuds-u2", PARTY)],
        "proposal": "A private apology",
        "outcome": "pending" if stage == "informal" else "refused",
    }
    made = await step(u1, "/informal-attempts", attempt, expect=201)
    ids = {"complaint_id": cid, "attempt_id": made["id"], **portal}
    if stage == "informal":
        return ids
    await step(u1, "/formal-route", {"route": "local_500_procedure", "chosen_on": day(25)})
    letter = {
        "what_took_place": "Belittling remarks",
        "when_it_took_place": "While chairing",
        "occurred_at": f"{day(35)}T19:00:00",
        "witnesses": "One member",
        "resolution_sought": "An apology",
        "signed_on": day(25),
    }
    await _ok(w, u1, "PUT", url + "/letter", cid=cid, json=letter)
    await step(u1, "/letter/complete")
    files = {"file": ("signed-letter.pdf", PDF, "application/pdf")}
    made = await _ok(w, u1, "POST", url + "/attachments", cid=cid, expect=201, files=files)
    ids["attachment_id"] = made["id"]
    await step(u1, "/other-party-review", {"reviewed_on": day(24)})
    await step(u1, "/response", {"received_on": day(20), "text": "I disagree."})
    await step(u1, "/notify-table-officers")
    ids["notice_id"] = (await _ok(w, u1, "GET", url + "/party-notices"))[0]["id"]
    proposal = await _ok(w, officer, "POST", status + "/committee/proposal", cid=cid, json={})
    if stage == "committee":  # a fixed panel, ombuds-aff on it and ombuds-u3 off it
        while (seat := _seat_of(proposal, w.user_ids[PANEL[0]])) is not None:
            redraw = f"{status}/committee/proposal/seats/{seat}/redraw"
            proposal = await _ok(w, officer, "POST", redraw, cid=cid)
        assert _seat_of(proposal, w.user_ids["ombuds-aff"]) is not None
        return ids
    while (seat := _seat_of(proposal, w.user_ids["ombuds-aff"])) is not None:
        redraw = f"{status}/committee/proposal/seats/{seat}/redraw"
        proposal = await _ok(w, officer, "POST", redraw, cid=cid)
    assert {s["user_id"] for s in proposal["seats"]} == {w.user_ids[n] for n in PANEL}
    confirm = {"proposal_version": proposal["version"]}
    await _ok(w, officer, "POST", status + "/committee/confirm", cid=cid, json=confirm)
    crc = PANEL[0]
    entry = {"kind": "letter_review", "occurred_on": day(0), "notes": "Reviewed the letter."}
    await step(crc, "/investigation", entry, expect=201)
    if stage == "investigation":
        return ids
    findings = {"finding": "harassment_found", "findings_on": day(0), "findings_text": "Found."}
    await step(crc, "/findings", findings)
    rec = {"kind": "apology", "text": "A written apology."}
    ids["recommendation_id"] = (await step(crc, "/recommendations", rec, expect=201))["id"]
    await step(crc, "/recommendations/disclose", {"reason": "Corrective action"}, expect=201)
    if stage == "conclusions":
        return ids
    for party in ("complainant", "other_party"):
        told = {"party": party, "told_on": day(0), "method": "letter"}
        await step(crc, "/conclusions/told", told)
    # 4.3.1(vii): every stage change told to both parties before the complaint closes
    for notice in await _ok(w, crc, "GET", url + "/party-notices", cid=cid):
        if notice["owed"]:
            told = {"told_on": day(0), "method": "letter"}
            await step(crc, f"/party-notices/{notice['id']}/told", told)
    await step(crc, "/close")
    return ids


async def _portal(w: World, cid: str, people: dict[str, str]) -> dict[str, str]:
    """The other party in the portal (its access) and the witness invited (its
    invitation); the first target's complainant signs in for portal-sign-in's cells (an
    access of its own, which no cell ends)."""
    w.witnesses[cid] = people["witness"]
    if "sign_in_id" not in w.ids:
        w.ids["sign_in_id"] = (await _redeemed(w, cid, people["complainant"]))["sign_in_id"]
    party = await _redeemed(w, cid, people["other_party"])
    url = f"/api/complaints/{cid}/portal-invitations"
    witness = {"person_id": people["witness"]}
    invited = await _ok(w, "ombuds-u1", "POST", url, expect=201, json=witness)
    listed = await _ok(w, "ombuds-u1", "GET", url)
    (access,) = [p["access_id"] for p in listed if p["party"] == "other_party"]
    messages = await _messages(w, cid, people["other_party"], party["access_token"])
    ids = {"invitation_id": invited["invitation_id"], "access_id": access, **messages}
    for name in ("message_id", "file_id"):
        w.ids.setdefault(name, ids[name])
    return ids


async def _messages(w: World, cid: str, person_id: str, token: str) -> dict[str, str]:
    """The party writes, the ombudsperson replies with a file attached."""
    party = {"Authorization": f"Bearer {token}"}
    r = await w.client.post("/api/portal/messages", json={"body": "A question"}, headers=party)
    assert r.status_code == 201, r.text
    url = f"/api/complaints/{cid}/portal-messages"
    reply = {"person_id": person_id, "body": "An answer"}
    made = await _ok(w, "ombuds-u1", "POST", url, expect=201, json=reply)
    r = await w.client.post(
        f"{url}/{made['id']}/attachments",
        files={"file": ("answer.pdf", PDF, "application/pdf")},
        headers=w.auth["ombuds-u1"],
    )
    assert r.status_code == 201, r.text
    return {"message_id": made["id"], "file_id": r.json()["id"]}


async def _redeemed(w: World, cid: str, person_id: str) -> Json:
    url = f"/api/complaints/{cid}/portal-invitations"
    invited = await _ok(w, "ombuds-u1", "POST", url, expect=201, json={"person_id": person_id})
    redeem = {
        "token": invited["link"].split("#", 1)[1],
        "code": invited["access_code"],
        "passphrase": PASSPHRASE,
    }
    r = await w.client.post("/api/portal/redeem", json=redeem)
    assert r.status_code == 200, r.text
    return r.json()


def _seat_of(proposal: Json, user_id: str) -> int | None:
    return next((s["seat"] for s in proposal["seats"] if s["user_id"] == user_id), None)
