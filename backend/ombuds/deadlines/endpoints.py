from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status

from ombuds.calendars import conditional
from ombuds.deadlines import reads, service
from ombuds.deadlines.access import DeadlineReader
from ombuds.deadlines.schemas import DeadlineOut, DeadlineRule
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.errors import InvalidInput, field_error
from ombuds.kit.pagination import Cursor, PageSize, decode_cursor, encode_cursor
from ombuds.kit.schemas import IsoDatetime, Page
from ombuds.models import DeadlineStatus

router = APIRouter(prefix="/api/deadlines", tags=["deadlines"])
MAX_RANGE_DAYS = 731  # two years


def _out(deadline: Any, reference: str | None) -> DeadlineOut:
    """A deadline (an ORM `Deadline`, or a row of deadlines/reads.py) for the API."""
    return DeadlineOut(
        id=deadline.id,
        kind=deadline.kind,
        summary=service.label(deadline.kind, reference),
        reference=reference,
        due_on=deadline.due_on,
        status=deadline.status,
        tombstone=deadline.status is not DeadlineStatus.open,
        satisfied_on=deadline.satisfied_on,
        sequence=deadline.sequence,
        updated_at=deadline.updated_at,
        rule=DeadlineRule(
            basis=deadline.basis,
            trigger_on=deadline.trigger_on,
            period_days=deadline.period_days,
            period_months=deadline.period_months,
            nominal_due_on=deadline.nominal_due_on,
            moved_by=deadline.moved_by.split(", ") if deadline.moved_by else [],
            explanation=deadline.explanation,
        ),
    )


def _check_range(due_from: date | None, due_to: date | None) -> None:
    if due_from is None or due_to is None:
        return
    if due_from > due_to:
        raise InvalidInput(
            "The date range ends before it starts.",
            errors=[field_error("from", "not_after_to", "on or before to")],
        )
    if (due_to - due_from).days > MAX_RANGE_DAYS:
        raise InvalidInput(
            "The date range is too long.",
            errors=[field_error("to", "range_too_long", f"at most {MAX_RANGE_DAYS} days")],
        )


def _filters(due_from: date | None, due_to: date | None, updated_since: datetime | None) -> str:
    """The query a cursor was issued for, as a short digest bound into the cursor: a page
    of one query must not continue another (it would skip or repeat deadlines)."""
    since = updated_since.astimezone(UTC).isoformat() if updated_since is not None else ""
    text = f"{due_from or ''}|{due_to or ''}|{since}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _after(
    cursor: str | None, by_update: bool, filters: str
) -> tuple[date | datetime, uuid.UUID] | None:
    key = decode_cursor(cursor, 4)
    if key is None:
        return None
    mode, first, second, issued_for = key
    try:
        if mode != ("u" if by_update else "d"):
            raise ValueError(mode)
        start: date | datetime = (
            datetime.fromisoformat(first) if by_update else date.fromisoformat(first)
        )
        if isinstance(start, datetime) and start.tzinfo is None:
            raise ValueError(first)
        after = start, uuid.UUID(second)
    except ValueError as exc:
        raise InvalidInput(
            "The cursor is not one this service issued for this query.",
            errors=[field_error("cursor", "cursor_invalid", "pass next_cursor back unchanged")],
        ) from exc
    if issued_for != filters:
        raise InvalidInput(
            "The cursor was issued for other filters; start again without it.",
            errors=[
                field_error(
                    "cursor",
                    "cursor_filters_changed",
                    "use it with the same from, to and updated_since as the page it came from",
                )
            ],
        )
    return after


@router.get(
    "",
    response_model=Page[DeadlineOut],
    responses={
        304: {"description": "Unchanged since the ETag the client sent"},
        422: {"description": "A malformed date, cursor or range (the field is named)"},
    },
    name="list",
)
async def list_deadlines(
    db: DbSession,
    settings: AppSettings,
    actor: DeadlineReader,
    due_from: Annotated[date | None, Query(alias="from", description="Due on or after")] = None,
    due_to: Annotated[date | None, Query(alias="to", description="Due on or before")] = None,
    updated_since: Annotated[
        IsoDatetime | None,
        Query(description="Changed after this instant; tombstones included"),
    ] = None,
    cursor: Cursor = None,
    limit: PageSize = 100,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    """The caller's deadlines (integrations: all of them, by reference), keyset-paged."""
    _check_range(due_from, due_to)
    filters = _filters(due_from, due_to, updated_since)
    after = _after(cursor, updated_since is not None, filters)
    rows = await reads.page(
        db,
        actor,
        due_from=due_from,
        due_to=due_to,
        updated_since=updated_since,
        after=after,
        limit=limit,
    )
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        if updated_since is None:
            next_cursor = encode_cursor("d", last.due_on.isoformat(), last.id, filters)
        else:
            next_cursor = encode_cursor("u", last.updated_at.isoformat(), last.id, filters)
    page = Page[DeadlineOut](items=[_out(r, r.reference) for r in rows], next_cursor=next_cursor)
    body = page.model_dump_json().encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and conditional.etag_matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)
