"""Every denial is audited (5.1): who was refused what, never with any content.

The request's own transaction is rolled back when it is refused, so the entry is written
in a transaction of its own."""

from __future__ import annotations

import uuid
from typing import cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.audit import service
from ombuds.auth.principal import ANONYMOUS, Principal
from ombuds.kit.db import session_scope
from ombuds.kit.errors import DomainError, Forbidden, NotFound, Unauthenticated, domain_problem
from ombuds.models import Outcome

ID_PARAMS = ("complaint_id", "user_id", "member_id", "account_id", "consultation_id")


def _denied_object(request: Request) -> tuple[str, str | None]:
    route = request.scope.get("route")
    template = route.path if isinstance(route, APIRoute) else "unmatched"
    params = request.path_params
    raw = next((str(params[p]) for p in ID_PARAMS if p in params), None)
    # Only a well-formed id is kept: anything else a caller typed there may be a name.
    object_id = str(uuid.UUID(raw)) if raw and _is_uuid(raw) else None
    return f"{request.method} {template}"[:80], object_id


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _audited(request: Request, exc: DomainError) -> JSONResponse:
    principal = cast(Principal, getattr(request.state, "principal", ANONYMOUS))
    action, object_id = _denied_object(request)
    factory = cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)
    async for db in session_scope(factory):
        await service.record(db, principal, action, "route", object_id, Outcome.denied)
    return domain_problem(exc)


def install(app: FastAPI) -> None:
    for denial in (Unauthenticated, Forbidden, NotFound):
        app.add_exception_handler(denial, _audited)  # type: ignore[arg-type]
