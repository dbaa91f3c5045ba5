"""No N+1 anywhere: every list endpoint issues the same number of SQL statements for a page
of 5 as for a page of 50 (issue 7). Deterministic, not timed: statements are counted with
SQLAlchemy's `before_cursor_execute` event on the app's engine.

Every GET operation of the OpenAPI document that takes `limit` must have a scenario here:
a new list endpoint without one fails `test_every_list_endpoint_is_counted`."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.passwords import Passwords
from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.kit.clock import local_today, utcnow
from ombuds.models import (
    CarriedOutVia,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    Consultation,
    DeadlineKind,
    DeadlineStatus,
    DeliveryStatus,
    DestructionRecord,
    Disclosure,
    DisclosurePurpose,
    DisclosureRecipient,
    Member,
    NotificationKind,
    OfficerConflict,
    OmbudspersonConflict,
    OutboxMessage,
    PartyRole,
    RetentionClass,
    Role,
    Scope,
    Setting,
    Stage,
    User,
    UserRole,
)
from ombuds.notifications import service as notifications
from tests.factories.accounts import make_api_token, make_user, signed_in
from tests.factories.complaints import deadline_row
from tests.factories.directory import make_member, make_unit
from tests.portal import support as portal

ITEMS = 60  # more than the larger page: both pages are full
SMALL, LARGE = 5, 50
_refs = itertools.count(1)


@contextmanager
def counting(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]).split("\n", 1)[0][:80])

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


# Arranging ITEMS rows the caller may list ---------------------------------------------------


async def _complaints(
    db: AsyncSession, ombudsperson: User, members: list[Member], *, notified: bool
) -> list[Complaint]:
    today = local_today()
    complaints = []
    for n in range(ITEMS):
        complaint = Complaint(
            reference=f"C-Q{next(_refs):05d}",
            intake_ombudsperson_id=ombudsperson.id,
            stage=Stage.review,
            received_on=today - timedelta(days=n + 20),
            setting=Setting.local_500_event,
            resolution_sought="An apology",
            grounds=["age"],
            other_party_reviewed_on=today - timedelta(days=n + 10),
            table_officers_notified_on=today - timedelta(days=n + 5) if notified else None,
        )
        complaints.append(complaint)
    db.add_all(complaints)
    await db.flush()
    for n, complaint in enumerate(complaints):
        for role, member in (
            (PartyRole.complainant, members[0]),
            (PartyRole.other_party, members[1]),
        ):
            db.add(ComplaintPerson(complaint_id=complaint.id, role=role, member_id=member.id))
        for kind, status in (
            (DeadlineKind.written_response, DeadlineStatus.open),
            (DeadlineKind.table_officer_notice, DeadlineStatus.met),
        ):
            due = today + timedelta(days=n - 10)
            db.add(deadline_row(complaint.id, kind, status, due))
    await db.commit()
    return complaints


async def _people(db: AsyncSession) -> list[Member]:
    unit = await make_unit(db)
    return [await make_member(db, unit), await make_member(db, unit)]


@dataclass
class Scenario:
    operation: str
    path: str
    arrange: Callable[
        [FastAPI, AsyncSession, Passwords, httpx.AsyncClient],
        Awaitable[dict[str, str] | tuple[dict[str, str], str]],
    ]


async def complaints_dashboard(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    await _complaints(db, user, await _people(db), notified=False)
    return headers


async def status_board(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    ombudsperson, _ = await signed_in(db, passwords, client, Role.ombudsperson)
    complaints = await _complaints(db, ombudsperson, await _people(db), notified=True)
    other, _ = await signed_in(db, passwords, client, Role.table_officer)
    db.add_all(OfficerConflict(complaint_id=c.id, user_id=other.id) for c in complaints[::3])
    await db.commit()
    _, headers = await signed_in(db, passwords, client, Role.table_officer)
    return headers


async def members_search(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    unit = await make_unit(db)
    for _ in range(ITEMS):
        await make_member(db, unit)
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    return headers


async def users_list(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    _, headers = await signed_in(db, passwords, client, Role.administrator)
    digest = passwords.hash("not used to sign in here")
    for n in range(ITEMS):
        roles = [Role.ombudsperson] if n % 2 else [Role.table_officer, Role.staff_resource]
        db.add(
            User(
                username=f"listed-{n:03d}",
                display_name=f"Listed {n}",
                password_hash=digest,
                roles=[UserRole(role=r) for r in roles],
            )
        )
    await db.commit()
    return headers


async def audit_entries(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    user, headers = await signed_in(db, passwords, client, Role.administrator)
    actor = Principal(PrincipalKind.user, id=user.id, roles=frozenset({Role.administrator}))
    for _ in range(ITEMS):
        await audit.record(db, actor, "perf.arrange", "complaint", uuid.uuid4())
    await db.commit()
    return headers


async def deadlines_as_ombudsperson(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    await _complaints(db, user, await _people(db), notified=False)
    return headers


async def deadlines_as_integration(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    user, _ = await signed_in(db, passwords, client, Role.ombudsperson)
    await _complaints(db, user, await _people(db), notified=False)
    _, token = await make_api_token(db, Scope.deadlines_read)
    return {"Authorization": f"Bearer {token}"}


async def consultations_list(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    members = await _people(db)
    today = local_today()
    consultations = [
        Consultation(
            ombudsperson_id=user.id,
            member_id=members[0].id if n % 2 else None,
            full_name=None if n % 2 else "Someone Outside",
            held_on=today - timedelta(days=n),
            notes="Talked through the options",
            other_routes_told=True,
        )
        for n in range(ITEMS)
    ]
    db.add_all(consultations)
    await db.flush()
    for consultation in consultations[::2]:  # half of them became complaints
        db.add(
            Complaint(
                reference=f"C-Q{next(_refs):05d}",
                intake_ombudsperson_id=user.id,
                stage=Stage.intake,
                received_on=today,
                setting=Setting.local_500_event,
                resolution_sought="An apology",
                grounds=[],
                consultation_id=consultation.id,
            )
        )
    await db.commit()
    return headers


async def disclosure_register(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    ombudsperson, _ = await signed_in(db, passwords, client, Role.ombudsperson)
    _, headers = await signed_in(db, passwords, client, Role.administrator)
    complaint = Complaint(
        reference=f"C-Q{next(_refs):05d}",
        intake_ombudsperson_id=ombudsperson.id,
        stage=Stage.investigation,
        received_on=local_today(),
        setting=Setting.local_500_event,
        resolution_sought="An apology",
        grounds=[],
    )
    db.add(complaint)
    await db.flush()
    disclosures = [
        Disclosure(
            complaint_id=complaint.id,
            purpose=DisclosurePurpose.investigation,
            reason="The CRC needed the venue's log",
            content="Dates only",
            disclosed_by=ombudsperson.id,
        )
        for _ in range(ITEMS)
    ]
    db.add_all(disclosures)
    await db.flush()
    db.add_all(
        DisclosureRecipient(
            disclosure_id=d.id, complaint_id=d.complaint_id, recipient=f"Recipient {n}"
        )
        for d in disclosures
        for n in range(2)
    )
    await db.commit()
    return headers


async def destruction_register(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    """ITEMS destructions carried out (5.1), as the register shows them to an administrator."""
    _, headers = await signed_in(db, passwords, client, Role.administrator)
    now = utcnow()
    db.add_all(
        DestructionRecord(
            record_class=RetentionClass.consultation,
            record_id=uuid.uuid4(),
            period_days=30,
            closed_on=local_today() - timedelta(days=60),
            due_on=local_today() - timedelta(days=30),
            scheduled_at=now - timedelta(days=20),
            carried_out_at=now - timedelta(minutes=n),
            carried_out_via=CarriedOutVia.scheduled_job,
        )
        for n in range(ITEMS)
    )
    await db.commit()
    return headers


async def proposed_panels(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    """An ombudsperson drawn on ITEMS proposed panels (4.3.1(v)), one declared a conflict."""
    intake, _ = await signed_in(db, passwords, client, Role.ombudsperson)
    complaints = await _complaints(db, intake, await _people(db), notified=True)
    drawn, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    for complaint in complaints:
        complaint.stage = Stage.committee
        committee = Committee(
            complaint_id=complaint.id, status=CommitteeStatus.proposed, proposed_by=intake.id
        )
        db.add(committee)
        await db.flush()
        db.add(CommitteeMember(committee_id=committee.id, seat=1, user_id=drawn.id))
    db.add(OmbudspersonConflict(complaint_id=complaints[0].id, user_id=drawn.id))
    await db.commit()
    return headers


async def notifications_list(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    """A table officer's ITEMS notifications about complaints, one in three of which they
    have since recused on (4.3.1(iv)), half with a message that failed."""
    ombudsperson, _ = await signed_in(db, passwords, client, Role.ombudsperson)
    complaints = await _complaints(db, ombudsperson, await _people(db), notified=True)
    officer, headers = await signed_in(db, passwords, client, Role.table_officer)
    officer.email = "officer@example.org"
    db.add_all(OfficerConflict(complaint_id=c.id, user_id=officer.id) for c in complaints[::3])
    for complaint in complaints:
        await notifications.notify(
            db, NotificationKind.committee_to_strike, [officer.id], complaint_id=complaint.id
        )
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.user_id == officer.id, OutboxMessage.id < uuid.UUID(int=2**127))
        .values(status=DeliveryStatus.failed)
    )
    await db.commit()
    return headers


async def failed_deliveries(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    """ITEMS messages every attempt failed to send, to as many people, as administrators
    see them."""
    _, headers = await signed_in(db, passwords, client, Role.administrator)
    for n in range(ITEMS):
        person = await make_user(db, passwords, Role.ombudsperson, email=f"p{n}@example.org")
        await notifications.notify(db, NotificationKind.response_lapsed, [person.id])
    await db.execute(update(OutboxMessage).values(status=DeliveryStatus.failed, attempts=5))
    await db.commit()
    return headers


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _portal_thread(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> tuple[portal.Case, dict[str, str]]:
    """A complaint whose other party wrote ITEMS messages in the portal, one in three
    with a file attached, and the party's headers."""
    case = await portal.open_case(db, passwords, client)
    party = portal.bearer((await portal.party_in(client, case, "other_party"))["access_token"])
    for n in range(ITEMS):
        r = await client.post("/api/portal/messages", json={"body": f"Message {n}"}, headers=party)
        assert r.status_code == 201, r.text
        if n % 3 == 0:
            attached = await client.post(
                f"/api/portal/messages/{r.json()['id']}/attachments",
                files={"file": ("a.pdf", PDF, "application/pdf")},
                headers=party,
            )
            assert attached.status_code == 201, attached.text
    return case, party


