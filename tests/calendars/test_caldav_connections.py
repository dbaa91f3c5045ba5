"""/api/calendar/caldav: connecting, listing, replacing and removing CalDAV calendars.
Credentials are stored encrypted; an address that is not http(s), carries credentials or
points at this service itself is refused, naming ``url``, and nothing is saved."""

from __future__ import annotations

import uuid
from ipaddress import ip_network
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.calendars import connections
from ombuds.models import (
    AuditEntry,
    CaldavConnection,
    CaldavScope,
    CaldavStatus,
    CaldavSyncedEvent,
    Role,
)
from ombuds.settings import Settings
from tests.calendars.support import errors, problem
from tests.conftest import make_settings
from tests.factories.accounts import signed_in
from tests.factories.calendars import connect_caldav

URL = "https://caldav.example.org/dav/calendars/alice/deadlines/"
BODY = {"url": URL, "username": "alice@example.org", "password": "app-password-1234"}


async def rows(db: AsyncSession) -> list[CaldavConnection]:
    found = await db.scalars(
        select(CaldavConnection)
        .order_by(CaldavConnection.created_at)
        .execution_options(populate_existing=True)
    )
    return list(found)


async def count(db: AsyncSession, model: type[Any]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


class TestConnect:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        problem(await client.post("/api/calendar/caldav", json=BODY), 401)
        assert await rows(db) == []

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.table_officer, Role.administrator])
    async def test_stored_encrypted_and_the_password_never_shown(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        role: Role,
    ) -> None:
        user, headers = await signed_in(db, passwords, client, role)
        made = await connect_caldav(client, headers, **BODY)
        assert (made["scope"], made["status"], made["events"]) == ("own", "pending", 0)
        assert (made["url"], made["username"]) == (URL, BODY["username"])
        assert BODY["password"] not in str(made)
        (row,) = await rows(db)
        assert (row.owner_id, row.scope) == (user.id, CaldavScope.own)
        for sealed, plain in (
            (row.url_encrypted, URL),
            (row.username_encrypted, BODY["username"]),
            (row.password_encrypted, BODY["password"]),
        ):
            assert plain.encode() not in sealed
        assert connections.credentials(app.state.keyring, row) == (
            URL,
            BODY["username"],
            BODY["password"],
        )
        audit = await db.scalar(
            select(AuditEntry).where(AuditEntry.action == "calendar.connect_caldav_own")
        )
        assert audit is not None and audit.object_id == str(row.id)

    @pytest.mark.parametrize(
        ("url", "rule"),
        [
            ("ftp://caldav.example.org/cal/", "http_or_https"),
            ("file:///etc/passwd", "http_or_https"),
            ("javascript:alert(1)//x", "http_or_https"),
            ("https:///no-host/path", "host_required"),
            ("https://alice:secret@caldav.example.org/cal/", "no_credentials"),
            ("https://caldav.example.org:99999/cal/", "url_invalid"),
            ("http://testserver/api/feeds/", "not_this_service"),
            ("http://TESTSERVER:80/dav/", "not_this_service"),
            ("http://127.0.0.1:8000/dav/", "not_this_service"),
            ("http://localhost:8000/dav/", "not_this_service"),
        ],
    )
    async def test_unusable_addresses_are_refused_naming_url(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        url: str,
        rule: str,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.post(
            "/api/calendar/caldav", headers=headers, json={**BODY, "url": url}
        )
        body = problem(response, 422)
        assert errors(body) == [("url", rule)]
        assert "secret" not in response.text
        assert await rows(db) == []

    @pytest.mark.clause("5.1")
    @pytest.mark.parametrize(
        "url",
        [
            "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
            "http://127.0.0.1:5432/",
            "http://10.0.0.1/dav/",
            "http://172.16.5.4/dav/",
            "http://192.168.1.10/dav/",
            "http://100.64.0.1/dav/",  # shared address space (CGNAT)
            "http://0.0.0.0:5232/",
            "http://127.1:5232/",
            "http://2130706433:5232/",  # 127.0.0.1 as one number
            "http://0x7f000001:5232/",
            "http://017700000001:5232/",  # and in octal
            "http://224.0.0.1/dav/",  # multicast
            "http://240.0.0.1/dav/",  # reserved
            "http://[::1]:5232/",
            "http://[::]:5232/",
            "http://[::ffff:127.0.0.1]:5232/",
            "http://[::ffff:7f00:1]:5232/",
            "http://[fe80::1]/dav/",
            "http://[fd12:3456::1]/dav/",  # unique local
            "http://[2002:7f00:1::]/dav/",  # 6to4 around 127.0.0.1
            "https://localhost:5232/dav/",  # a name that resolves to loopback
            "https://LOCALHOST./dav/",
            "https://no-such-host.invalid/dav/",  # does not resolve: the same answer
        ],
    )
    async def test_inside_and_unresolvable_addresses_are_refused_alike(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        url: str,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.post(
            "/api/calendar/caldav", headers=headers, json={**BODY, "url": url}
        )
        body = problem(response, 422)
        assert body["errors"] == [
            {
                "field": "url",
                "rule": "public_address",
                "message": "The CalDAV address cannot be used: it does not resolve to a "
                "public server.",
            }
        ]
        assert body["detail"] == "The CalDAV address is not usable."
        assert await rows(db) == []

    async def test_replacing_with_an_inside_address_is_refused_too(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        made = await connect_caldav(client, headers, **BODY, shared=True)
        response = await client.put(
            f"/api/calendar/caldav/{made['id']}",
            headers=headers,
            json={**BODY, "url": "http://169.254.169.254/latest/meta-data/"},
        )
        assert errors(problem(response, 422)) == [("url", "public_address")]
        (row,) = await rows(db)
        assert connections.credentials(app.state.keyring, row)[0] == URL

    async def test_the_operator_allows_private_networks_by_setting(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        app.state.settings = settings.model_copy(
            update={"caldav_allowed_networks": [ip_network("10.20.0.0/16"), ip_network("::1/128")]}
        )
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        for url in ("http://10.20.30.40/dav/", "http://[::1]:5232/dav/"):
            made = await client.post(
                "/api/calendar/caldav", headers=headers, json={**BODY, "url": url}
            )
            assert made.status_code == 201, made.text
            assert made.json()["url"] == url
        for url in ("http://10.21.0.1/dav/", "http://127.0.0.1:5232/dav/"):
            refused = await client.post(
                "/api/calendar/caldav", headers=headers, json={**BODY, "url": url}
            )
            assert errors(problem(refused, 422)) == [("url", "public_address")]
        assert len(await rows(db)) == 2

    def test_the_setting_reads_cidrs_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch, database_url: str
    ) -> None:
        monkeypatch.setenv("OMBUDS_CALDAV_ALLOWED_NETWORKS", "10.20.0.0/16, fd00::/8")
        assert make_settings(database_url).caldav_allowed_networks == [
            ip_network("10.20.0.0/16"),
            ip_network("fd00::/8"),
        ]
        monkeypatch.setenv("OMBUDS_CALDAV_ALLOWED_NETWORKS", '["127.0.0.0/8"]')
        assert make_settings(database_url).caldav_allowed_networks == [ip_network("127.0.0.0/8")]
        monkeypatch.delenv("OMBUDS_CALDAV_ALLOWED_NETWORKS")
        assert make_settings(database_url).caldav_allowed_networks == []
        monkeypatch.setenv("OMBUDS_CALDAV_ALLOWED_NETWORKS", "not-a-network")
        with pytest.raises(ValidationError):
            make_settings(database_url)

    async def test_the_configured_public_address_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("OMBUDS_PUBLIC_URL", "https://ombuds.local500.example")
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        for url in ("https://ombuds.local500.example/dav/", "https://OMBUDS.local500.example:443/"):
            response = await client.post(
                "/api/calendar/caldav", headers=headers, json={**BODY, "url": url}
            )
            assert errors(problem(response, 422)) == [("url", "not_this_service")]
        other_port = {**BODY, "url": "https://ombuds.local500.example:8443/dav/"}
        allowed = await client.post("/api/calendar/caldav", headers=headers, json=other_port)
        assert allowed.status_code == 201
        assert len(await rows(db)) == 1

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"password": ""}, "password"),
            ({"username": ""}, "username"),
            ({"scope": "shared"}, "scope"),
            ({"url": "x" * 2001}, "url"),
        ],
    )
    async def test_malformed_bodies_are_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        change: dict[str, str],
        field: str,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.post("/api/calendar/caldav", headers=headers, json=BODY | change)
        assert [f for f, _ in errors(problem(response, 422))] == [field]
        assert await rows(db) == []


