"""Domain errors and their one translation into RFC 9457 problem+json."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://ombuds.example/problems/"
log = logging.getLogger("ombuds.errors")


class DomainError(Exception):
    """Raised by services; never carries names or circumstances in its text."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, str]] = (),
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers
        self.extra = extra


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Unauthenticated(DomainError):
    status, slug, title = 401, "unauthenticated", "Authentication required"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Not allowed"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class StageNotAllowed(Conflict):
    slug, title = "stage-not-allowed", "Not allowed at this stage"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "stale-version", "Changed by someone else"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "version-required", "If-Match required"


class InvalidInput(DomainError):
    status, slug, title = 422, "invalid-input", "Invalid input"


class PayloadTooLarge(DomainError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class TooManyRequests(DomainError):
    status, slug, title = 429, "too-many-requests", "Too many attempts"


def field_error(field: str, rule: str, message: str) -> dict[str, str]:
    return {"field": field, "rule": rule, "message": message}


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    errors: Sequence[dict[str, str]] = (),
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = list(errors)
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: Sequence[int | str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(parts) or "body"


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    # Pydantic's own messages can quote the rejected input; we report the rule, not the value.
    out = []
    for err in exc.errors():
        rule = str(err.get("type", "invalid"))
        message = str(err.get("msg", "invalid value"))
        if rule == "json_invalid":
            message = "the body is not valid JSON"
        out.append(field_error(_location(err.get("loc", ())), rule, message))
    return out


# What FastAPI answers (400) for a body it could not read: not UTF-8, broken multipart...
UNREADABLE_BODY = {"There was an error parsing the body", "Invalid multipart data."}

# Refuses, before a body that cannot be read is reported, a caller the route would refuse
# anyway (FastAPI reads the body before the route's access rule runs).
CallerCheck = Callable[[Request], Awaitable["DomainError | None"]]


def domain_problem(exc: DomainError) -> JSONResponse:
    """The problem+json answer for a domain error."""
    return problem(
        exc.status,
        exc.slug,
        exc.title,
        exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extra,
    )


def install_error_handlers(app: FastAPI, *, caller_check: CallerCheck | None = None) -> None:
    async def refused_first(request: Request) -> JSONResponse | None:
        refusal = await caller_check(request) if caller_check is not None else None
        if refusal is None:
            return None
        # Answered by the handler registered for the refusal, as if the route had raised it
        # (denials are audited there, audit/denials.py).
        for kind in type(refusal).__mro__:
            handler = app.exception_handlers.get(kind)
            if handler is not None:
                response = handler(request, refusal)
                if inspect.isawaitable(response):
                    response = await response
                return cast(JSONResponse, response)
        return domain_problem(refusal)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        if any(e["rule"] == "json_invalid" for e in errors):
            refused = await refused_first(request)
            if refused is not None:
                return refused
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem(
            422, "invalid-input", "Invalid input", f"Invalid input in: {fields}", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail in UNREADABLE_BODY:
            return await refused_first(request) or problem(
                422,
                "invalid-input",
                "Invalid input",
                "The request body could not be read as its content type says.",
                errors=[field_error("body", "body_unreadable", "not readable as declared")],
            )
        phrase = HTTPStatus(exc.status_code).phrase
        slug = phrase.lower().replace(" ", "-")
        detail = exc.detail if isinstance(exc.detail, str) else phrase
        return problem(
            exc.status_code,
            slug,
            phrase,
            detail,
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, exc: StaleDataError) -> JSONResponse:
        # Two changes raced on the same versioned row: the later one lost.
        return problem(
            412,
            "stale-version",
            "Changed by someone else",
            "Someone else changed this at the same moment; reload and reapply.",
        )

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        # The exception type only: messages can carry SQL parameters, hence names.
        log.error("unhandled error: %s", type(exc).__name__)
        return problem(
            500,
            "internal-error",
            "Internal error",
            "The server could not complete the request; nothing was saved.",
        )
