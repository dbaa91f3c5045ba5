"""CSV import of the member list: per-row report, or the whole file refused.

A file whose *structure* is wrong (not UTF-8, no rows, a missing, unknown or repeated
column) changes nothing. Otherwise each good row creates or updates a member keyed by its
member number, and each bad row is reported by line number and reason. Reasons name the
field and the rule, never the rejected value (it may be a name)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.kit.errors import InvalidInput, field_error
from ombuds.models import Member, Unit

REQUIRED_COLUMNS = ("member_number", "full_name", "unit_code")
OPTIONAL_COLUMNS = ("email",)
MAX_ROWS = 200_000
MEMBER_NUMBER_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass
class Rejection:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    dry_run: bool = False


def _structure_error(detail: str, rule: str) -> InvalidInput:
    return InvalidInput(detail, errors=[field_error("file", rule, detail)])


def parse(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Check the structure and return (columns, [(line number, row)])."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _structure_error("The file is not UTF-8 text.", "encoding") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration as exc:
        raise _structure_error("The file is empty.", "header") from exc
    except csv.Error as exc:
        raise _structure_error("The header line is not valid CSV.", "header") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    repeated = [str(i + 1) for i, c in enumerate(header) if header.count(c) > 1]
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        # Positions, not names: a file without its header line would show a member's data.
        positions = [str(i + 1) for i, c in enumerate(header) if c in unknown]
        problems.append(f"{len(unknown)} unknown column(s) at position(s) {', '.join(positions)}")
    if repeated:
        problems.append("repeated column(s) at position(s) " + ", ".join(repeated))
    if problems:
        expected = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        raise _structure_error(
            f"Bad header ({'; '.join(problems)}); expected {expected}.", "header"
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        while True:
            first_line = reader.line_num + 1  # a quoted field may span lines: report the first
            try:
                values = next(reader)
            except StopIteration:
                break
            if len(rows) >= MAX_ROWS:
                raise _structure_error(f"More than {MAX_ROWS} rows; split the file.", "size")
            if not any(v.strip() for v in values):
                continue
            rows.append(
                (
                    first_line,
                    {
                        h: (values[i].strip() if i < len(values) else "")
                        for i, h in enumerate(header)
                    }
                    | ({"__extra__": "1"} if len(values) > len(header) else {}),
                )
            )
    except csv.Error as exc:
        raise _structure_error(f"Line {reader.line_num} is not valid CSV.", "csv") from exc
    if not rows:
        raise _structure_error("The file has a header but no rows.", "rows")
    return header, rows


def _check_row(row: dict[str, str], units: dict[str, Unit]) -> Rejection | None:
    if "__extra__" in row:
        return Rejection(0, "row", "more values than columns")
    number = row["member_number"]
    if not number:
        return Rejection(0, "member_number", "required")
    if len(number) > 32 or not set(number) <= MEMBER_NUMBER_CHARS:
        return Rejection(0, "member_number", "letters, digits and '-' only, at most 32")
    if not row["full_name"]:
        return Rejection(0, "full_name", "required")
    if len(row["full_name"]) > 200:
        return Rejection(0, "full_name", "at most 200 characters")
    if row["unit_code"] not in units:
        return Rejection(0, "unit_code", "no Unit with this code")
    email = row.get("email", "")
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            return Rejection(0, "email", "not a valid email address")
    return None


async def import_members(
    db: AsyncSession,
    actor: Principal | None,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Callable[[Iterable[tuple[int, dict[str, str]]]], Iterable[tuple[int, dict[str, str]]]]
    | None = None,
) -> ImportReport:
    _, rows = parse(data)
    units = {u.code: u for u in (await db.scalars(select(Unit))).all()}
    existing = {m.member_number: m for m in (await db.scalars(select(Member))).all()}
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    seen: dict[str, int] = {}
    for line, row in (progress or (lambda r: r))(rows):
        rejection = _check_row(row, units)
        number = row.get("member_number", "")
        if rejection is None and number in seen:
            rejection = Rejection(0, "member_number", f"repeats line {seen[number]}")
        if rejection is not None:
            rejection.line = line
            report.rejected.append(rejection)
            continue
        seen[number] = line
        values = {
            "full_name": row["full_name"],
            "unit_id": units[row["unit_code"]].id,
            "email": row.get("email") or None,
        }
        member = existing.get(number)
        if member is None:
            report.created += 1
            if not dry_run:
                db.add(Member(member_number=number, **values))
        elif all(getattr(member, k) == v for k, v in values.items()):
            report.unchanged += 1
        else:
            report.updated += 1
            if not dry_run:
                for k, v in values.items():
                    setattr(member, k, v)
    if not dry_run:
        await db.flush()
        await audit.record(db, actor, "members.import", "member_import", None)
    return report
