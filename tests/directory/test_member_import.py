"""Importing the member list from CSV through the API (multipart field `file`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.main import create_app
from ombuds.models import AuditEntry, Member, Role, Unit
from tests.conftest import make_settings
from tests.directory.support import (
    GOOD_FILE,
    GOOD_MEMBERS,
    HEADER,
    NOT_ADMINISTRATORS,
    count,
    members_by_number,
    problem,
)
from tests.factories.accounts import login, make_user, signed_in


async def _upload(
    client: httpx.AsyncClient,
    headers: dict[str, str] | None,
    content: bytes | str,
    *,
    dry_run: bool = False,
) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    return await client.post(
        "/api/members/import",
        files={"file": ("members.csv", data, "text/csv")},
        params={"dry_run": "true"} if dry_run else {},
        headers=headers or {},
    )


@pytest.mark.usefixtures("units")
class TestImportMembers:
    async def test_anonymous_is_refused(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        response = await _upload(client, None, GOOD_FILE)
        problem(response, 401)
        assert await count(db, Member) == 0

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        response = await _upload(client, headers, GOOD_FILE)
        body = problem(response, 403)
        assert body["detail"] == "This needs the role administrator."
        assert await count(db, Member) == 0

    async def test_good_file_creates_the_members(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        response = await _upload(client, admin_headers, GOOD_FILE)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "rows": 3,
            "created": 3,
            "updated": 0,
            "unchanged": 0,
            "rejected": [],
            "dry_run": False,
        }
        assert await members_by_number(db) == GOOD_MEMBERS

    async def test_header_in_any_order_and_case_with_bom_crlf_and_blank_lines(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        content = (
            "\ufeffUnit_Code , FULL_NAME,Member_Number\r\n"
            "U1, Ada Lovelace ,1001\r\n"
            "\r\n"
            ",,\r\n"
            "U2,Grace Hopper,1002\r\n"
        )
        response = await _upload(client, admin_headers, content)
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["rows"], report["created"], report["rejected"]) == (2, 2, [])
        assert await members_by_number(db) == {
            "1001": ("Ada Lovelace", "U1", None),
            "1002": ("Grace Hopper", "U2", None),
        }

    async def test_second_import_updates_changed_rows_and_counts_unchanged(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        assert (await _upload(client, admin_headers, GOOD_FILE)).status_code == 200
        changed = (
            HEADER
            + "1001,Ada Lovelace,U1,ada@example.org\n"  # unchanged
            + "1002,Grace Brewster Hopper,U2,\n"  # new name
            + "1003,Alan Turing,U2,\n"  # new Unit, email cleared
            + "1004,Katherine Johnson,U2,kj@example.org\n"  # new member
        )
        response = await _upload(client, admin_headers, changed)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "rows": 4,
            "created": 1,
            "updated": 2,
            "unchanged": 1,
            "rejected": [],
            "dry_run": False,
        }
        assert await members_by_number(db) == {
            "1001": ("Ada Lovelace", "U1", "ada@example.org"),
            "1002": ("Grace Brewster Hopper", "U2", None),
            "1003": ("Alan Turing", "U2", None),
            "1004": ("Katherine Johnson", "U2", "kj@example.org"),
        }

    async def test_rejected_rows_report_line_field_and_reason_but_never_the_value(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        content = (
            HEADER  # line 1
            + "2001,Ada Lovelace,U1,ada@example.org\n"  # 2: good
            + "2002,Zebediah Quillfeather,U1,zebediah-at-nowhere\n"  # 3: bad email
            + "2003,Ottoline Marchbanks,NOPE9,\n"  # 4: unknown Unit
            + "2004,,U2,\n"  # 5: no name
            + "BAD NUMBER!,Persephone Wigglesworth,U2,\n"  # 6: bad member number
            + ",Ignatius Blackwood,U2,\n"  # 7: no member number
            + f"2005,{'Q' * 201},U2,\n"  # 8: name too long
            + "2006,Cordelia Fairweather,U2,cf@example.org,surplus\n"  # 9: too many values
            + "2007,Grace Hopper,U2,\n"  # 10: good
        )
        response = await _upload(client, admin_headers, content)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["rejected"] == [
            {"line": 3, "field": "email", "reason": "not a valid email address"},
            {"line": 4, "field": "unit_code", "reason": "no Unit with this code"},
            {"line": 5, "field": "full_name", "reason": "required"},
            {
                "line": 6,
                "field": "member_number",
                "reason": "letters, digits and '-' only, at most 32",
            },
            {"line": 7, "field": "member_number", "reason": "required"},
            {"line": 8, "field": "full_name", "reason": "at most 200 characters"},
            {"line": 9, "field": "row", "reason": "more values than columns"},
        ]
        assert (report["rows"], report["created"], report["updated"]) == (9, 2, 0)
        for value in (
            "Zebediah",
            "zebediah-at-nowhere",
            "Ottoline",
            "NOPE9",
            "BAD NUMBER",
            "Persephone",
            "Ignatius",
            "QQQQ",
            "Cordelia",
            "surplus",
        ):
            assert value not in response.text
        assert await members_by_number(db) == {
            "2001": ("Ada Lovelace", "U1", "ada@example.org"),
            "2007": ("Grace Hopper", "U2", None),
        }

    async def test_a_quoted_newline_shifts_the_line_numbers(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        content = (
            HEADER  # line 1
            + '3001,"Ada\nLovelace",U1,\n'  # lines 2-3: one record
            + "3002,Grace Hopper,NOPE,\n"  # line 4
            + "\n"  # line 5: blank
            + '3003,"Alan, ""the"" Turing",U1,not-an-email\n'  # line 6
            + "3004,Katherine Johnson,U2,\n"  # line 7
        )
        response = await _upload(client, admin_headers, content)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["rejected"] == [
            {"line": 4, "field": "unit_code", "reason": "no Unit with this code"},
            {"line": 6, "field": "email", "reason": "not a valid email address"},
        ]
        assert await members_by_number(db) == {
            "3001": ("Ada\nLovelace", "U1", None),
            "3004": ("Katherine Johnson", "U2", None),
        }

    async def test_a_rejected_record_spanning_lines_is_reported_at_its_first_line(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        content = HEADER + '3101,"Ada\nLovelace",NOPE,\n' + "3102,Grace Hopper,NOPE,\n"
        response = await _upload(client, admin_headers, content)
        assert response.status_code == 200, response.text
        assert [r["line"] for r in response.json()["rejected"]] == [2, 4]

    async def test_a_repeated_member_number_is_rejected_naming_the_first_line(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        content = (
            HEADER
            + "4001,Ada Lovelace,U1,\n"  # 2
            + "4002,Grace Hopper,U1,\n"  # 3
            + "4001,Ada Someone Else,U2,\n"  # 4
            + "4002,Grace Again,U2,\n"  # 5
        )
        response = await _upload(client, admin_headers, content)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["rejected"] == [
            {"line": 4, "field": "member_number", "reason": "repeats line 2"},
            {"line": 5, "field": "member_number", "reason": "repeats line 3"},
        ]
        assert report["created"] == 2
        assert "Someone Else" not in response.text
        assert await members_by_number(db) == {
            "4001": ("Ada Lovelace", "U1", None),
            "4002": ("Grace Hopper", "U1", None),
        }

    @pytest.mark.parametrize(
        ("content", "rule"),
        [
            pytest.param(b"", "header", id="empty"),
            pytest.param(HEADER.encode(), "rows", id="header-only"),
            pytest.param((HEADER + "\n\n").encode(), "rows", id="header-and-blank-lines"),
            pytest.param(
                b"member_number,full_name\n5001,Ada Lovelace\n", "header", id="missing-column"
            ),
            pytest.param(
                b"member_number,full_name,unit_code,phone\n5001,Ada Lovelace,U1,555\n",
                "header",
                id="unknown-column",
            ),
            pytest.param(
                b"member_number,full_name,unit_code,full_name\n5001,Ada,U1,Ada\n",
                "header",
                id="repeated-column",
            ),
            pytest.param(
                HEADER.encode() + b"5001,Ada Lovelace,U1,\n5002,Ren\xe9e Dupr\xe9,U1,\n",
                "encoding",
                id="latin-1",
            ),
        ],
    )
    async def test_a_bad_file_is_refused_whole_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        content: bytes,
        rule: str,
    ) -> None:
        assert (await _upload(client, admin_headers, GOOD_FILE)).status_code == 200
        audits = await count(db, AuditEntry)
        response = await _upload(client, admin_headers, content)
        body = problem(response, 422)
        assert [(e["field"], e["rule"]) for e in body["errors"]] == [("file", rule)]
        assert "Ada" not in response.text
        assert await members_by_number(db) == GOOD_MEMBERS
        assert await count(db, AuditEntry) == audits

    async def test_bad_header_names_what_is_wrong(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        content = "member_number,full_name,phone,phone\n5001,Ada Lovelace,555,555\n"
        response = await _upload(client, admin_headers, content)
        detail = problem(response, 422)["detail"]
        assert "missing column(s): unit_code" in detail
        assert "2 unknown column(s) at position(s) 3, 4" in detail
        assert "repeated column(s) at position(s) 3, 4" in detail
        assert "phone" not in detail

    async def test_a_file_without_a_header_line_does_not_echo_its_first_row(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        content = "5001,Zebediah Quillfeather,U1,zq@example.org\n5002,Ada Lovelace,U1,\n"
        response = await _upload(client, admin_headers, content)
        body = problem(response, 422)
        assert body["errors"][0]["field"] == "file"
        assert await count(db, Member) == 0
        assert "zebediah" not in response.text.lower()
        assert "zq@example.org" not in response.text

    async def test_dry_run_reports_counts_and_saves_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        assert (await _upload(client, admin_headers, GOOD_FILE)).status_code == 200
        content = (
            HEADER
            + "1001,Ada Lovelace,U1,ada@example.org\n"  # unchanged
            + "1002,Grace Brewster Hopper,U2,\n"  # updated
            + "1004,Katherine Johnson,U2,\n"  # created
            + "1005,Dorothy Vaughan,NOPE,\n"  # rejected
        )
        response = await _upload(client, admin_headers, content, dry_run=True)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "rows": 4,
            "created": 1,
            "updated": 1,
            "unchanged": 1,
            "rejected": [{"line": 5, "field": "unit_code", "reason": "no Unit with this code"}],
            "dry_run": True,
        }
        assert await members_by_number(db) == GOOD_MEMBERS

    async def test_dry_run_of_a_bad_file_is_refused_too(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        response = await _upload(client, admin_headers, b"", dry_run=True)
        assert problem(response, 422)["errors"][0]["field"] == "file"

    async def test_the_import_is_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.administrator)
        assert (await _upload(client, headers, GOOD_FILE)).status_code == 200
        entries = (
            await db.execute(
                select(
                    AuditEntry.actor_kind,
                    AuditEntry.actor_id,
                    AuditEntry.object_type,
                    AuditEntry.outcome,
                ).where(AuditEntry.action == "members.import")
            )
        ).all()
        assert [tuple(e) for e in entries] == [("user", user.id, "member_import", "success")]

    async def test_the_field_must_be_called_file(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/members/import",
            files={"upload": ("members.csv", GOOD_FILE.encode(), "text/csv")},
            headers=admin_headers,
        )
        body = problem(response, 422)
        assert [(e["field"], e["rule"]) for e in body["errors"]] == [
            ("file", "missing"),
            ("upload", "extra_forbidden"),
        ]
        assert await count(db, Member) == 0


class TestImportUploadLimit:
    LIMIT = 2048

    @pytest.fixture
    async def small_client(self, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
        app: FastAPI = create_app(make_settings(database_url, max_upload_bytes=self.LIMIT))
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield c

    @staticmethod
    def _file_of(size: int) -> bytes:
        row = "6001,Ada Lovelace,U1,\n"
        filler = size - len(HEADER) - len(row) - len("6002,,U1,\n")
        content = (HEADER + row + f"6002,{'G' * filler},U1,\n").encode()
        assert len(content) == size
        return content

    @pytest.mark.parametrize("size", [LIMIT + 1, 10 * LIMIT, 100 * 1024])
    async def test_a_file_over_the_limit_is_refused(
        self,
        small_client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        units: tuple[Unit, Unit],
        size: int,
    ) -> None:
        user = await make_user(db, passwords, Role.administrator)
        headers = await login(small_client, user.username)
        content = (HEADER + "6001,Ada Lovelace,U1,\n").encode() + b"\n" * size
        response = await _upload(small_client, headers, content)
        problem(response, 413)
        assert await count(db, Member) == 0

    async def test_a_file_at_the_limit_is_accepted(
        self,
        small_client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        units: tuple[Unit, Unit],
    ) -> None:
        user = await make_user(db, passwords, Role.administrator)
        headers = await login(small_client, user.username)
        response = await _upload(small_client, headers, self._file_of(self.LIMIT))
        assert response.status_code == 200, response.text
        assert response.json()["rejected"] == [
            {"line": 3, "field": "full_name", "reason": "at most 200 characters"}
        ]
        assert await members_by_number(db) == {"6001": ("Ada Lovelace", "U1", None)}
