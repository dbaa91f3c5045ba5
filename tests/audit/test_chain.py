"""5.1: the audit log cannot be rewritten unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit.chain import GENESIS, verify
from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Role
from ombuds.settings import Settings, audit_key
from tests.audit.support import bypass_append_only, seal_everything
from tests.factories.accounts import signed_in


async def _activity(client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords) -> None:
    """A sign-in and three changes, all of them sealed into the chain."""
    _, headers = await signed_in(db, passwords, client, Role.administrator)
    for code in ("A1", "A2", "A3"):
        response = await client.post(
            "/api/units", json={"code": code, "name": code}, headers=headers
        )
        assert response.status_code == 201
    await seal_everything(db)


async def _seqs(db: AsyncSession) -> list[int]:
    return list((await db.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq))).all())


async def _bypass_append_only(db: AsyncSession, sql: str, **params: object) -> None:
    await bypass_append_only(db, (sql, params))


@pytest.mark.clause("5.1")
class TestVerify:
    async def test_an_untouched_chain_is_intact(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        await _activity(client, db, passwords)
        verdict = await verify(db, audit_key(settings))
        assert verdict.intact
        assert verdict.checked == len(await _seqs(db)) >= 4
        first = await db.scalar(select(AuditEntry).order_by(AuditEntry.seq).limit(1))
        assert first is not None and first.prev_hash == GENESIS

    async def test_an_edited_row_is_named(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        await _activity(client, db, passwords)
        seqs = await _seqs(db)
        target = seqs[2]
        await _bypass_append_only(
            db, "UPDATE audit_entries SET action = 'units.read' WHERE seq = :s", s=target
        )
        verdict = await verify(db, audit_key(settings))
        assert verdict.first_broken_seq == target
        assert verdict.reason == "its content was changed"
        assert verdict.checked == 2

    async def test_a_deleted_row_breaks_the_next_link(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        await _activity(client, db, passwords)
        seqs = await _seqs(db)
        await _bypass_append_only(db, "DELETE FROM audit_entries WHERE seq = :s", s=seqs[1])
        verdict = await verify(db, audit_key(settings))
        assert verdict.first_broken_seq == seqs[2]
        assert "link" in (verdict.reason or "")

    async def test_a_chain_recomputed_without_the_key_is_caught(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        await _activity(client, db, passwords)
        last = (await _seqs(db))[-1]
        # An attacker who edits the row and "fixes" its hash with a guessed key.
        await _bypass_append_only(
            db,
            "UPDATE audit_entries SET outcome = 'denied', entry_hash = :h WHERE seq = :s",
            h="f" * 64,
            s=last,
        )
        verdict = await verify(db, audit_key(settings))
        assert verdict.first_broken_seq == last


class TestCommand:
    async def test_the_command_reports_the_first_broken_entry(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        database_url: str,
    ) -> None:
        await _activity(client, db, passwords)
        env = {
            **os.environ,
            "OMBUDS_DATABASE_URL": database_url,
            "OMBUDS_ENV": "test",
            "OMBUDS_SECRET_KEY": "test-secret-that-is-long-enough-for-hs256-0123456789",
        }
        ok = subprocess.run(
            [sys.executable, "-m", "ombuds.cli", "verify-audit"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ok.returncode == 0, ok.stderr
        assert "audit chain intact" in ok.stdout
        target = (await _seqs(db))[1]
        await _bypass_append_only(
            db, "UPDATE audit_entries SET object_id = 'x' WHERE seq = :s", s=target
        )
        broken = subprocess.run(
            [sys.executable, "-m", "ombuds.cli", "verify-audit"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert broken.returncode == 1
        assert f"BROKEN at entry {target}" in broken.stderr

    async def test_seal_audit_seals_what_is_committed_and_verify_reports_the_end(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        database_url: str,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units", json={"code": "S1", "name": "S1"}, headers=headers
        )
        assert response.status_code == 201
        written = len(await _seqs(db))
        env = {
            **os.environ,
            "OMBUDS_DATABASE_URL": database_url,
            "OMBUDS_ENV": "test",
            "OMBUDS_SECRET_KEY": "test-secret-that-is-long-enough-for-hs256-0123456789",
        }

        def ombuds(command: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "ombuds.cli", command],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        before = ombuds("verify-audit")
        assert f"{written} entries checked (0 sealed, {written} awaiting the sealer)" in (
            before.stdout
        )
        sealed = ombuds("seal-audit")
        assert sealed.stdout.strip() == f"audit entries sealed: {written}"
        end = await db.scalar(select(AuditEntry.entry_hash).where(AuditEntry.chain_pos == written))
        after = ombuds("verify-audit")
        assert after.returncode == 0, after.stderr
        assert f"({written} sealed, 0 awaiting the sealer)" in after.stdout
        assert f"chain end: position {written}, {end}" in after.stdout
