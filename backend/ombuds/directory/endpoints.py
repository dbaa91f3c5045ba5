from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, cast

from fastapi import APIRouter, Form, Query, Request, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from ombuds.directory import member_import, service
from ombuds.directory.access import DirectoryAdministrator, DirectoryReader, RosterReader
from ombuds.directory.schemas import (
    MemberCreate,
    MemberImportReport,
    MemberOut,
    MemberUpdate,
    SeatOut,
    SeatTermCreate,
    SeatTermEnd,
    SeatTermOut,
    TrainingCreate,
    TrainingOut,
    UnitCreate,
    UnitOut,
)
from ombuds.kit.apidoc import CONFLICT
from ombuds.kit.deps import DbSession
from ombuds.kit.errors import PayloadTooLarge
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import Page
from ombuds.models import SeatTerm, User
from ombuds.settings import Settings

units = APIRouter(prefix="/api/units", tags=["units"])
members = APIRouter(prefix="/api/members", tags=["members"])
roster = APIRouter(prefix="/api/roster", tags=["roster"])


@units.get("", response_model=list[UnitOut], name="list")
async def list_units(db: DbSession, _: RosterReader) -> list[UnitOut]:
    """List the Units and the affiliates group."""
    return [UnitOut.model_validate(u) for u in await service.list_units(db)]


@units.post(
    "",
    response_model=UnitOut,
    status_code=status.HTTP_201_CREATED,
    name="create",
    responses=CONFLICT,
)
async def create_unit(db: DbSession, actor: DirectoryAdministrator, body: UnitCreate) -> UnitOut:
    """Create a Unit (or the affiliates group) and its ombudsperson seat."""
    unit = await service.create_unit(
        db, actor, code=body.code, name=body.name, is_affiliates=body.is_affiliates
    )
    return UnitOut.model_validate(unit)


@members.get("", response_model=Page[MemberOut])
async def search(
    db: DbSession,
    _: DirectoryReader,
    q: Annotated[str | None, Query(max_length=100, description="Name or number prefix")] = None,
    unit_id: uuid.UUID | None = None,
    cursor: Cursor = None,
    limit: PageSize = 50,
) -> Page[MemberOut]:
    """Search the member directory by name or member number."""
    rows = await service.search_members(db, query=q, unit_id=unit_id, cursor=cursor, limit=limit)
    nxt = encode_cursor(rows[-1].full_name, rows[-1].id) if len(rows) == limit else None
    return Page(items=[MemberOut.model_validate(m) for m in rows], next_cursor=nxt)


@members.post(
    "",
    response_model=MemberOut,
    status_code=status.HTTP_201_CREATED,
    name="create",
    responses=CONFLICT,
)
async def create_member(
    db: DbSession, actor: DirectoryAdministrator, body: MemberCreate
) -> MemberOut:
    """Add a member to the directory."""
    member = await service.create_member(
        db,
        actor,
        member_number=body.member_number,
        full_name=body.full_name,
        unit_id=body.unit_id,
        email=body.email,
    )
    return MemberOut.model_validate(member)


@members.get("/{member_id}", response_model=MemberOut, name="get")
async def get_member(db: DbSession, _: DirectoryReader, member_id: uuid.UUID) -> MemberOut:
    """One member of the directory."""
    return MemberOut.model_validate(await service.get_member(db, member_id))


@members.patch("/{member_id}", response_model=MemberOut, name="update")
async def update_member(
    db: DbSession, actor: DirectoryAdministrator, member_id: uuid.UUID, body: MemberUpdate
) -> MemberOut:
    """Change a member's name, Unit or email."""
    changes = body.model_dump(exclude_unset=True)
    return MemberOut.model_validate(await service.update_member(db, actor, member_id, changes))


class MemberFile(BaseModel):
    """Multipart form: unknown fields are refused, as in every input."""

    model_config = ConfigDict(extra="forbid")

    file: UploadFile = Field(description="CSV: member_number,full_name,unit_code,email")


@members.post("/import", response_model=MemberImportReport, name="import")
async def import_members(
    request: Request,
    db: DbSession,
    actor: DirectoryAdministrator,
    upload: Annotated[MemberFile, Form()],
    dry_run: bool = False,
) -> MemberImportReport:
    """Import the member list from CSV: a report per row, or the whole file refused."""
    limit = cast(Settings, request.app.state.settings).max_upload_bytes
    data = await upload.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is larger than {limit} bytes.")
    report = await member_import.import_members(db, actor, data, dry_run=dry_run)
    return MemberImportReport.model_validate(asdict(report))


def _term_out(term: SeatTerm, user: User) -> SeatTermOut:
    return SeatTermOut(
        id=term.id,
        seat_id=term.seat_id,
        user_id=user.id,
        display_name=user.display_name,
        starts_on=term.starts_on,
        ends_on=term.ends_on,
    )


@roster.get("", response_model=list[SeatOut], name="get")
async def get_roster(db: DbSession, _: RosterReader) -> list[SeatOut]:
    """The ombudsperson roster: one seat per Unit and the affiliates, vacant or held (3.1)."""
    return [
        SeatOut(
            id=v.seat.id,
            unit=UnitOut.model_validate(v.unit),
            vacant=v.term is None,
            current_term=_term_out(v.term, v.holder) if v.term and v.holder else None,
            training=[TrainingOut.model_validate(t) for t in v.training],
        )
        for v in await service.roster(db)
    ]


@roster.post(
    "/seats/{seat_id}/terms",
    response_model=SeatTermOut,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
)
async def add_term(
    db: DbSession, actor: DirectoryAdministrator, seat_id: uuid.UUID, body: SeatTermCreate
) -> SeatTermOut:
    """Seat an ombudsperson for a term."""
    term, user = await service.add_term(
        db, actor, seat_id, user_id=body.user_id, starts_on=body.starts_on, ends_on=body.ends_on
    )
    return _term_out(term, user)


@roster.post("/terms/{term_id}/end", response_model=SeatTermOut, responses=CONFLICT)
async def end_term(
    db: DbSession, actor: DirectoryAdministrator, term_id: uuid.UUID, body: SeatTermEnd
) -> SeatTermOut:
    """End a term on a date; the seat is vacant after it unless another term starts."""
    term, user = await service.end_term(db, actor, term_id, body.ends_on)
    return _term_out(term, user)


@roster.get("/ombudspersons/{user_id}/training", response_model=list[TrainingOut])
async def list_training(db: DbSession, _: RosterReader, user_id: uuid.UUID) -> list[TrainingOut]:
    """An ombudsperson's training records (3.1)."""
    return [TrainingOut.model_validate(t) for t in await service.list_training(db, user_id)]


@roster.post(
    "/ombudspersons/{user_id}/training",
    response_model=TrainingOut,
    status_code=status.HTTP_201_CREATED,
)
async def add_training(
    db: DbSession, actor: DirectoryAdministrator, user_id: uuid.UUID, body: TrainingCreate
) -> TrainingOut:
    """Record comprehensive or ongoing training for an ombudsperson (3.1)."""
    record = await service.add_training(db, actor, user_id, body.kind, body.completed_on)
    return TrainingOut.model_validate(record)
