"""Every 4xx and 5xx is RFC 9457 problem+json; nothing internal leaks."""

from __future__ import annotations

import uuid

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.access import Public
from ombuds.auth.passwords import Passwords
from ombuds.main import create_app
from ombuds.models import Role, Unit
from tests.conftest import make_settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body
from tests.factories.directory import make_member, make_unit

PROBLEM = "application/problem+json"


async def _units(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Unit)) or 0)


class TestProblemDetails:
    async def test_unknown_route_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/nowhere")
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == 404

    async def test_wrong_method_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/api/health")
        assert response.status_code == 405
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["allow"] == "GET"
        assert response.headers["cache-control"] == "no-store"

    async def test_malformed_json_names_the_body(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units",
            content=b'{"code": "X1", "name": ',
            headers={**headers, "content-type": "application/json"},
        )
        assert response.status_code == 422
        body = response.json()
        assert response.headers["content-type"] == PROBLEM
        assert body["errors"][0]["rule"] == "json_invalid"
        assert body["detail"] == "body: invalid JSON at line 1, column 24 (expecting value)"
        assert await _units(db) == 0

    async def test_malformed_json_names_the_line_and_column(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units",
            content=b'{\n  "code": "X1",\n    ,\n  "name": "Unit"\n}',
            headers={**headers, "content-type": "application/json"},
        )
        assert response.status_code == 422
        body = response.json()
        assert body["detail"] == (
            "body: invalid JSON at line 3, column 5 (expecting property name enclosed in "
            "double quotes)"
        )
        assert body["errors"] == [
            {
                "field": "body",
                "rule": "json_invalid",
                "message": "invalid JSON at line 3, column 5 (expecting property name "
                "enclosed in double quotes)",
            }
        ]
        assert await _units(db) == 0

    @pytest.mark.parametrize(
        ("content_type", "content"),
        [
            ("text/plain", b'{"code": "X1", "name": "Unit"}'),
            ("application/x-www-form-urlencoded", b"code=X1&name=Unit"),
            (
                "multipart/form-data; boundary=b",
                b'--b\r\nContent-Disposition: form-data; name="code"\r\n\r\nX1\r\n--b--\r\n',
            ),
        ],
        ids=["text", "form", "multipart"],
    )
    async def test_a_body_of_another_media_type_is_415(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        content_type: str,
        content: bytes,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units", content=content, headers={**headers, "content-type": content_type}
        )
        assert response.status_code == 415
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["type"].endswith("/unsupported-media-type")
        assert body["errors"] == [
            {"field": "body", "rule": "media_type", "message": "send application/json"}
        ]
        assert await _units(db) == 0

    async def test_the_media_type_is_checked_after_the_caller(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        response = await client.post(
            "/api/units", content=b"code=X1", headers={"content-type": "text/plain"}
        )
        assert response.status_code == 401

    async def test_json_to_an_upload_is_415(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/members/import", json={"file": "members.csv"}, headers=headers
        )
        assert response.status_code == 415
        assert response.json()["errors"][0]["message"] == (
            "send multipart/form-data or application/x-www-form-urlencoded"
        )


class TestValidatorsNameTheField:
    @pytest.mark.clause("1.3")
    @pytest.mark.parametrize(
        ("overrides", "rule"),
        [
            ({"setting": "workplace"}, "required_for_workplace"),
            ({"redirected_to": "grievance_procedure"}, "only_for_workplace"),
        ],
    )
    async def test_redirection_is_named(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        overrides: dict[str, str],
        rule: str,
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        body = complaint_body(a, b, **overrides)
        response = await client.post("/api/complaints", json=body, headers=headers)
        assert response.status_code == 422
        problem = response.json()
        assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("redirected_to", rule)]
        assert problem["detail"] == "Invalid input in: redirected_to"
        assert "Value error" not in response.text

    async def test_a_person_names_the_person_not_the_body(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        body = complaint_body(a, b)
        body["other_party"] = {"member_id": str(b.id), "full_name": "Someone"}
        response = await client.post("/api/complaints", json=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "other_party",
                "rule": "member_or_full_name",
                "message": "give either member_id (a member) or full_name (outside the directory)",
            }
        ]


class TestEdgesOfTheApi:
    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("PATCH", "/api/members/import", "POST"),
            ("GET", "/api/members/import", "POST"),
            ("PUT", "/api/calendar/caldav/shared", "POST"),
            ("PUT", "/api/members", "GET, POST"),
            ("POST", "/api/calendar/caldav/00000000-0000-0000-0000-000000000000", "DELETE, PUT"),
        ],
    )
    async def test_a_method_the_path_does_not_take_is_405_listing_every_allowed_one(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        method: str,
        path: str,
        allow: str,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.request(method, path, json={}, headers=headers)
        assert response.status_code == 405
        assert response.headers["allow"] == allow
        assert response.headers["content-type"] == PROBLEM
        assert (
            response.json()["detail"] == f"{method} is not allowed here; this path allows {allow}."
        )

    @pytest.mark.parametrize("before", ["9223372036854775808", "99999999999999999999999"])
    async def test_an_integer_beyond_bigint_is_422_naming_the_parameter(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, before: str
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.get(
            "/api/audit-entries", params={"before": before}, headers=headers
        )
        assert response.status_code == 422
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
            ("before", "less_than_equal")
        ]
        largest = await client.get(
            "/api/audit-entries", params={"before": str(2**63 - 1)}, headers=headers
        )
        assert largest.status_code == 200

    @pytest.mark.parametrize(
        ("seat", "rule"), [("2147483648", "less_than_equal"), ("0", "greater_than_equal")]
    )
    async def test_a_seat_beyond_integer_is_422_naming_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        seat: str,
        rule: str,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        response = await client.post(
            f"/api/status/{uuid.uuid4()}/committee/proposal/seats/{seat}/redraw",
            headers={**headers, "If-Match": '"x-v1"'},
        )
        assert response.status_code == 422
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [("seat", rule)]

    async def test_wrong_type_and_extra_field_name_field_and_rule(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units",
            json={"code": "X1", "name": "Unit", "is_affiliates": "perhaps", "colour": "red"},
            headers=headers,
        )
        assert response.status_code == 422
        errors = {(e["field"], e["rule"]) for e in response.json()["errors"]}
        assert errors == {("is_affiliates", "bool_parsing"), ("colour", "extra_forbidden")}
        assert "perhaps" not in response.text
        assert await _units(db) == 0


class TestBodyLimit:
    async def test_oversized_body_is_refused_before_parsing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units", json={"code": "X1", "name": "n" * (2 * 1024 * 1024)}, headers=headers
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["cache-control"] == "no-store"
        assert await _units(db) == 0

    async def test_chunked_body_without_length_is_counted(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(40):
                yield b"x" * 65536

        response = await client.post(
            "/api/units",
            content=chunks(),
            headers={**headers, "content-type": "application/json"},
        )
        assert response.status_code == 413
        assert await _units(db) == 0


class TestCrash:
    @pytest.fixture
    async def crashing_app(self, database_url: str) -> FastAPI:
        app = create_app(make_settings(database_url))

        @app.get("/api/crash-test")
        async def crash(_: Public) -> None:
            raise RuntimeError("secret member name Canary-Quokka in SQL parameters")

        return app

    async def test_500_is_a_problem_without_internals(
        self, crashing_app: FastAPI, caplog: pytest.LogCaptureFixture
    ) -> None:
        async with LifespanManager(crashing_app):
            transport = httpx.ASGITransport(app=crashing_app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/api/crash-test")
        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM
        assert "Canary-Quokka" not in response.text
        assert "RuntimeError" not in response.text
        assert "Traceback" not in response.text
        logged = [r.getMessage() for r in caplog.records if r.name == "ombuds.errors"]
        assert logged == ["unhandled error: RuntimeError"]
