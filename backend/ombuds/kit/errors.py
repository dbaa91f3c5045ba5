"""Domain errors and their one translation into RFC 9457 problem+json."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.params import Form
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ombuds.kit.crypto import DecryptionFailed

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


class Gone(DomainError):
    """The object existed and the caller may know it, but its content is no more (a record
    destroyed at the end of its retention period, 5.1)."""

    status, slug, title = 410, "record-destroyed", "Record destroyed"


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


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class RuleBroken(ValueError):
    """Raised by a schema's validator: names the field it is about (relative to the model
    validated) and the rule, so the 422 reads like any other field error."""

    def __init__(self, field: str | None, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message


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


def json_position(document: object, position: object) -> tuple[int, int] | None:
    """(line, column), both from 1, of a character offset into the text that was parsed."""
    if isinstance(document, bytes):
        document = document.decode("utf-8", "replace")
    if not isinstance(document, str) or not isinstance(position, int):
        return None
    before = document[:position]
    line = before.count("\n") + 1
    return line, position - (before.rfind("\n") + 1) + 1


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    # Pydantic's own messages can quote the rejected input; we report the rule, not the value.
    out = []
    for err in exc.errors():
        rule = str(err.get("type", "invalid"))
        message = str(err.get("msg", "invalid value"))
        loc = list(err.get("loc", ()))
        cause = (err.get("ctx") or {}).get("error")
        if rule == "json_invalid":
            # FastAPI reports ("body", character offset): a person wants a line and column.
            where = json_position(exc.body, loc[1] if len(loc) > 1 else None)
            reason = str(cause).lower() if isinstance(cause, str) else "not valid JSON"
            message = (
                f"invalid JSON at line {where[0]}, column {where[1]} ({reason})"
                if where is not None
                else "invalid JSON"
            )
            loc = loc[:1]
        elif isinstance(cause, RuleBroken):
            rule, message = cause.rule, cause.message
            if cause.field is not None:
                loc.append(cause.field)
        elif rule == "value_error" and isinstance(cause, ValueError):
            message = str(cause)  # without pydantic's "Value error, " prefix
        out.append(field_error(_location(loc), rule, message))
    return out


JSON_TYPES = ("application/json",)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _media_type(request: Request) -> str | None:
    value = request.headers.get("content-type")
    if value is None:
        return None
    return value.split(";", 1)[0].strip().lower()[:100]


def accepted_media_types(request: Request) -> tuple[str, ...] | None:
    """The media types the matched route reads its body in, or None if it takes no body."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None:
        return None
    return FORM_TYPES if isinstance(body_field.field_info, Form) else JSON_TYPES


def wrong_media_type(request: Request) -> UnsupportedMediaType | None:
    """A body the route cannot read as sent: text/plain or a form to a JSON route, JSON to an
    upload. No Content-Type at all is read as JSON, as FastAPI does."""
    accepted = accepted_media_types(request)
    sent = _media_type(request)
    if accepted is None or sent is None:
        return None
    if sent in accepted or (accepted == JSON_TYPES and sent.endswith("+json")):
        return None
    return UnsupportedMediaType(
        f"The body is sent as {sent}; this operation reads {' or '.join(accepted)}.",
        errors=[field_error("body", "media_type", f"send {' or '.join(accepted)}")],
    )


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
        unsupported = wrong_media_type(request)
        if unsupported is not None or any(e["rule"] == "json_invalid" for e in errors):
            refused = await refused_first(request)
            if refused is not None:
                return refused
        if unsupported is not None:
            return domain_problem(unsupported)
        broken = [e for e in errors if e["rule"] == "json_invalid"]
        if broken:
            detail = f"body: {broken[0]['message']}"
        else:
            detail = f"Invalid input in: {', '.join(sorted({e['field'] for e in errors}))}"
        return problem(422, "invalid-input", "Invalid input", detail, errors=errors)

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

    @app.exception_handler(DecryptionFailed)
    async def _undecryptable(_: Request, exc: DecryptionFailed) -> JSONResponse:
        # A key ring that is not the one the data was written under (a restore with other
        # keys): nothing is shown rather than garbage. The reason names a key id, no content.
        log.error("stored data could not be decrypted: %s", exc)
        return problem(
            500,
            "stored-data-unreadable",
            "Stored data cannot be decrypted",
            "The server's encryption keys do not decrypt the stored data "
            "(OMBUDS_ENCRYPTION_KEYS); nothing was shown or saved.",
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
