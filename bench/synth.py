"""Synthetic complaints, generated in Python as rows ready for COPY.

A complaint's history follows the procedure: most complaints are closed (redirected,
resolved informally, withdrawn, referred to a charge, dismissed or concluded), and some
wait at each open stage. Each carries its people (complainant, other party, witnesses:
members of the directory, or people outside it), incidents, informal attempt, deadlines
(open, met, met late or cancelled, by stage), its committee (proposed or confirmed), its
timeline and its audit history. Open complaints are recent; closed ones span ten years.

Rows are tuples in the column order of `COLUMNS`; `protect(table, column, row_id, text)`
turns a confidential text into what its column stores (ciphertext when encryption at rest
is on)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID  # in annotations inside Generator, whose `uuid` method hides the module

COLUMNS: dict[str, tuple[str, ...]] = {
    "complaints": (
        "id", "reference", "version", "intake_ombudsperson_id", "stage", "closure",
        "closed_on", "received_on", "setting", "redirected_to", "other_routes_told_on",
        "resolution_sought", "grounds", "formal_route", "formal_route_chosen_on",
        "other_party_reviewed_on", "response_received_on", "response_text",
        "table_officers_notified_on", "finding", "findings_text", "findings_on",
        "referred_to_charge_on", "created_at", "updated_at",
    ),
    "complaint_people": ("id", "complaint_id", "role", "member_id", "full_name", "contact"),
    "incidents": (
        "id", "complaint_id", "what", "occurred_on", "occurred_at", "location", "categories",
    ),
    "informal_attempts": (
        "id", "complaint_id", "method", "held_on", "proposal", "outcome", "created_at",
        "updated_at",
    ),
    "informal_participants": ("attempt_id", "user_id", "complaint_id"),
    "deadlines": (
        "id", "complaint_id", "kind", "status", "due_on", "basis", "trigger_on", "period_days",
        "nominal_due_on", "explanation", "satisfied_on", "sequence", "created_at", "updated_at",
    ),
    "committees": (
        "id", "complaint_id", "status", "staff_resource_id", "proposed_by", "confirmed_by",
        "struck_on", "version", "created_at", "updated_at",
    ),
    "committee_members": ("committee_id", "seat", "user_id"),
    "timeline_events": ("id", "complaint_id", "at", "actor_id", "kind", "stage"),
    "audit": ("occurred_at", "actor_id", "action", "object_id"),  # chained by the seeder
}  # fmt: skip

OPEN_STAGES = {  # share of all complaints waiting at each open stage (15% in all)
    "intake": 0.02,
    "informal": 0.03,
    "letter": 0.02,
    "review": 0.03,
    "committee": 0.015,
    "investigation": 0.025,
    "conclusions": 0.01,
}
CLOSURES = {  # how the other 85% closed
    "redirected": 0.15,
    "resolved_informally": 0.35,
    "withdrawn": 0.15,
    "referred_to_charge": 0.05,
    "dismissed": 0.15,
    "concluded": 0.15,
}
FORMAL = ["letter", "review", "committee", "investigation", "conclusions"]
GROUNDS = ["age", "sex", "race", "disability", "religion", "sexual_orientation"]
CATEGORIES = ["verbal_abuse", "physical_actions", "comments", "displays", "abuse_of_power"]
WHAT = (
    "Repeated demeaning remarks about the member's work in front of colleagues at the "
    "meeting; the other party raised their voice and would not let the member speak."
)
LABELS = {
    "written_response": ("4.3.1(ii)", 14),
    "table_officer_notice": ("4.3.1(iii)", 7),
    "crc_report": ("4.3.1(vi)", 60),
}

Protect = Callable[[str, str, uuid.UUID, str], object]
_VERSION_MASK = (0xF000 << 64) | (0xC000 << 48)
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)
_new = object.__new__
_set = object.__setattr__


def plaintext(_table: str, _column: str, _row_id: uuid.UUID, value: str) -> object:
    return value


@dataclass
class People:
    """Who the generator may use: ids only."""

    members: list[uuid.UUID]
    intake: Callable[[int], uuid.UUID]  # complaint number -> intake ombudsperson
    panel: list[uuid.UUID]  # ombudspersons who may sit on committees
    staff_resource: uuid.UUID
    officer: uuid.UUID
    extra_seat: Callable[[int], uuid.UUID | None] = lambda _n: None  # a fixed seat, or None


@dataclass
class Batch:
    rows: dict[str, list[tuple[object, ...]]] = field(
        default_factory=lambda: {name: [] for name in COLUMNS}
    )


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    x = rng.random() * sum(weights.values())
    for name, w in weights.items():
        x -= w
        if x <= 0:
            return name
    return name


class Generator:
    def __init__(self, seed: int, today: date, protect: Protect = plaintext) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.protect = protect
        self.references: set[str] = set()
        self.stage_weights = {**OPEN_STAGES, "closed": 1 - sum(OPEN_STAGES.values())}

    def uuid(self) -> uuid.UUID:
        """A random (version 4) UUID, built without the constructor's checks (hot path)."""
        value = (self.rng.getrandbits(128) & ~_VERSION_MASK) | _VERSION_4
        made = _new(uuid.UUID)
        _set(made, "int", value)
        _set(made, "is_safe", uuid.SafeUUID.unknown)
        return made

    def reference(self) -> str:
        alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        while True:
            ref = "C-" + "".join(self.rng.choices(alphabet, k=6))
            if ref not in self.references:
                self.references.add(ref)
                return ref

    @staticmethod
    def at(day: date, hour: int = 15) -> datetime:
        return datetime.combine(day, time(hour), UTC)

    def path(self) -> tuple[list[str], str | None]:
        """The stages a complaint went through, and its closure if closed."""
        stage = _pick(self.rng, self.stage_weights)
        informal_first = self.rng.random() < 0.5
        if stage != "closed":
            if stage == "intake":
                return ["intake"], None
            if stage == "informal":
                return ["intake", "informal"], None
            head = ["intake", "informal"] if informal_first else ["intake"]
            return head + FORMAL[: FORMAL.index(stage) + 1], None
        closure = _pick(self.rng, CLOSURES)
        if closure == "redirected":
            return ["intake", "closed"], closure
        if closure == "resolved_informally":
            return ["intake", "informal", "closed"], closure
        if closure == "withdrawn":
            return (["intake", "informal", "closed"] if informal_first else ["intake", "closed"]), (
                closure
            )
        if closure == "referred_to_charge":
            return ["intake", "closed"], closure
        head = ["intake", "informal"] if informal_first else ["intake"]
        return head + FORMAL + ["closed"], closure

    def complaint(self, n: int, people: People, batch: Batch) -> UUID:
        rng, out = self.rng, batch.rows
        cid = self.uuid()
        stages, closure = self.path()
        stage = stages[-1]
        if stage == "closed":
            received = self.today - timedelta(days=rng.randint(90, 3650))
        else:
            received = self.today - timedelta(days=rng.randint(5, 150))
        # Each step a few days after the last: dates of each stage.
        on: dict[str, date] = {}
        day = received
        for s in stages:
            on[s] = day
            day = min(day + timedelta(days=rng.randint(3, 12)), self.today)
        intake = people.intake(n)
        formal = "letter" in stages
        notified = "committee" in on or (stage == "review" and rng.random() < 0.5)
        found = closure == "concluded"
        closed_on = on.get("closed")
        complaint = [
            cid, self.reference(), 1, intake, stage, closure, closed_on, received,
            "workplace" if closure == "redirected" else "local_500_event",
            "grievance_procedure" if closure == "redirected" else None,
            received if rng.random() < 0.7 else None,
            self.protect("complaints", "resolution_sought", cid, "An apology and training"),
            json.dumps(rng.sample(GROUNDS, rng.randint(0, 2))),
            "local_500_procedure" if formal else (
                "cupe_constitutional_charge" if closure == "referred_to_charge" else None
            ),
            on.get("letter") or (closed_on if closure == "referred_to_charge" else None),
            on.get("review"),
            on.get("committee"),
            self.protect("complaints", "response_text", cid, "The other party disputes it")
            if "committee" in on else None,
            (on.get("committee") or on.get("review")) if notified else None,
            ("harassment_found" if found else "harassment_not_found")
            if "conclusions" in on else None,
            self.protect("complaints", "findings_text", cid, "The committee's findings")
            if "conclusions" in on else None,
            on.get("conclusions"),
            closed_on if closure == "referred_to_charge" else None,
            self.at(received, 14), self.at(day, 16),
        ]  # fmt: skip
        # People: the complainant and the other party are members; witnesses either.
        members = people.members
        pick = members[rng.randrange(len(members))]
        other = members[rng.randrange(len(members))]
        for role, member in (("complainant", pick), ("other_party", other)):
            pid = self.uuid()
            out["complaint_people"].append((pid, cid, role, member, None, None))
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            pid = self.uuid()
            if rng.random() < 0.7:
                member = members[rng.randrange(len(members))]
                out["complaint_people"].append((pid, cid, "witness", member, None, None))
            else:
                name = self.protect("complaint_people", "full_name", pid, f"Witness {n}")
                contact = self.protect("complaint_people", "contact", pid, "555-0100")
                out["complaint_people"].append((pid, cid, "witness", None, name, contact))
        for _ in range(rng.choice((1, 1, 1, 2))):
            iid = self.uuid()
            out["incidents"].append(
                (
                    iid, cid, self.protect("incidents", "what", iid, WHAT),
                    received - timedelta(days=rng.randint(1, 30)), time(19, 30),
                    self.protect("incidents", "location", iid, "Union hall"),
                    json.dumps(rng.sample(CATEGORIES, rng.randint(1, 2))),
                )
            )  # fmt: skip
        if "informal" in on:
            aid = self.uuid()
            outcome = "resolved" if closure == "resolved_informally" else (
                "pending" if stage == "informal" else "failed"
            )  # fmt: skip
            held = on["informal"]
            proposal = self.protect("informal_attempts", "proposal", aid, "A facilitated talk")
            out["informal_attempts"].append(
                (aid, cid, "facilitated_meeting", held, proposal, outcome,
                 self.at(held), self.at(held))
            )  # fmt: skip
            out["informal_participants"].append((aid, intake, cid))
        self._deadlines(cid, on, stage, notified, out)
        if "committee" in on:
            self._committee(n, cid, on, stage, intake, people, out)
        events = [("complaint.received", "intake", on["intake"])]
        events += [(f"stage.{s}", s, on[s]) for s in stages[1:]]
        if "committee" in on:
            events.append(("committee.proposed", "committee", on["committee"]))
        for kind, s, d in events:
            out["timeline_events"].append((self.uuid(), cid, self.at(d), intake, kind, s))
        complaint[2] = len(events) + 1  # the version moves with every event
        out["complaints"].append(tuple(complaint))
        cid_text = str(cid)
        out["audit"].append((self.at(received, 14), intake, "complaints.create", cid_text))
        for _ in range(2):
            out["audit"].append((self.at(day, 17), intake, "complaints.read", cid_text))
        return cid

    def _deadlines(
        self,
        cid: UUID,
        on: dict[str, date],
        stage: str,
        notified: bool,
        out: dict[str, list[tuple[object, ...]]],
    ) -> None:
        if "review" not in on:
            return
        review = on["review"]
        owed: list[tuple[str, date, date | None, str]] = []
        answered = on.get("committee")
        response_status = "open" if answered is None else "met"
        owed.append(("written_response", review, answered, response_status))
        told = on.get("committee", review) if notified else None
        owed.append(("table_officer_notice", review, told, "met" if told else "open"))
        if "investigation" in on:
            report = on.get("conclusions")
            owed.append(("crc_report", on["investigation"], report, "met" if report else "open"))
        for kind, trigger, satisfied, status in owed:
            basis, days = LABELS[kind]
            due = trigger + timedelta(days=days)
            if status == "met" and satisfied is not None and satisfied > due:
                status = "met_late"
            if status == "open" and stage == "closed":
                status, satisfied = "cancelled", None
            changed = self.at(satisfied or trigger, 18)
            out["deadlines"].append(
                (
                    self.uuid(), cid, kind, status, due, basis, trigger, days, due,
                    f"{days} days after {trigger.isoformat()} ({basis})",
                    satisfied if status in ("met", "met_late") else None,
                    0 if status == "open" else 1, self.at(trigger, 18), changed,
                )
            )  # fmt: skip

    def _committee(
        self,
        n: int,
        cid: UUID,
        on: dict[str, date],
        stage: str,
        intake: UUID,
        people: People,
        out: dict[str, list[tuple[object, ...]]],
    ) -> None:
        rng = self.rng
        confirmed = stage != "committee"
        committee_id = self.uuid()
        struck = on.get("investigation")
        out["committees"].append(
            (
                committee_id, cid, "confirmed" if confirmed else "proposed",
                people.staff_resource, people.officer, people.officer if confirmed else None,
                struck, 2 if confirmed else 1, self.at(on["committee"]),
                self.at(struck or on["committee"]),
            )
        )  # fmt: skip
        seats: list[uuid.UUID] = []
        fixed = people.extra_seat(n)
        if fixed is not None and fixed != intake:
            seats.append(fixed)
        while len(seats) < 3:
            candidate = people.panel[rng.randrange(len(people.panel))]
            if candidate != intake and candidate not in seats:
                seats.append(candidate)
        for seat, user_id in enumerate(seats, start=1):
            out["committee_members"].append((committee_id, seat, user_id))
