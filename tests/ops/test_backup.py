"""`ombuds backup` and `ombuds restore`: a round trip restores every complaint readable and
the audit chain intact; the keys are never in a backup, and a backup restored with other
keys decrypts nothing and fails the chain's check at its first entry."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, select

from ombuds.main import create_app
from ombuds.models import AuditEntry, Role
from ombuds.settings import Settings
from tests.factories.accounts import login, make_user
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit
from tests.factories.procedure import choose_route
from tests.ops import support
from tests.support.postgres import PostgresServer

NAMES = ("Avery Witness", "Blake Witness", "Casey Witness")


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    async with LifespanManager(app, shutdown_timeout=15):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield app, c


async def seed(database_url: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """Complaints taken in through the API (one a step further); returns the handling
    ombudsperson's username and each complaint's detail as the API showed it."""
    async with serving(support.settings(database_url)) as (app, client):
        async with app.state.sessionmaker() as db:
            unit = await make_unit(db)
            members = [await make_member(db, unit) for _ in range(4)]
            user = await make_user(db, app.state.passwords, Role.ombudsperson)
        headers = await login(client, user.username)
        details = {}
        for n, name in enumerate(NAMES):
            body = complaint_body(
                members[n], members[n + 1], witnesses=[{"full_name": name, "contact": "555-0100"}]
            )
            detail, etag = await file_complaint(client, headers, body)
            if n == 0:
                await choose_route(client, headers, detail, etag)
            response = await client.get(f"/api/complaints/{detail['id']}", headers=headers)
            assert response.status_code == 200
            details[detail["id"]] = response.json()
    return user.username, details


def new_database(server: PostgresServer, name: str) -> str:
    server.psql(f"CREATE DATABASE {name}")
    return server.url(name)


def backup(database_url: str, path: Path) -> subprocess.CompletedProcess[str]:
    done = support.ombuds(support.environment(database_url), "backup", str(path))
    assert done.returncode == 0, done.stderr
    assert path.read_bytes()[:5] == b"PGDMP"  # PostgreSQL's custom format
    return done


def as_sql(server: PostgresServer, path: Path) -> str:
    done = subprocess.run(
        [str(server.bin_dir / "pg_restore"), "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.clause("5.1")
class TestRoundTrip:
    async def test_every_complaint_is_readable_as_before_and_the_chain_verifies(
        self, ops_database: str, ops_server: PostgresServer, tmp_path: Path
    ) -> None:
        username, details = await seed(ops_database)
        path = tmp_path / "ombuds.backup"
        made = backup(ops_database, path)
        assert made.stdout.startswith(f"backup written: {path} (")
        assert "audit chain end: position " in made.stdout
        assert f"data keys written: {path}.keys (" in made.stdout
        assert (tmp_path / "ombuds.backup.keys").read_bytes()[:5] == b"PGDMP"

        # The backup holds the database only: no key, and no name in the clear.
        dumped = as_sql(ops_server, path)
        assert "CREATE TABLE public.complaints" in dumped
        raw_key = base64.b64decode(support.RING["k1"])
        for secret in (support.RING["k1"], support.AUDIT_KEY, support.SECRET, raw_key.hex()):
            assert secret not in dumped
        for name in NAMES:
            assert name not in dumped

        target = new_database(ops_server, "restored_round_trip")
        restored = support.ombuds(support.environment(target), "restore", str(path))
        assert restored.returncode == 0, restored.stderr
        assert restored.stdout.splitlines()[0] == f"restored {path}"
        assert "audit chain intact: " in restored.stdout
        assert "encryption keys: values under k1 decrypt" in restored.stdout

        async with serving(support.settings(target)) as (_, client):
            headers = await login(client, username)
            for complaint_id, before in details.items():
                response = await client.get(f"/api/complaints/{complaint_id}", headers=headers)
                assert response.status_code == 200, response.text
                assert response.json() == before
            listed = await client.get("/api/complaints", headers=headers)
            assert sorted(c["id"] for c in listed.json()["items"]) == sorted(details)
        verified = support.ombuds(support.environment(target), "verify-audit")
        assert verified.returncode == 0, verified.stderr
        assert verified.stdout.startswith("audit chain intact: ")


@pytest.mark.clause("5.1")
class TestWithoutTheKeyStore:
    async def test_a_restore_without_the_keys_file_says_the_data_keys_are_missing(
        self, ops_database: str, ops_server: PostgresServer, tmp_path: Path
    ) -> None:
        username, details = await seed(ops_database)
        path = tmp_path / "ombuds.backup"
        backup(ops_database, path)
        (tmp_path / "ombuds.backup.keys").unlink()
        target = new_database(ops_server, "restored_without_keys")
        restored = support.ombuds(support.environment(target), "restore", str(path))
        assert restored.returncode == 1
        assert "data keys: " in restored.stderr
        assert "have no data key in the key store" in restored.stderr
        async with serving(support.settings(target)) as (_, client):
            headers = await login(client, username)
            for complaint_id in details:
                response = await client.get(f"/api/complaints/{complaint_id}", headers=headers)
                assert response.status_code == 500
                assert response.json()["type"].endswith("/stored-data-unreadable")
                assert not any(name in response.text for name in NAMES)


class TestRefusals:
    async def test_a_database_that_is_not_empty_is_refused(
        self, ops_database: str, tmp_path: Path
    ) -> None:
        await seed(ops_database)
        path = tmp_path / "ombuds.backup"
        backup(ops_database, path)
        refused = support.ombuds(support.environment(ops_database), "restore", str(path))
        assert refused.returncode == 2
        assert refused.stderr.startswith("ombuds: restore refused: the database is not empty")

    async def test_a_backup_never_overwrites_a_file(
        self, ops_database: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "ombuds.backup"
        path.write_bytes(b"an earlier backup")
        refused = support.ombuds(support.environment(ops_database), "backup", str(path))
        assert refused.returncode == 2
        assert "exists; a backup never overwrites a file" in refused.stderr
        assert path.read_bytes() == b"an earlier backup"


OTHER_KEY = base64.b64encode(bytes(range(100, 132))).decode()


@pytest.mark.clause("5.1")
class TestOtherKeys:
    @pytest.mark.parametrize(
        ("ring", "active", "reason"),
        [
            ({"k1": OTHER_KEY}, "k1", "the ciphertext does not belong here or was altered"),
            ({"k2": OTHER_KEY}, "k2", "no key 'k1' in the ring"),
        ],
        ids=["another key under the same id", "a ring without the backup's key"],
    )
    async def test_nothing_decrypts_and_the_chain_fails_at_its_first_entry(
        self,
        ops_database: str,
        ops_server: PostgresServer,
        tmp_path: Path,
        ring: dict[str, str],
        active: str,
        reason: str,
    ) -> None:
        username, details = await seed(ops_database)
        async with serving(support.settings(ops_database)) as (app, _):
            async with app.state.sessionmaker() as db:
                first = await db.scalar(select(func.min(AuditEntry.seq)))
        path = tmp_path / "ombuds.backup"
        backup(ops_database, path)
        target = new_database(ops_server, f"restored_other_{active}_{len(reason)}")
        other_audit_key = "another-audit-key-that-is-at-least-32-bytes-0123"
        env = support.environment(target, ring=ring, active=active, audit=other_audit_key)

        restored = support.ombuds(env, "restore", str(path))
        assert restored.returncode == 1
        assert f"audit chain BROKEN at entry {first}: its content was changed" in restored.stderr
        assert f"encryption key 'k1': {reason}; nothing encrypted under it" in restored.stderr
        verified = support.ombuds(env, "verify-audit")
        assert verified.returncode == 1
        assert verified.stderr.startswith(f"audit chain BROKEN at entry {first}: ")

        other = support.settings(target, ring=ring, active=active, audit=other_audit_key)
        async with serving(other) as (_, client):
            headers = await login(client, username)
            for complaint_id in details:
                response = await client.get(f"/api/complaints/{complaint_id}", headers=headers)
                assert response.status_code == 500
                assert response.headers["content-type"] == "application/problem+json"
                problem = response.json()
                assert problem["type"].endswith("/stored-data-unreadable")
                assert not any(name in response.text for name in NAMES)

        # The right keys read the same restored data.
        async with serving(support.settings(target)) as (_, client):
            headers = await login(client, username)
            for complaint_id, before in details.items():
                response = await client.get(f"/api/complaints/{complaint_id}", headers=headers)
                assert response.json()["people"] == before["people"]


@pytest.mark.clause("5.1")
class TestServedWithOtherKeys:
    async def test_a_read_under_a_ring_without_the_data_key_shows_nothing(
        self, database_url: str
    ) -> None:
        username, details = await seed(database_url)
        other = support.settings(database_url, ring={"k2": OTHER_KEY}, active="k2")
        async with serving(other) as (_, client):
            headers = await login(client, username)
            for complaint_id in details:
                response = await client.get(f"/api/complaints/{complaint_id}", headers=headers)
                assert response.status_code == 500
                assert response.json() == {
                    "type": "https://ombuds.example/problems/stored-data-unreadable",
                    "title": "Stored data cannot be decrypted",
                    "status": 500,
                    "detail": "The server's encryption keys do not decrypt the stored data "
                    "(OMBUDS_ENCRYPTION_KEYS); nothing was shown or saved.",
                }


class TestSqlite:
    def test_backup_and_restore_refuse_sqlite_and_say_what_to_do(self, tmp_path: Path) -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'ombuds.sqlite3'}"
        for command in ("backup", "restore"):
            done = support.ombuds(support.environment(url), command, str(tmp_path / "b"))
            assert done.returncode == 2
            assert done.stderr.strip() == (
                f"ombuds: {command} refused: backup and restore work on PostgreSQL (pg_dump); "
                "for SQLite, stop the service and copy the database file and its key store "
                "(the -keys file beside it)"
            )
