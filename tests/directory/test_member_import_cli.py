"""`ombuds import-members FILE [--dry-run]`, run in a subprocess as an operator would."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import AuditEntry, Member, Unit
from tests.directory.support import GOOD_FILE, GOOD_MEMBERS, HEADER, count, members_by_number


class TestImportMembersCommand:
    """`ombuds import-members FILE [--dry-run]`, run as the operator would run it."""

    @staticmethod
    async def _run(database_url: str, *args: str) -> tuple[int, str, str]:
        env = {**os.environ, "OMBUDS_DATABASE_URL": database_url, "OMBUDS_ENV": "test"}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ombuds.cli",
            "import-members",
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def test_good_file_exits_0_with_summary_and_progress(
        self,
        database_url: str,
        db: AsyncSession,
        units: tuple[Unit, Unit],
        tmp_path: Path,
    ) -> None:
        path = tmp_path / "members.csv"
        path.write_text(GOOD_FILE, encoding="utf-8")
        code, out, err = await self._run(database_url, str(path))
        assert code == 0, err
        assert out == "rows 3: created 3, updated 0, unchanged 0, rejected 0\n"
        assert "members" in err
        assert "100%" in err
        assert "3/3" in err
        assert await members_by_number(db) == GOOD_MEMBERS
        audit = await db.scalar(
            select(AuditEntry.actor_kind).where(AuditEntry.action == "members.import")
        )
        assert audit == "anonymous"

    async def test_rejected_rows_exit_1_and_are_listed(
        self,
        database_url: str,
        db: AsyncSession,
        units: tuple[Unit, Unit],
        tmp_path: Path,
    ) -> None:
        path = tmp_path / "members.csv"
        path.write_text(
            HEADER
            + "7001,Ada Lovelace,U1,\n"  # 2
            + "7002,Zebediah Quillfeather,NOPE,\n"  # 3
            + "7001,Ada Again,U2,\n"  # 4
            + "7003,Grace Hopper,U2,gh@@example\n",  # 5
            encoding="utf-8",
        )
        code, out, err = await self._run(database_url, str(path))
        assert code == 1, err
        assert out.splitlines() == [
            "rows 4: created 1, updated 0, unchanged 0, rejected 3",
            "  line 3: unit_code: no Unit with this code",
            "  line 4: member_number: repeats line 2",
            "  line 5: email: not a valid email address",
        ]
        assert "Zebediah" not in out + err
        assert "members" in err
        assert "100%" in err
        assert await members_by_number(db) == {"7001": ("Ada Lovelace", "U1", None)}

    async def test_dry_run_exits_0_and_saves_nothing(
        self,
        database_url: str,
        db: AsyncSession,
        units: tuple[Unit, Unit],
        tmp_path: Path,
    ) -> None:
        path = tmp_path / "members.csv"
        path.write_text(GOOD_FILE, encoding="utf-8")
        code, out, err = await self._run(database_url, str(path), "--dry-run")
        assert code == 0, err
        assert out == (
            "rows 3: created 3, updated 0, unchanged 0, rejected 0 (dry run: nothing saved)\n"
        )
        assert await count(db, Member) == 0
        assert await count(db, AuditEntry) == 0

    async def test_file_refused_for_its_header_exits_2_and_changes_nothing(
        self,
        database_url: str,
        db: AsyncSession,
        units: tuple[Unit, Unit],
        tmp_path: Path,
    ) -> None:
        first, _ = units
        db.add(Member(member_number="8001", full_name="Ada Lovelace", unit_id=first.id))
        await db.commit()
        path = tmp_path / "members.csv"
        path.write_text(
            "member_number,full_name,unit,email\n8001,Ada Renamed,U2,\n8002,Grace Hopper,U1,\n",
            encoding="utf-8",
        )
        code, out, err = await self._run(database_url, str(path))
        assert code == 2
        assert out == ""
        assert err.startswith("ombuds: file refused, nothing changed: Bad header (")
        assert "missing column(s): unit_code" in err
        assert "Ada" not in err
        assert await members_by_number(db) == {"8001": ("Ada Lovelace", "U1", None)}
        assert await count(db, AuditEntry) == 0
