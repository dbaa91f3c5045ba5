"""Drive every operation of the OpenAPI document as every principal against the canary
complaints, and search everything that comes back, is logged or is stored for canaries
the principal may not see."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.calendars.logfilter import redact
from ombuds.complaints.access import etag
from ombuds.kit.clock import local_today
from ombuds.models import AuditEntry, Complaint, NotificationKind, Role, User, UserRole
from ombuds.notifications import service as notifications
from ombuds.notifications.delivery import Delivery
from tests.security.leaks import views as visibility
from tests.security.leaks.bodies import Targets, path_for, request_body
from tests.security.leaks.canaries import Hit, Registry, Scope, as_text, decoded
from tests.security.leaks.views import MESSAGES_TAG
from tests.security.leaks.world import Principal, World
from tests.support.smtp import HOST as SMTP_HOST
from tests.support.smtp import MailServer

# Sent last: they end sessions, recuse, close or reshape what the other principals see.
LAST = [
    "status-propose-committee",
    "status-redraw-committee-seat",
    "status-confirm-committee",
    "status-declare-conflict",
    "committees-declare-ombudsperson-conflict",
    "complaints-redirect",
    "complaints-withdraw",
    "informal-resolve",
    "investigation-record-not-satisfied",
    "investigation-close",
    "calendar-revoke-feed",
    "service-accounts-revoke-token",
    "users-set-roles",
    "users-deactivate",
    "auth-logout",
]
QUERIES: dict[str, dict[str, str]] = {
    "complaints-list": {"include_closed": "true"},
    "status-list": {"include_closed": "true"},
    "members-import": {"dry_run": "true"},
}


# The scan's own HTTP client and its own mail server (aiosmtpd), not the service.
K = NotificationKind
OFFICER_KINDS = {
    K.committee_to_strike,
    K.panel_conflict_declared,
    K.recommendations_disclosed,
    K.policy_review_approaching,
}
COMMITTEE_KINDS = {K.committee_appointed, K.report_approaching, K.report_lapsed}

CLIENT_LOGGERS = ("httpx", "httpcore", "mail.")


class LogCapture(logging.Handler):
    """Every record, searched as it is emitted (message, arguments, exception, extras)."""

    def __init__(self, canaries: Registry) -> None:
        super().__init__(level=logging.DEBUG)
        self.canaries = canaries
        self.records = 0
        self.hits: list[Hit] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(CLIENT_LOGGERS):
            return  # the scan's own HTTP client or mail server, not the service
        self.records += 1
        try:
            parts = [record.getMessage()]
        except Exception:  # a record whose arguments do not fit its format
            parts = [str(record.msg), repr(record.args)]
        if record.exc_info:
            parts.append("".join(traceback.format_exception(*record.exc_info)))
        parts += [str(v) for k, v in vars(record).items() if k not in _STANDARD]
        for canary in self.canaries.find("\n".join(parts)):
            self.hits.append(Hit("(log)", record.name, f"{record.levelname} record", canary))


_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}


@contextmanager
def capturing_logs(canaries: Registry) -> Iterator[LogCapture]:
    """The root logger at DEBUG with our handler; pytest's own handlers quieted meanwhile
    (they would keep every record of the run in memory)."""
    root = logging.getLogger()
    handler = LogCapture(canaries)
    level = root.level
    quieted = [(h, h.level) for h in root.handlers]
    for h, _ in quieted:
        h.setLevel(logging.WARNING)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for h, old in quieted:
            h.setLevel(old)


@dataclass
class Scan:
    hits: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    operations: set[str] = field(default_factory=set)
    succeeded: set[str] = field(default_factory=set)  # operations some principal did
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # allowed
    audit_rows: int = 0
    log_records: int = 0
    messages: int = 0  # e-mails that reached the scan's mail server
    message_references: set[str] = field(default_factory=set)  # references they carried


class Scanner:
    def __init__(self, app: FastAPI, world: World, log: LogCapture) -> None:
        self.app, self.w, self.log = app, world, log
        self.client = world.client
        self.scan = Scan()
        self.doc: dict[str, Any] = {}
        self.views: visibility.Views
        self.member_name = ""  # a canary member's name, searched for as people do
        self.targets = Targets(
            world.demo_members, world.ids["user_id"], world.ids["unit_id"], world.ids
        )

    async def refresh_views(self) -> None:
        async with self.app.state.sessionmaker() as db:
            self.views = await visibility.compute(
                db, self.w.complaints, {"K": self.w.ids["consultation_id"]}
            )

    def judge(
        self, p: Principal, op: str, tag: str, where: str, text: str, surface: str = "responses"
    ) -> None:
        for canary in self.w.canaries.find(text):
            if self.views.may_see(p.key, p.user_id, canary, tag):
                self.scan.seen[p.key].add(f"{canary.kind} ({canary.owner})")
            else:
                self.scan.hits[surface].append(Hit(p.key, op, where, canary))

    def judge_response(
        self, p: Principal, op: str, tag: str, r: httpx.Response, *, own_url: bool = False
    ) -> None:
        self.scan.requests += 1
        self.scan.statuses[r.status_code] += 1
        self.judge(p, op, tag, f"{r.status_code} body", decoded(as_text(r.content)))
        for name, value in r.headers.items():
            self.judge(p, op, tag, f"header {name}", value)
        if own_url:
            return  # the caller typed the canary into the path: the access log cannot help it
        # What uvicorn's access log would print for this request, through the filter the
        # application installs on that logger (calendars/logfilter.py).
        target = r.request.url.raw_path.decode()
        line = redact(f'127.0.0.1:5000 - "{r.request.method} {target} HTTP/1.1" {r.status_code}')
        for canary in self.w.canaries.find(line):
            self.scan.hits["access log"].append(Hit(p.key, op, "access log line", canary))

    def bindings(self, path: str) -> list[dict[str, str]]:
        ids = dict(self.w.ids)
        if "{complaint_id}" in path:
            return [
                {**ids, "complaint_id": cid, **self.w.nested.get(key, {}), "seat": "1"}
                for key, cid in self.w.complaints.items()
            ]
        return [ids]

    async def if_match(self, values: dict[str, str]) -> dict[str, str]:
        if "complaint_id" not in values:
            return {}
        async with self.app.state.sessionmaker() as db:
            complaint = await db.get(Complaint, uuid.UUID(values["complaint_id"]))
            return {"If-Match": etag(complaint)} if complaint is not None else {}

    async def send(self, p: Principal, method: str, path: str, op: dict[str, Any]) -> None:
        op_id, tag = op["operationId"], (op.get("tags") or ["-"])[0]
        for values in self.bindings(path):
            headers = dict(p.headers)
            if op_id == "auth-logout" and p.spare:
                headers = p.spare.pop()
            if any(x["name"] == "If-Match" for x in op.get("parameters", [])):
                headers.update(await self.if_match(values))
            kwargs = request_body(op, self.doc, self.targets, p.user_id)
            if op_id == "auth-token":
                kwargs = {
                    "data": {
                        "username": p.username or "admin",
                        "password": p.password if p.username else "wrong",
                    }
                }
            params = dict(QUERIES.get(op_id, {}))
            if op_id == "members-search":
                params["q"] = self.member_name
            r = await self.client.request(
                method.upper(), path_for(path, values), headers=headers, params=params, **kwargs
            )
            self.scan.operations.add(op_id)
            if r.status_code < 300:
                self.scan.succeeded.add(op_id)
            self.judge_response(p, op_id, tag, r)
            if method != "get" and r.status_code < 300:
                await self.refresh_views()

    async def run(self) -> Scan:
        r = await self.client.get("/api/openapi.json")
        self.doc = r.json()
        anonymous = self.w.principals["anonymous"]
        await self.refresh_views()
        for page in ("/api/openapi.json", "/api/docs"):
            self.judge(
                anonymous, page, "-", "document", (await self.client.get(page)).text, "openapi"
            )
        self.member_name = next(
            c.text
            for c in self.w.canaries.items.values()
            if c.kind == "member name" and c.owner == "A-c"
        )
        operations = [(m, p, op) for p, ops in self.doc["paths"].items() for m, op in ops.items()]
        rank = {op_id: i for i, op_id in enumerate(LAST)}
        operations.sort(key=lambda x: (x[0] != "get", rank.get(x[2]["operationId"], -1)))
        for method, path, op in operations:
            for p in self.w.principals.values():
                await self.send(p, method, path, op)
        await self.guessed_ids()
        await self.feeds()
        await self.messages()
        await self.audit_log()
        self.scan.log_records = self.log.records
        self.scan.hits["logs"] = list(self.log.hits)
        return self.scan

    async def guessed_ids(self) -> None:
        """Every principal tries ids that are not ids (a name typed where an id goes); the
        text is a canary nobody may see, in a response, a log or the audit log."""
        for p in self.w.principals.values():
            for template in ("/api/complaints/{}", "/api/members/{}", "/api/consultations/{}"):
                guess = self.w.canaries.new("guessed id", Scope.complaint, "guess")
                r = await self.client.get(template.format(guess), headers=p.headers)
                self.judge_response(p, "guessed id", "-", r, own_url=True)

    async def feeds(self) -> None:
        """Each signed-in principal's calendar feed (a generated file), fetched by its URL."""
        for p in self.w.principals.values():
            if p.user_id is None:
                continue
            created = await self.client.post("/api/calendar/feed", headers=p.headers)
            if created.status_code != 201:
                continue
            feed = await self.client.get(httpx.URL(created.json()["url"]).raw_path.decode())
            self.scan.requests += 1
            self.judge(
                p,
                "feeds-get",
                "feeds",
                f"{feed.status_code} calendar file",
                as_text(feed.content),
                "feeds",
            )

    async def messages(self) -> None:
        """Every kind of notification about every canary complaint, to people of the role
        it is for (and some it is not: every table officer, recused or not; ombudspersons
        with no part in it, a witness among them), mailed through a real SMTP server on
        loopback; every message that arrives is searched, headers and parts decoded."""
        server = MailServer().start()
        try:
            settings = self.app.state.settings.model_copy(
                update={
                    "smtp_host": SMTP_HOST,
                    "smtp_port": server.port,
                    "smtp_security": "none",
                    "smtp_from": "Ombuds <ombuds@local500.example.org>",
                    "public_url": "https://ombuds.local500.example.org",
                }
            )
            people = await self._addressed()
            async with self.app.state.sessionmaker() as db:
                for cid in self.w.complaints.values():
                    complaint = await db.get(Complaint, uuid.UUID(cid))
                    assert complaint is not None
                    for kind in NotificationKind:
                        recipients = await self._recipients(db, kind, complaint, people)
                        await notifications.notify(
                            db, kind, recipients, complaint_id=complaint.id, due_on=local_today()
                        )
                await db.commit()
            delivery = Delivery(self.app.state.sessionmaker, settings, batch=1000)
            while (await delivery.round()).handled:
                pass
        finally:
            server.stop()
        by_address = {f"{name}@example.org": (name, uid) for name, uid in people.items()}
        for received in server.received:
            self.scan.messages += 1
            (address,) = received.rcpt_tos
            username, user_id = by_address[address]
            key = next(
                (p.key for p in self.w.principals.values() if p.user_id == user_id), username
            )
            principal = Principal(key, username, user_id=user_id)
            text = received.everything()
            self.judge(principal, "notify", MESSAGES_TAG, f"message {address}", text, "messages")
            for canary in self.w.canaries.find(text):
                if canary.kind == "reference":
                    self.scan.message_references.add(f"{key}: {canary.owner}")

    async def _addressed(self) -> dict[str, str]:
        """Every active person gets an address (username@example.org) and half of them read
        French; returns username -> user id."""
        async with self.app.state.sessionmaker() as db:
            users = (await db.scalars(select(User).where(User.is_active))).all()
            for n, user in enumerate(sorted(users, key=lambda u: u.username)):
                user.email = f"{user.username}@example.org"
                user.language = "fr" if n % 2 else "en"
            await db.commit()
            return {u.username: str(u.id) for u in users}

    async def _recipients(
        self, db: AsyncSession, kind: NotificationKind, complaint: Complaint, people: dict[str, str]
    ) -> list[uuid.UUID]:
        others = [
            uuid.UUID(people[n])
            for n in (self.w.ids["unrelated_ombudsperson"], "ombuds-witness")
            if n in people
        ]
        if kind in OFFICER_KINDS:
            return list(
                (
                    await db.scalars(
                        select(User.id)
                        .join(UserRole, UserRole.user_id == User.id)
                        .where(UserRole.role == Role.table_officer, User.is_active)
                    )
                ).all()
            )
        if kind in COMMITTEE_KINDS:
            return [*await notifications.committee_members(db, complaint.id), *others]
        return [*notifications.handling_ombudsperson(complaint), *others]

    async def audit_log(self) -> None:
        """Every column of every row of the audit log."""
        async with self.app.state.sessionmaker() as db:
            rows = (await db.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all()
        self.scan.audit_rows = len(rows)
        columns = [c.key for c in AuditEntry.__table__.columns]
        for row in rows:
            text = "\n".join(str(getattr(row, c)) for c in columns)
            for canary in self.w.canaries.find(text):
                self.scan.hits["audit"].append(
                    Hit("(audit)", row.action, f"audit_entries seq {row.seq}", canary)
                )
