"""4.3.1(i): documents such as the signed letter, checked by content and kept confidential."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.formal.attachments import content_disposition, sanitise_filename
from ombuds.models import Attachment, AuditEntry, Role
from tests.factories.accounts import make_user, signed_in
from tests.factories.procedure import to_committee, to_letter
from tests.formal.support import (
    ABSENT,
    Case,
    audits,
    client_with,
    count,
    errors,
    new_case,
    problem,
    reload,
    seat_committee,
    stage_refusal,
    with_etag,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"


async def _at_letter(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> tuple[Case, str]:
    case = await new_case(db, passwords, client)
    _, etag = await to_letter(client, case.headers, case.detail, case.etag)
    return case, etag


async def _upload(
    client: httpx.AsyncClient,
    case: Case,
    etag: str,
    content: bytes,
    filename: str = "letter.pdf",
    *,
    content_type: str = "application/pdf",
    purpose: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    data = {"purpose": purpose} if purpose else None
    return await client.post(
        case.url("attachments"),
        files={"file": (filename, content, content_type)},
        data=data,
        headers=with_etag(headers or case.headers, etag),
    )


class TestAddAttachment:
    @pytest.mark.clause("4.3.1(i)")
    async def test_the_signed_letter_is_attached(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await _upload(client, case, etag, PDF, purpose="signed_letter")
        assert response.status_code == 201, response.text
        out = response.json()
        assert (out["purpose"], out["filename"], out["media_type"]) == (
            "signed_letter",
            "letter.pdf",
            "application/pdf",
        )
        assert (out["size"], out["sha256"]) == (len(PDF), hashlib.sha256(PDF).hexdigest())
        assert out["uploaded_by"] == str(case.ombudsperson.id)
        assert response.headers["ETag"] != etag
        saved = await db.scalar(select(Attachment))
        assert saved is not None and saved.content == PDF
        assert await audits(db, "formal.add_attachment", out["id"]) == 1

    @pytest.mark.parametrize(
        ("content", "name", "client_type", "media_type"),
        [
            (PNG, "scan.png", "image/png", "image/png"),
            (JPEG, "scan.jpeg", "image/jpeg", "image/jpeg"),
            # The type comes from the content, never from the name or the client's claim.
            (PDF, "scan.txt", "text/plain", "application/pdf"),
        ],
    )
    async def test_the_type_is_read_from_the_content(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        content: bytes,
        name: str,
        client_type: str,
        media_type: str,
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await _upload(client, case, etag, content, name, content_type=client_type)
        assert response.status_code == 201, response.text
        assert (response.json()["media_type"], response.json()["purpose"]) == (
            media_type,
            "document",
        )

    @pytest.mark.parametrize(
        ("content", "name", "stored"),
        [
            (PDF, "x.html", "x.pdf"),
            (PDF, "scan.txt", "scan.pdf"),
            (PDF, "signed letter", "signed letter.pdf"),
            (PDF, "Letter.PDF", "Letter.PDF"),
            (PNG, "photo.jpg", "photo.png"),
            (JPEG, "photo.JPEG", "photo.JPEG"),
            (JPEG, "photo.png", "photo.jpg"),
            (PDF, "y" * 200, "y" * 196 + ".pdf"),
        ],
    )
    async def test_a_name_that_belies_the_content_is_renamed_to_its_type(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        content: bytes,
        name: str,
        stored: str,
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await _upload(client, case, etag, content, name, content_type="text/html")
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == stored
        download = await client.get(
            case.url("attachments", response.json()["id"]), headers=case.headers
        )
        assert download.headers["content-type"] == response.json()["media_type"]
        assert f"filename*=UTF-8''{quote(stored)}" in download.headers["content-disposition"]

    @pytest.mark.clause("4.3.1(i)")
    @pytest.mark.parametrize(
        "content",
        [b"Just some text pretending to be a PDF\n", b"", b"<html><script>x</script></html>"],
        ids=["text", "empty", "html"],
    )
    async def test_anything_else_is_refused_even_when_named_pdf(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, content: bytes
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        version = (await reload(db, case.id)).version
        response = await _upload(client, case, etag, content, "signed-letter.pdf")
        assert errors(problem(response, 422)) == [("file", "content_type")]
        assert "signed-letter" not in response.text
        assert await count(db, Attachment) == 0
        assert (await reload(db, case.id)).version == version

    async def test_an_unknown_purpose_or_no_file_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await _upload(client, case, etag, PDF, purpose="evidence")
        assert errors(problem(response, 422)) == [("purpose", "enum")]
        response = await client.post(
            case.url("attachments"),
            data={"purpose": "document"},
            files={"upload": ("a.pdf", PDF, "application/pdf")},
            headers=with_etag(case.headers, etag),
        )
        assert errors(problem(response, 422)) == [
            ("file", "missing"),
            ("upload", "extra_forbidden"),
        ]
        assert await count(db, Attachment) == 0

    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("../../etc/passwd.pdf", "passwd.pdf"),
            ("C:\\Users\\member\\My letter.pdf", "My letter.pdf"),
            (".hidden.pdf", "hidden.pdf"),
            ("/", "attachment.pdf"),
            ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
            ("lettre signée.pdf", "lettre signée.pdf"),
        ],
    )
    async def test_the_file_name_is_sanitised(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        raw: str,
        stored: str,
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await _upload(client, case, etag, PDF, raw)
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == stored
        assert len(stored) <= 200

    async def test_the_file_name_is_never_logged(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        name = "Complaint-about-Jane-Roe.pdf"
        # Our own loggers at every level; libraries' warnings and errors (a library's
        # DEBUG output, such as a driver echoing SQL parameters, is a deployment choice).
        caplog.set_level(logging.WARNING)
        with caplog.at_level(logging.DEBUG, logger="ombuds"):
            created = await _upload(client, case, etag, PDF, name)
            refused = await _upload(client, case, created.headers["ETag"], b"text", name)
            listed = await client.get(case.url("attachments"), headers=case.headers)
        assert created.status_code == 201 and refused.status_code == 422
        assert listed.json()[0]["filename"] == name
        assert "Jane-Roe" not in caplog.text
        entries = (await db.scalars(select(AuditEntry))).all()
        assert entries and not any("Jane" in f"{e.action}{e.object_id}" for e in entries)

    async def test_not_before_the_letter_stage(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        stage_refusal(await _upload(client, case, case.etag, PDF), "intake")
        assert await count(db, Attachment) == 0

    async def test_a_stale_if_match_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _ = await _at_letter(db, passwords, client)
        problem(await _upload(client, case, case.etag, PDF), 412)
        response = await client.post(
            case.url("attachments"),
            files={"file": ("a.pdf", PDF, "application/pdf")},
            headers=case.headers,
        )
        problem(response, 428)
        assert await count(db, Attachment) == 0

    async def test_who_may_attach(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        response = await client.post(
            case.url("attachments"),
            files={"file": ("a.pdf", PDF, "application/pdf")},
            headers={"If-Match": etag},
        )
        problem(response, 401)
        for role in (Role.staff_resource, Role.table_officer, Role.administrator):
            _, headers = await signed_in(db, passwords, client, role)
            problem(await _upload(client, case, etag, PDF, headers=headers), 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await _upload(client, case, etag, PDF, headers=other), 404)
        assert await count(db, Attachment) == 0


class TestUploadLimit:
    LIMIT = 2048

    @pytest.fixture
    async def small(self, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
        async with client_with(database_url, max_upload_bytes=self.LIMIT) as c:
            yield c

    async def test_a_file_over_the_limit_is_refused_and_one_at_it_accepted(
        self,
        client: httpx.AsyncClient,
        small: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
    ) -> None:
        case, etag = await _at_letter(db, passwords, client)
        over = PDF + b"0" * (self.LIMIT + 1 - len(PDF))
        problem(await _upload(small, case, etag, over), 413)
        assert await count(db, Attachment) == 0
        exact = PDF + b"0" * (self.LIMIT - len(PDF))
        response = await _upload(small, case, etag, exact)
        assert response.status_code == 201, response.text
        assert response.json()["size"] == self.LIMIT


async def _with_attachment(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient, name: str = "letter.pdf"
) -> tuple[Case, dict[str, str], str]:
    case, etag = await _at_letter(db, passwords, client)
    response = await _upload(client, case, etag, PDF, name, purpose="signed_letter")
    assert response.status_code == 201, response.text
    return case, response.json(), response.headers["ETag"]


class TestListAttachments:
    async def test_metadata_only_and_the_read_is_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, attachment, etag = await _with_attachment(db, passwords, client)
        second = await _upload(client, case, etag, PNG, "photo.png")
        response = await client.get(case.url("attachments"), headers=case.headers)
        assert response.status_code == 200
        assert [a["id"] for a in response.json()] == [attachment["id"], second.json()["id"]]
        assert "content" not in response.json()[0]
        assert await audits(db, "formal.list_attachments", case.id) == 1

    async def test_who_may_list(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await _with_attachment(db, passwords, client)
        problem(await client.get(case.url("attachments")), 401)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        problem(await client.get(case.url("attachments"), headers=officer), 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await client.get(case.url("attachments"), headers=other), 404)
        assert await audits(db, "formal.list_attachments") == 0


class TestDownloadAttachment:
    @pytest.mark.clause("5.1")
    async def test_downloads_as_an_attachment_never_sniffed_nor_cached(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, attachment, _ = await _with_attachment(db, passwords, client, "lettre signée.pdf")
        response = await client.get(case.url("attachments", attachment["id"]), headers=case.headers)
        assert response.status_code == 200
        assert response.content == PDF
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == (
            "attachment; filename=\"lettre sign_e.pdf\"; filename*=UTF-8''lettre%20sign%C3%A9e.pdf"
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert await audits(db, "formal.download_attachment", attachment["id"]) == 1

    @pytest.mark.clause("4.3.1(vi)")
    async def test_the_crc_reads_attachments_but_does_not_add_them(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        _, etag = await to_committee(client, case.headers, case.detail, case.etag)
        response = await _upload(client, case, etag, PDF)
        attachment, etag = response.json(), response.headers["ETag"]
        member, member_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        staff, staff_headers = await signed_in(db, passwords, client, Role.staff_resource)
        others = [await make_user(db, passwords, Role.ombudsperson) for _ in range(2)]
        await seat_committee(db, case.id, [member, *others], staff)
        for headers in (member_headers, staff_headers):
            listed = await client.get(case.url("attachments"), headers=headers)
            assert [a["id"] for a in listed.json()] == [attachment["id"]]
            got = await client.get(case.url("attachments", attachment["id"]), headers=headers)
            assert got.content == PDF
        problem(await _upload(client, case, etag, PDF, headers=member_headers), 403)
        assert await count(db, Attachment) == 1

    async def test_another_complaints_attachment_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await _with_attachment(db, passwords, client)
        other_case, other_attachment, _ = await _with_attachment(db, passwords, client)
        for attachment_id in (other_attachment["id"], ABSENT):
            response = await client.get(
                case.url("attachments", attachment_id), headers=case.headers
            )
            problem(response, 404)
        # The other complaint's own ombudsperson gets it; this one does not see that complaint.
        url = other_case.url("attachments", other_attachment["id"])
        assert (await client.get(url, headers=other_case.headers)).status_code == 200
        problem(await client.get(url, headers=case.headers), 404)
        problem(await client.get(url), 401)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        problem(await client.get(url, headers=officer), 403)


class TestFileNames:
    def test_content_disposition_quotes_nothing_unsafe(self) -> None:
        assert content_disposition('a"b\\c%d.pdf') == (
            "attachment; filename=\"a_b_c_d.pdf\"; filename*=UTF-8''a%22b%5Cc%25d.pdf"
        )

    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("a\x00b\x1f\x7fc\u202e.pdf", "abc.pdf"),
            ('what"is<this>?:*|.pdf', "what_is_this_____.pdf"),
            ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
            ("   ", "attachment.png"),
            (None, "attachment.png"),
        ],
    )
    def test_unsafe_characters_are_dropped_or_replaced(self, raw: str | None, stored: str) -> None:
        assert sanitise_filename(raw, ".png") == stored

    def test_a_long_name_without_extension_is_cut(self) -> None:
        assert sanitise_filename("y" * 250, ".png") == "y" * 200