class TestConnectShared:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.post("/api/calendar/caldav/shared", json=BODY), 401)

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.table_officer, Role.staff_resource])
    async def test_only_administrators(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.post("/api/calendar/caldav/shared", headers=headers, json=BODY), 403)
        assert await rows(db) == []

    async def test_an_administrator_connects_a_shared_calendar(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        made = await connect_caldav(client, headers, **BODY, shared=True)
        assert made["scope"] == "shared"
        (row,) = await rows(db)
        assert row.scope is CaldavScope.shared


class TestList:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.get("/api/calendar/caldav"), 401)

    async def test_each_sees_their_own_and_administrators_the_shared_ones(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, mine = await signed_in(db, passwords, client, Role.ombudsperson)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        _, other_admin = await signed_in(db, passwords, client, Role.administrator)
        own = await connect_caldav(client, mine, **BODY)
        shared = await connect_caldav(client, admin, **BODY, shared=True)
        admins_own = await connect_caldav(client, admin, **BODY)

        async def listed(headers: dict[str, str]) -> list[str]:
            response = await client.get("/api/calendar/caldav", headers=headers)
            assert response.status_code == 200
            assert BODY["password"] not in response.text
            return [c["id"] for c in response.json()]

        assert await listed(mine) == [own["id"]]
        assert await listed(admin) == [shared["id"], admins_own["id"]]
        assert await listed(other_admin) == [shared["id"]]


class TestReplace:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.put(f"/api/calendar/caldav/{uuid.uuid4()}", json=BODY), 401)

    async def test_someone_elses_is_404_and_unchanged(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, mine = await signed_in(db, passwords, client, Role.ombudsperson)
        _, theirs = await signed_in(db, passwords, client, Role.administrator)
        made = await connect_caldav(client, mine, **BODY)
        (before,) = await rows(db)
        sealed = before.password_encrypted
        response = await client.put(
            f"/api/calendar/caldav/{made['id']}", headers=theirs, json={**BODY, "password": "x"}
        )
        problem(response, 404)
        (after,) = await rows(db)
        assert after.password_encrypted == sealed

    async def test_a_bad_address_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        made = await connect_caldav(client, headers, **BODY)
        (before,) = await rows(db)
        sealed = (before.url_encrypted, before.password_encrypted)
        response = await client.put(
            f"/api/calendar/caldav/{made['id']}",
            headers=headers,
            json={**BODY, "url": "gopher://x/", "password": "new"},
        )
        assert errors(problem(response, 422)) == [("url", "http_or_https")]
        (after,) = await rows(db)
        assert (after.url_encrypted, after.password_encrypted) == sealed

    async def test_new_credentials_reset_a_broken_connection(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        made = await connect_caldav(client, headers, **BODY)
        (row,) = await rows(db)
        row.status, row.status_message = CaldavStatus.broken, "refused"
        db.add(
            CaldavSyncedEvent(
                connection_id=row.id, deadline_id=uuid.uuid4(), sequence=0, body_hash="x"
            )
        )
        await db.commit()
        response = await client.put(
            f"/api/calendar/caldav/{made['id']}",
            headers=headers,
            json={**BODY, "password": "app-password-5678"},
        )
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["status_message"]) == ("pending", None)
        (row,) = await rows(db)
        assert connections.credentials(app.state.keyring, row)[2] == "app-password-5678"
        assert await count(db, CaldavSyncedEvent) == 0


class TestDisconnect:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.delete(f"/api/calendar/caldav/{uuid.uuid4()}"), 401)

    async def test_someone_elses_or_a_shared_one_is_404_for_non_administrators(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, mine = await signed_in(db, passwords, client, Role.ombudsperson)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        own = await connect_caldav(client, mine, **BODY)
        shared = await connect_caldav(client, admin, **BODY, shared=True)
        problem(await client.delete(f"/api/calendar/caldav/{own['id']}", headers=admin), 404)
        problem(await client.delete(f"/api/calendar/caldav/{shared['id']}", headers=mine), 404)
        assert len(await rows(db)) == 2

    async def test_removing_forgets_the_credentials_and_the_bookkeeping(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        shared = await connect_caldav(client, admin, **BODY, shared=True)
        db.add(
            CaldavSyncedEvent(
                connection_id=uuid.UUID(shared["id"]),
                deadline_id=uuid.uuid4(),
                sequence=0,
                body_hash="x",
            )
        )
        await db.commit()
        response = await client.delete(f"/api/calendar/caldav/{shared['id']}", headers=admin)
        assert response.status_code == 204
        assert await rows(db) == []
        assert await count(db, CaldavSyncedEvent) == 0
