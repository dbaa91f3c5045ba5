"""/api/notifications: a person's own notifications (any role), their preferences, and the
deliveries that failed (administrators). The case reference only while the person may
still see the complaint; someone else's notification is a 404."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    REQUIRED_KINDS,
    AuditEntry,
    Complaint,
    DeliveryMode,
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    OfficerConflict,
    OutboxMessage,
    Role,
    Scope,
    Setting,
    Stage,
    User,
)
from ombuds.notifications import service
from tests.accounts.support import assert_problem, error_rules
from tests.factories.accounts import make_api_token, make_user, signed_in

pytestmark = pytest.mark.clause("5.1")

PERSON_ROLES = [Role.ombudsperson, Role.staff_resource, Role.table_officer, Role.administrator]
NOT_ADMINISTRATORS = [Role.ombudsperson, Role.staff_resource, Role.table_officer]
ITEM_FIELDS = {
    "id",
    "kind",
    "due_on",
    "created_at",
    "read_at",
    "delivery",
    "complaint_id",
    "reference",
}


def role_id(role: Role) -> str:
    return role.value


Headers = dict[str, str]


@pytest.fixture
async def integration_headers(db: AsyncSession) -> Headers:
    _, token = await make_api_token(db, Scope.deadlines_read)
    return {"Authorization": f"Bearer {token}"}


async def _person(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient, role: Role, **kw: Any
) -> tuple[User, Headers]:
    return await signed_in(db, passwords, client, role, **kw)


async def _complaint(db: AsyncSession, ombudsperson: User, *, notified: bool = True) -> Complaint:
    today = local_today()
    complaint = Complaint(
        reference=f"N-{uuid.uuid4().hex[:6]}",
        intake_ombudsperson_id=ombudsperson.id,
        stage=Stage.review,
        received_on=today - timedelta(days=20),
        setting=Setting.local_500_event,
        resolution_sought="An apology",
        grounds=["age"],
        table_officers_notified_on=today - timedelta(days=5) if notified else None,
    )
    db.add(complaint)
    await db.commit()
    return complaint


async def _notify(
    db: AsyncSession,
    user: User,
    kind: NotificationKind = NotificationKind.response_recorded,
    complaint: Complaint | None = None,
) -> uuid.UUID:
    (written,) = await service.notify(
        db,
        kind,
        [user.id],
        complaint_id=complaint.id if complaint else None,
        due_on=local_today(),
    )
    await db.commit()
    return written


async def _set_delivery(db: AsyncSession, notification_id: uuid.UUID, **values: Any) -> None:
    message = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.notification_id == notification_id)
    )
    assert message is not None
    for key, value in values.items():
        setattr(message, key, value)
    await db.commit()


async def _read_at(db: AsyncSession, notification_id: uuid.UUID) -> object:
    stmt = select(Notification.read_at).where(Notification.id == notification_id)
    return await db.scalar(stmt.execution_options(populate_existing=True))


class TestList:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/notifications"), 401)

    async def test_an_integration_is_403(
        self, client: httpx.AsyncClient, integration_headers: Headers
    ) -> None:
        assert_problem(await client.get("/api/notifications", headers=integration_headers), 403)

    @pytest.mark.parametrize("role", PERSON_ROLES, ids=role_id)
    async def test_own_newest_first_never_anyone_elses(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        me, headers = await _person(db, passwords, client, role, email="me@example.org")
        other = await make_user(db, passwords, role, email="other@example.org")
        first = await _notify(db, me, NotificationKind.policy_review_approaching)
        await _notify(db, other)
        second = await _notify(db, me, NotificationKind.response_recorded)
        await _set_delivery(db, first, status=DeliveryStatus.failed, attempts=5)

        response = await client.get("/api/notifications", headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["next_cursor"] is None
        assert [i["id"] for i in page["items"]] == [str(second), str(first)]
        assert all(set(i) == ITEM_FIELDS for i in page["items"])
        newest, oldest = page["items"]
        assert (newest["kind"], newest["delivery"], newest["read_at"]) == (
            "response_recorded",
            "pending",
            None,
        )
        assert (oldest["kind"], oldest["delivery"]) == ("policy_review_approaching", "failed")
        assert newest["due_on"] == local_today().isoformat()

    async def test_without_an_address_the_delivery_is_none(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        me, headers = await _person(db, passwords, client, Role.ombudsperson)
        await _notify(db, me)
        [item] = (await client.get("/api/notifications", headers=headers)).json()["items"]
        assert item["delivery"] == "none"

    async def test_the_handling_ombudsperson_sees_the_reference(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        me, headers = await _person(db, passwords, client, Role.ombudsperson)
        complaint = await _complaint(db, me)
        await _notify(db, me, NotificationKind.response_lapsed, complaint)
        [item] = (await client.get("/api/notifications", headers=headers)).json()["items"]
        assert (item["complaint_id"], item["reference"]) == (str(complaint.id), complaint.reference)

    @pytest.mark.clause("4.3.1(iv)")
    async def test_an_officer_who_recused_since_sees_nothing_of_the_complaint(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        ombudsperson = await make_user(db, passwords, Role.ombudsperson)
        complaint = await _complaint(db, ombudsperson)
        officer, headers = await _person(db, passwords, client, Role.table_officer)
        await _notify(db, officer, NotificationKind.committee_to_strike, complaint)
        [before] = (await client.get("/api/notifications", headers=headers)).json()["items"]
        assert before["reference"] == complaint.reference

        db.add(OfficerConflict(complaint_id=complaint.id, user_id=officer.id))
        await db.commit()
        response = await client.get("/api/notifications", headers=headers)
        [after] = response.json()["items"]
        assert (after["kind"], after["complaint_id"], after["reference"]) == (
            "committee_to_strike",
            None,
            None,
        )
        assert complaint.reference not in response.text
        assert str(complaint.id) not in response.text

    async def test_someone_with_no_part_in_the_complaint_sees_no_reference(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        ombudsperson = await make_user(db, passwords, Role.ombudsperson)
        complaint = await _complaint(db, ombudsperson)
        other, headers = await _person(db, passwords, client, Role.ombudsperson)
        await _notify(db, other, NotificationKind.report_approaching, complaint)
        response = await client.get("/api/notifications", headers=headers)
        [item] = response.json()["items"]
        assert (item["complaint_id"], item["reference"]) == (None, None)
        assert complaint.reference not in response.text

    async def test_pages_follow_on_without_overlap(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        me, headers = await _person(db, passwords, client, Role.ombudsperson)
        written = [await _notify(db, me) for _ in range(3)]
        first = (await client.get("/api/notifications?limit=2", headers=headers)).json()
        assert first["next_cursor"] is not None
        url = f"/api/notifications?limit=2&cursor={first['next_cursor']}"
        second = (await client.get(url, headers=headers)).json()
        ids = [i["id"] for i in first["items"] + second["items"]]
        assert sorted(ids) == sorted(str(w) for w in written)
        assert len(set(ids)) == 3
        assert second["next_cursor"] is None

    async def test_a_forged_cursor_is_422(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await _person(db, passwords, client, Role.ombudsperson)
        response = await client.get("/api/notifications?cursor=bm90LWEtY3Vyc29y", headers=headers)
        body = assert_problem(response, 422, "cursor")
        assert error_rules(body, "cursor") == {"cursor_invalid"}


class TestUnreadCount:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/notifications/unread-count"), 401)

    @pytest.mark.parametrize("role", PERSON_ROLES, ids=role_id)
    async def test_counts_the_callers_unread_only(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        me, headers = await _person(db, passwords, client, role)
        other = await make_user(db, passwords, role)
        read = await _notify(db, me)
        await _notify(db, me)
        await _notify(db, other)
        await client.post(f"/api/notifications/{read}/read", headers=headers)
        response = await client.get("/api/notifications/unread-count", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"unread": 1}


class TestMarkRead:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.post(f"/api/notifications/{uuid.uuid4()}/read"), 401)

    @pytest.mark.parametrize("role", PERSON_ROLES, ids=role_id)
    async def test_marks_the_callers_own(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        me, headers = await _person(db, passwords, client, role)
        written = await _notify(db, me)
        response = await client.post(f"/api/notifications/{written}/read", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["id"] == str(written)
        assert response.json()["read_at"] is not None
        assert await _read_at(db, written) is not None
        again = await client.post(f"/api/notifications/{written}/read", headers=headers)
        assert again.json()["read_at"] == response.json()["read_at"]

    @pytest.mark.parametrize("role", PERSON_ROLES, ids=role_id)
    async def test_someone_elses_is_404_like_no_such_id(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await _person(db, passwords, client, role)
        other = await make_user(db, passwords, Role.ombudsperson)
        theirs = await _notify(db, other)
        hidden = await client.post(f"/api/notifications/{theirs}/read", headers=headers)
        missing = await client.post(f"/api/notifications/{uuid.uuid4()}/read", headers=headers)
        assert_problem(hidden, 404)
        assert hidden.json() == missing.json()
        assert await _read_at(db, theirs) is None


class TestReadAll:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.post("/api/notifications/read-all"), 401)

    @pytest.mark.parametrize("role", PERSON_ROLES, ids=role_id)
    async def test_marks_every_one_of_the_callers_and_no_one_elses(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        me, headers = await _person(db, passwords, client, role)
        other = await make_user(db, passwords, role)
        mine = [await _notify(db, me) for _ in range(2)]
        theirs = await _notify(db, other)
        response = await client.post("/api/notifications/read-all", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"marked": 2}
        assert all([await _read_at(db, n) is not None for n in mine])
        assert await _read_at(db, theirs) is None
        again = await client.post("/api/notifications/read-all", headers=headers)
        assert again.json() == {"marked": 0}


def _update(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"mode": "immediate", "muted": [], "email": None, "language": "en"}
    return body | overrides


class TestGetPreferences:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/notifications/preferences"), 401)

    @pytest.mark.parametrize("role", PERSON_ROLES, ids=role_id)
    async def test_defaults_every_kind_on_and_the_required_marked(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await _person(db, passwords, client, role, email="me@example.org")
        response = await client.get("/api/notifications/preferences", headers=headers)
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["mode"], out["email"], out["language"]) == ("immediate", "me@example.org", "en")
        assert response.headers["ETag"] == out["etag"]
        assert [k["kind"] for k in out["kinds"]] == [k.value for k in NotificationKind]
        assert all(k["enabled"] for k in out["kinds"])
        required = {k["kind"] for k in out["kinds"] if k["required"]}
        assert required == {k.value for k in REQUIRED_KINDS}


class TestSetPreferences:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.put("/api/notifications/preferences", json=_update())
        assert_problem(response, 401)

    @pytest.mark.parametrize("role", PERSON_ROLES, ids=role_id)
    async def test_saves_the_choices(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        me, headers = await _person(db, passwords, client, role)
        etag = (await client.get("/api/notifications/preferences", headers=headers)).json()["etag"]
        body = _update(
            mode="digest",
            muted=["response_recorded", "policy_review_approaching"],
            email="  volunteer@example.org ",
            language="fr",
        )
        response = await client.put(
            "/api/notifications/preferences", json=body, headers=headers | {"If-Match": etag}
        )
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["mode"], out["email"], out["language"]) == (
            "digest",
            "volunteer@example.org",
            "fr",
        )
        off = {k["kind"] for k in out["kinds"] if not k["enabled"]}
        assert off == {"response_recorded", "policy_review_approaching"}
        assert out["etag"] != etag and response.headers["ETag"] == out["etag"]
        pref = await db.scalar(
            select(NotificationPreference)
            .where(NotificationPreference.user_id == me.id)
            .execution_options(populate_existing=True)
        )
        assert pref is not None
        assert (pref.mode, sorted(pref.muted)) == (
            DeliveryMode.digest,
            ["policy_review_approaching", "response_recorded"],
        )
        user = await db.scalar(
            select(User).where(User.id == me.id).execution_options(populate_existing=True)
        )
        assert user is not None
        assert (user.email, user.language) == ("volunteer@example.org", "fr")
        audited = await db.scalar(
            select(AuditEntry.object_id).where(AuditEntry.action == "notifications.set_preferences")
        )
        assert audited == str(me.id)
        # A muted optional kind is not written; a required one always is.
        assert await service.notify(db, NotificationKind.response_recorded, [me.id]) == []
        assert len(await service.notify(db, NotificationKind.response_lapsed, [me.id])) == 1

    async def test_a_required_kind_cannot_be_turned_off(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        me, headers = await _person(db, passwords, client, Role.ombudsperson)
        etag = (await client.get("/api/notifications/preferences", headers=headers)).json()["etag"]
        body = _update(muted=["response_recorded", "response_lapsed"])
        response = await client.put(
            "/api/notifications/preferences", json=body, headers=headers | {"If-Match": etag}
        )
        problem = assert_problem(response, 422, "muted")
        assert error_rules(problem, "muted") == {"required_kind"}
        assert await db.get(NotificationPreference, me.id) is None

    async def test_an_invalid_address_is_422(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await _person(db, passwords, client, Role.ombudsperson)
        etag = (await client.get("/api/notifications/preferences", headers=headers)).json()["etag"]
        for field, value in (("email", "not-an-address"), ("language", "de")):
            response = await client.put(
                "/api/notifications/preferences",
                json=_update(**{field: value}),
                headers=headers | {"If-Match": etag},
            )
            assert_problem(response, 422, field)

    async def test_without_if_match_is_428_and_stale_is_412(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await _person(db, passwords, client, Role.ombudsperson)
        url = "/api/notifications/preferences"
        etag = (await client.get(url, headers=headers)).json()["etag"]
        assert_problem(await client.put(url, json=_update(), headers=headers), 428, "If-Match")
        saved = await client.put(
            url, json=_update(mode="digest"), headers=headers | {"If-Match": etag}
        )
        assert saved.status_code == 200, saved.text
        stale = await client.put(url, json=_update(), headers=headers | {"If-Match": etag})
        assert_problem(stale, 412)
        assert (await client.get(url, headers=headers)).json()["mode"] == "digest"


async def _failed(db: AsyncSession, passwords: Passwords, complaint: bool = True) -> OutboxMessage:
    ombudsperson = await make_user(db, passwords, Role.ombudsperson, email="o@example.org")
    case = await _complaint(db, ombudsperson) if complaint else None
    written = await _notify(db, ombudsperson, NotificationKind.response_lapsed, case)
    await _set_delivery(
        db, written, status=DeliveryStatus.failed, attempts=5, last_error="SMTPConnectError"
    )
    message = await db.scalar(select(OutboxMessage).where(OutboxMessage.notification_id == written))
    assert message is not None
    return message


class TestFailedDeliveries:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/notifications/failed-deliveries"), 401)

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS, ids=role_id)
    async def test_others_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await _person(db, passwords, client, role)
        url = "/api/notifications/failed-deliveries"
        assert_problem(await client.get(url, headers=headers), 403)

    async def test_who_what_kind_when_and_never_the_case(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        message = await _failed(db, passwords)
        pending = await _failed(db, passwords)
        await _set_delivery(db, pending.notification_id, status=DeliveryStatus.pending)
        _, headers = await _person(db, passwords, client, Role.administrator)
        response = await client.get("/api/notifications/failed-deliveries", headers=headers)
        assert response.status_code == 200, response.text
        [item] = response.json()["items"]
        assert item == {
            "id": str(message.id),
            "display_name": "Test user",
            "kind": "response_lapsed",
            "attempts": 5,
            "last_error": "SMTPConnectError",
            "created_at": item["created_at"],
        }
        complaint_id = await db.scalar(
            select(Notification.complaint_id).where(Notification.id == message.notification_id)
        )
        reference = await db.scalar(select(Complaint.reference).where(Complaint.id == complaint_id))
        assert reference is not None and reference not in response.text
        assert str(complaint_id) not in response.text


class TestRetryDelivery:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        url = f"/api/notifications/failed-deliveries/{uuid.uuid4()}/retry"
        assert_problem(await client.post(url), 401)

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS, ids=role_id)
    async def test_others_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        message = await _failed(db, passwords, complaint=False)
        _, headers = await _person(db, passwords, client, role)
        url = f"/api/notifications/failed-deliveries/{message.id}/retry"
        assert_problem(await client.post(url, headers=headers), 403)

    async def test_back_to_pending_attempts_reset_and_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        message = await _failed(db, passwords, complaint=False)
        admin, headers = await _person(db, passwords, client, Role.administrator)
        url = f"/api/notifications/failed-deliveries/{message.id}/retry"
        response = await client.post(url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"id": str(message.id), "status": "pending", "attempts": 0}
        row = await db.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.pending, 0, None)
        entry = await db.scalar(
            select(AuditEntry).where(AuditEntry.action == "notifications.retry_delivery")
        )
        assert entry is not None
        assert (entry.actor_id, entry.object_id) == (admin.id, str(message.id))
        listed = await client.get("/api/notifications/failed-deliveries", headers=headers)
        assert listed.json()["items"] == []
        assert_problem(await client.post(url, headers=headers), 409)

    async def test_no_such_delivery_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await _person(db, passwords, client, Role.administrator)
        url = f"/api/notifications/failed-deliveries/{uuid.uuid4()}/retry"
        assert_problem(await client.post(url, headers=headers), 404)
