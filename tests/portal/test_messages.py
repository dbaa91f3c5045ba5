"""Messages between a party and the people who handle their complaint (issue 16, item 3):
one thread per person, read and written by the party, the handling ombudsperson and the
struck CRC only; sealed under the complaint's data key; every read audited."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit import datakeys
from ombuds.kit.crypto import DecryptionFailed, is_owned
from ombuds.models import (
    AuditEntry,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    Notification,
    NotificationKind,
    PortalMessage,
    PortalMessageAttachment,
    Role,
    User,
)
from ombuds.portal.messages import MAX_ATTACHMENTS, MAX_BODY
from ombuds.settings import Settings
from tests.factories.accounts import login, make_user
from tests.factories.committees import took_part_informally
from tests.portal.support import Case, bearer, open_case, party_in

MESSAGES = "/api/portal/messages"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def thread_url(case: Case, role: str = "other_party") -> str:
    return f"{case.url}/portal-messages?person_id={case.people[role]}"


async def _reply(
    client: httpx.AsyncClient,
    case: Case,
    body: str,
    headers: dict[str, str],
    role: str = "other_party",
) -> httpx.Response:
    url = f"{case.url}/portal-messages"
    return await client.post(
        url, json={"person_id": case.people[role], "body": body}, headers=headers
    )


async def _party(
    client: httpx.AsyncClient, case: Case, role: str = "other_party"
) -> dict[str, str]:
    return bearer((await party_in(client, case, role))["access_token"])


async def _send(client: httpx.AsyncClient, headers: dict[str, str], body: str) -> dict[str, object]:
    r = await client.post(MESSAGES, json={"body": body}, headers=headers)
    assert r.status_code == 201, r.text
    out: dict[str, object] = r.json()
    return out


async def _committee(
    db: AsyncSession, passwords: Passwords, case: Case, status: CommitteeStatus
) -> tuple[Committee, list[User], User]:
    members = [await make_user(db, passwords, Role.ombudsperson) for _ in range(3)]
    staff = await make_user(db, passwords, Role.staff_resource)
    committee = Committee(
        complaint_id=uuid.UUID(case.id),
        status=status,
        staff_resource_id=staff.id,
        proposed_by=members[0].id,
    )
    db.add(committee)
    await db.flush()
    db.add_all(
        CommitteeMember(committee_id=committee.id, seat=i + 1, user_id=u.id)
        for i, u in enumerate(members)
    )
    await db.commit()
    return committee, members, staff


async def _audited(db: AsyncSession, action: str) -> list[AuditEntry]:
    rows = await db.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.occurred_at)
    )
    return list(rows.all())


@pytest.mark.clause("4.3.1(vii)")
class TestPartyThread:
    async def test_a_party_posts_and_reads_their_thread_oldest_first(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await _party(client, case)
        first = await _send(client, party, "  When is the review meeting?  ")
        assert first["from_you"] is True and first["body"] == "When is the review meeting?"
        assert first["read_at"] is None and first["attachments"] == []
        r = await _reply(client, case, "On Tuesday.", case.staff)
        assert r.status_code == 201, r.text
        assert r.json()["from_party"] is False
        await _send(client, party, "Thank you.")

        r = await client.get(MESSAGES, headers=party)
        assert r.status_code == 200, r.text
        page = r.json()
        assert [(m["from_you"], m["body"]) for m in page["items"]] == [
            (True, "When is the review meeting?"),
            (False, "On Tuesday."),
            (True, "Thank you."),
        ]
        assert page["next_cursor"] is None
        assert "author_user_id" not in page["items"][1]  # staff names stay on the staff side
        # Reading marks the reply read by the party, not the party's own messages.
        reply = await db.scalar(
            select(PortalMessage).where(PortalMessage.author_user_id.is_not(None))
        )
        assert reply is not None and reply.read_by_party_at is not None
        again = (await client.get(MESSAGES, headers=party)).json()["items"]
        assert again[1]["read_at"] is not None and again[0]["read_at"] is None

    async def test_pages_follow_on_without_repeats(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        party = await _party(client, case)
        for i in range(5):
            await _send(client, party, f"message {i}")
        seen, cursor = [], None
        while True:
            params: dict[str, str | int] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            r = await client.get(MESSAGES, params=params, headers=party)
            assert r.status_code == 200, r.text
            seen += [m["body"] for m in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        assert seen == [f"message {i}" for i in range(5)]
        r = await client.get(MESSAGES, params={"cursor": "garbage"}, headers=party)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"

    async def test_another_party_of_the_same_complaint_never_sees_it(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        other_party = await _party(client, case, "other_party")
        complainant = await _party(client, case, "complainant")
        sent = await _send(client, other_party, "For the ombudsperson only")
        r = await _reply(client, case, "Noted.", case.staff, "other_party")
        assert r.status_code == 201
        assert (await client.get(MESSAGES, headers=complainant)).json()["items"] == []
        # Nor its attachments, by guessing the ids.
        r = await client.post(
            f"{MESSAGES}/{sent['id']}/attachments",
            files={"file": ("a.pdf", PDF, "application/pdf")},
            headers=other_party,
        )
        assert r.status_code == 201, r.text
        url = f"{MESSAGES}/{sent['id']}/attachments/{r.json()['id']}"
        assert (await client.get(url, headers=complainant)).status_code == 404
        got = await client.get(url, headers=other_party)
        assert got.status_code == 200 and got.content == PDF
        # The staff side sees the two threads apart.
        mine = (await client.get(thread_url(case, "complainant"), headers=case.staff)).json()
        assert mine["items"] == []

    async def test_anonymous_and_staff_tokens_are_refused(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        for headers in ({}, case.staff):
            assert (await client.get(MESSAGES, headers=headers)).status_code == 401
            r = await client.post(MESSAGES, json={"body": "x"}, headers=headers)
            assert r.status_code == 401


@pytest.mark.clause("4.3.1(vii)")
class TestSendMessage:
    @pytest.mark.parametrize(
        ("body", "rule"),
        [
            ({"body": "x" * (MAX_BODY + 1)}, "string_too_long"),
            ({"body": "   "}, "string_too_short"),
            ({}, "missing"),
        ],
    )
    async def test_the_body_is_checked(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        case: Case,
        body: dict[str, str],
        rule: str,
    ) -> None:
        party = await _party(client, case)
        r = await client.post(MESSAGES, json=body, headers=party)
        assert r.status_code == 422, r.text
        assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("body", rule)]
        assert await db.scalar(select(PortalMessage.id)) is None

    async def test_the_longest_body_is_accepted(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        party = await _party(client, case)
        assert len(str((await _send(client, party, "y" * MAX_BODY))["body"])) == MAX_BODY

    async def test_a_read_only_party_reads_but_does_not_post(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await _party(client, case)
        sent = await _send(client, party, "Before it closed")
        etag = (await client.get(case.url, headers=case.staff)).headers["ETag"]
        r = await client.post(f"{case.url}/withdraw", headers={**case.staff, "If-Match": etag})
        assert r.status_code == 200, r.text

        r = await client.post(MESSAGES, json={"body": "After it closed"}, headers=party)
        assert r.status_code == 409, r.text
        assert r.json()["type"].endswith("/portal-read-only")
        r = await client.post(
            f"{MESSAGES}/{sent['id']}/attachments",
            files={"file": ("a.pdf", PDF, "application/pdf")},
            headers=party,
        )
        assert r.status_code == 409 and r.json()["type"].endswith("/portal-read-only")
        r = await client.get(MESSAGES, headers=party)
        assert r.status_code == 200
        assert [m["body"] for m in r.json()["items"]] == ["Before it closed"]

    async def test_the_handlers_are_told_without_a_word_of_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, case: Case
    ) -> None:
        _, members, staff = await _committee(db, passwords, case, CommitteeStatus.confirmed)
        party = await _party(client, case)
        await _send(client, party, "Secret circumstances")
        told = (
            await db.scalars(
                select(Notification).where(
                    Notification.kind == NotificationKind.portal_message_received
                )
            )
        ).all()
        intake = await db.scalar(
            select(Complaint.intake_ombudsperson_id).where(Complaint.id == uuid.UUID(case.id))
        )
        assert intake is not None
        assert {n.user_id for n in told} == {intake, *(u.id for u in members), staff.id}
        assert {n.complaint_id for n in told} == {uuid.UUID(case.id)}

    async def test_a_reply_notifies_nobody_on_the_staff_side(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await _party(client, case)
        r = await _reply(client, case, "Hello", case.staff)
        assert r.status_code == 201
        kind = NotificationKind.portal_message_received
        assert await db.scalar(select(Notification.id).where(Notification.kind == kind)) is None


@pytest.mark.clause("5.1")
class TestStaffThread:
    async def test_the_handling_ombudsperson_reads_and_replies(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await _party(client, case)
        await _send(client, party, "Question")
        r = await client.get(thread_url(case), headers=case.staff)
        assert r.status_code == 200, r.text
        [item] = r.json()["items"]
        assert (item["from_party"], item["body"], item["author_user_id"]) == (
            True,
            "Question",
            None,
        )
        assert item["person_id"] == case.people["other_party"]
        assert item["read_by_staff_at"] is not None  # marked as it was read
        reply = await _reply(client, case, "Answer", case.staff)
        assert reply.status_code == 201
        assert reply.json()["author_user_id"] is not None

    async def test_without_a_person_every_thread_of_the_complaint_is_listed(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        other_party = await _party(client, case, "other_party")
        complainant = await _party(client, case, "complainant")
        await _send(client, other_party, "From the other party")
        await _send(client, complainant, "From the complainant")
        r = await client.get(f"{case.url}/portal-messages", headers=case.staff)
        assert r.status_code == 200, r.text
        assert [(m["person_id"], m["body"]) for m in r.json()["items"]] == [
            (case.people["other_party"], "From the other party"),
            (case.people["complainant"], "From the complainant"),
        ]
        [entry] = await _audited(db, "portal.read_thread")
        assert (entry.object_type, entry.object_id) == ("complaint", case.id)

    async def test_a_person_of_another_complaint_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, case: Case
    ) -> None:
        other = await open_case(db, passwords, client)
        url = f"{case.url}/portal-messages"
        person = other.people["other_party"]
        r = await client.get(url, params={"person_id": person}, headers=case.staff)
        assert r.status_code == 404
        r = await client.post(url, json={"person_id": person, "body": "x"}, headers=case.staff)
        assert r.status_code == 404

    async def test_the_crc_reads_only_once_it_is_struck(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, case: Case
    ) -> None:
        party = await _party(client, case)
        await _send(client, party, "To the committee")
        committee, members, staff = await _committee(db, passwords, case, CommitteeStatus.proposed)
        heads = [await login(client, u.username) for u in (*members, staff)]
        for h in heads:
            assert (await client.get(thread_url(case), headers=h)).status_code == 404
            r = await _reply(client, case, "x", h)
            assert r.status_code == 404
        committee.status = CommitteeStatus.confirmed
        await db.commit()
        for h in heads:
            r = await client.get(thread_url(case), headers=h)
            assert r.status_code == 200, r.text
            assert [m["body"] for m in r.json()["items"]] == ["To the committee"]
        r = await _reply(client, case, "From the CRC", heads[0])
        assert r.status_code == 201
        assert r.json()["author_user_id"] == str(members[0].id)
        # The staff side answers as one: the CRC attaches to the ombudsperson's reply too.
        reply = (await _reply(client, case, "From the ombudsperson", case.staff)).json()
        r = await client.post(
            f"{case.url}/portal-messages/{reply['id']}/attachments",
            files={"file": ("a.pdf", PDF)},
            headers=heads[-1],
        )
        assert r.status_code == 201, r.text

    async def test_unrelated_staff_are_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, case: Case
    ) -> None:
        party = await _party(client, case)
        sent = await _send(client, party, "Private")
        informal = await make_user(db, passwords, Role.ombudsperson)
        await took_part_informally(db, case.id, informal)
        strangers = [
            await make_user(db, passwords, Role.ombudsperson),
            await make_user(db, passwords, Role.staff_resource),
            informal,  # may read the informal complaint, but is not its handler
        ]
        for user in strangers:
            h = await login(client, user.username)
            assert (await client.get(thread_url(case), headers=h)).status_code == 404
            r = await _reply(client, case, "x", h)
            assert r.status_code == 404
            url = f"{case.url}/portal-messages/{sent['id']}/attachments/{uuid.uuid4()}"
            assert (await client.get(url, headers=h)).status_code == 404
        for role in (Role.table_officer, Role.administrator):
            h = await login(client, (await make_user(db, passwords, role)).username)
            assert (await client.get(thread_url(case), headers=h)).status_code == 403
        assert (await client.get(thread_url(case))).status_code == 401

    async def test_every_read_is_audited_with_ids_only(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await _party(client, case)
        await _send(client, party, "Circumstances")
        await client.get(MESSAGES, headers=party)
        await client.get(thread_url(case), headers=case.staff)
        person = case.people["other_party"]
        [by_party] = await _audited(db, "portal.read_messages")
        [by_staff] = await _audited(db, "portal.read_thread")
        assert (by_party.actor_kind, by_party.object_type, by_party.object_id) == (
            "party",
            "complaint_person",
            person,
        )
        assert (by_staff.actor_kind, by_staff.object_type, by_staff.object_id) == (
            "user",
            "complaint_person",
            person,
        )
        [sent] = await _audited(db, "portal.send_message")
        message_id = await db.scalar(select(PortalMessage.id))
        assert sent.object_id == str(message_id)
        every = await db.scalars(select(AuditEntry.object_id))
        assert not any("Circumstances" in (o or "") for o in every)


@pytest.mark.clause("5.1")
class TestAttachments:
    async def test_content_is_checked_like_the_letters(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await _party(client, case)
        sent = await _send(client, party, "See attached")
        url = f"{MESSAGES}/{sent['id']}/attachments"
        r = await client.post(
            url, files={"file": ("x.pdf", b"<html>not a pdf", "application/pdf")}, headers=party
        )
        assert r.status_code == 422
        assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("file", "content_type")]
        r = await client.post(url, files={"file": ("../x.html", PDF, "text/html")}, headers=party)
        assert r.status_code == 201, r.text
        assert (r.json()["filename"], r.json()["media_type"]) == ("x.pdf", "application/pdf")
        for _ in range(MAX_ATTACHMENTS - 1):
            ok = await client.post(url, files={"file": ("y.pdf", PDF)}, headers=party)
            assert ok.status_code == 201
        r = await client.post(url, files={"file": ("z.pdf", PDF)}, headers=party)
        assert r.status_code == 409
        items = (await client.get(MESSAGES, headers=party)).json()["items"]
        assert len(items[0]["attachments"]) == MAX_ATTACHMENTS

    async def test_too_large_a_file_is_refused(
        self, client: httpx.AsyncClient, case: Case, settings: Settings
    ) -> None:
        party = await _party(client, case)
        sent = await _send(client, party, "Big")
        limit = settings.max_upload_bytes
        big = PDF + b"0" * limit
        r = await client.post(
            f"{MESSAGES}/{sent['id']}/attachments", files={"file": ("b.pdf", big)}, headers=party
        )
        assert r.status_code == 413

    async def test_a_party_attaches_only_to_their_own_messages(
        self, client: httpx.AsyncClient, case: Case
    ) -> None:
        party = await _party(client, case)
        reply = await _reply(client, case, "Reply", case.staff)
        url = f"{MESSAGES}/{reply.json()['id']}/attachments"
        r = await client.post(url, files={"file": ("a.pdf", PDF)}, headers=party)
        assert r.status_code == 404

    async def test_staff_attach_to_their_reply_and_both_sides_download(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await _party(client, case)
        reply = (await _reply(client, case, "Form", case.staff)).json()
        r = await client.post(
            f"{case.url}/portal-messages/{reply['id']}/attachments",
            files={"file": ("form.pdf", PDF)},
            headers=case.staff,
        )
        assert r.status_code == 201, r.text
        aid = r.json()["id"]
        staff_url = f"{case.url}/portal-messages/{reply['id']}/attachments/{aid}"
        got = await client.get(staff_url, headers=case.staff)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        got = await client.get(f"{MESSAGES}/{reply['id']}/attachments/{aid}", headers=party)
        assert got.status_code == 200 and got.content == PDF
        downloads = await _audited(db, "portal.download_attachment")
        assert [(e.actor_kind, e.object_type, e.object_id) for e in downloads] == [
            ("user", "portal_message_attachment", aid),
            ("party", "portal_message_attachment", aid),
        ]
        # The party's own message is not the staff's to attach to.
        mine = await _send(client, party, "Mine")
        r = await client.post(
            f"{case.url}/portal-messages/{mine['id']}/attachments",
            files={"file": ("form.pdf", PDF)},
            headers=case.staff,
        )
        assert r.status_code == 404


@pytest.mark.clause("5.1")
class TestSealed:
    async def test_the_body_and_files_are_ciphertext_and_die_with_the_key(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        party = await _party(client, case)
        sent = await _send(client, party, "A very private sentence")
        r = await client.post(
            f"{MESSAGES}/{sent['id']}/attachments",
            files={"file": ("private-name.pdf", PDF)},
            headers=party,
        )
        assert r.status_code == 201
        messages = PortalMessage.__table__
        files = PortalMessageAttachment.__table__
        async with app.state.engine.connect() as conn:
            body = bytes(await conn.scalar(select(messages.c.body)))
            name, content = (await conn.execute(select(files.c.filename, files.c.content))).one()
        assert is_owned(body) and b"private sentence" not in body
        assert is_owned(bytes(name)) and b"private-name" not in bytes(name)
        assert is_owned(bytes(content)) and PDF not in bytes(content)

        assert await datakeys.destroy(db, uuid.UUID(case.id)) is True
        async with app.state.sessionmaker() as fresh:
            with pytest.raises(DecryptionFailed):
                await fresh.get(PortalMessage, uuid.UUID(str(sent["id"])))