async def portal_messages_as_party(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    """A party's own thread in the portal (issue 16)."""
    return (await _portal_thread(db, passwords, client))[1]


async def portal_messages_as_staff(
    app: FastAPI, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> tuple[dict[str, str], str]:
    """The handling ombudsperson reading a party's thread on the complaint."""
    case, _ = await _portal_thread(db, passwords, client)
    return case.staff, f"/api/complaints/{case.id}/portal-messages"


SCENARIOS = [
    Scenario("complaints-list", "/api/complaints", complaints_dashboard),
    Scenario("status-list", "/api/status", status_board),
    Scenario("members-search", "/api/members", members_search),
    Scenario("users-list", "/api/users", users_list),
    Scenario("audit-list", "/api/audit-entries", audit_entries),
    Scenario("deadlines-list", "/api/deadlines", deadlines_as_ombudsperson),
    Scenario("deadlines-list", "/api/deadlines", deadlines_as_integration),
    Scenario("consultations-list", "/api/consultations", consultations_list),
    Scenario("disclosures-register", "/api/disclosures", disclosure_register),
    Scenario("retention-register", "/api/retention/register", destruction_register),
    Scenario("committees-my-proposals", "/api/committee-proposals", proposed_panels),
    Scenario("notifications-list", "/api/notifications", notifications_list),
    Scenario(
        "notifications-failed-deliveries", "/api/notifications/failed-deliveries", failed_deliveries
    ),
    Scenario("portal-list-messages", "/api/portal/messages", portal_messages_as_party),
    # The path names the complaint: the arrangement gives it with the headers.
    Scenario("portal-list-portal-messages", "", portal_messages_as_staff),
]


def _list_operations(app: FastAPI) -> set[str]:
    found = set()
    for operations in app.openapi()["paths"].values():
        get = operations.get("get")
        if get and any(p["name"] == "limit" for p in get.get("parameters", [])):
            found.add(get["operationId"])
    return found


def test_every_list_endpoint_is_counted(app: FastAPI) -> None:
    listed = _list_operations(app)
    assert len(listed) >= 7, listed  # the discovery itself works
    missing = listed - {s.operation for s in SCENARIOS}
    assert not missing, f"list endpoints without a query-count scenario: {sorted(missing)}"


class TestQueryCountDoesNotGrowWithPageSize:
    @pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.arrange.__name__ for s in SCENARIOS])
    async def test_page_of_5_and_page_of_50(
        self,
        scenario: Scenario,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        client: httpx.AsyncClient,
    ) -> None:
        arranged = await scenario.arrange(app, db, passwords, client)
        headers, path = arranged if isinstance(arranged, tuple) else (arranged, scenario.path)
        # One call first: lazy one-off writes (policy review dates, last-used stamps) happen
        # on a first call and are not what is counted.
        warm = await client.get(path, params={"limit": 1}, headers=headers)
        assert warm.status_code == 200, warm.text
        counts, sizes = {}, {}
        for limit in (SMALL, LARGE):
            with counting(app) as statements:
                response = await client.get(path, params={"limit": limit}, headers=headers)
            assert response.status_code == 200, response.text
            sizes[limit] = len(response.json()["items"])
            counts[limit] = statements
        assert sizes == {SMALL: SMALL, LARGE: LARGE}  # both pages full: the test can fail
        assert len(counts[SMALL]) == len(counts[LARGE]), (
            f"{scenario.operation}: {len(counts[SMALL])} statements for {SMALL} items, "
            f"{len(counts[LARGE])} for {LARGE}:\n" + "\n".join(counts[LARGE])
        )
        # The caller is resolved and the page read: a handful of statements, never one per item.
        assert 2 <= len(counts[LARGE]) <= 12, counts[LARGE]
