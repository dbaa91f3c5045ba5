"""ASGI middleware: body size limits, allowed methods, security headers on every
response, and a read retried once when the database connection was lost."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, compile_path

from ombuds.kit.db import connection_lost
from ombuds.kit.errors import PROBLEM_BASE, PROBLEM_JSON

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("ombuds.db")

API_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
PAGE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
    ),
]


class SecurityHeaders:
    """Confidential data is never cached; pages may not be framed or sniffed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = API_HEADERS if scope["path"].startswith("/api") else PAGE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AllowedMethods:
    """405 for a method no route of the path allows, with every allowed method in `Allow`.

    Of the route templates a path matches, the most literal wins (fewest parameters):
    `/api/members/import` is that path, not a `/api/members/{member_id}` whose id fails to
    parse. Starlette alone would hand `PATCH /api/members/import` to the id route (a 422),
    and list in `Allow` only the methods of the first route it met for the path."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes
        self._templates: list[tuple[re.Pattern[str], int, frozenset[str]]] | None = None

    def templates(self) -> list[tuple[re.Pattern[str], int, frozenset[str]]]:
        # Built on first use: routes are all in place once the application serves.
        if self._templates is None:
            by_path: dict[str, set[str]] = {}
            for context in iter_route_contexts(self.routes):
                if context.path and context.methods:
                    by_path.setdefault(context.path, set()).update(context.methods)
            self._templates = []
            for path, methods in by_path.items():
                regex, _, convertors = compile_path(path)
                self._templates.append((regex, len(convertors), frozenset(methods)))
        return self._templates

    def allowed(self, path: str) -> frozenset[str] | None:
        """The methods the path's most literal templates allow; None if no route matches."""
        matched = [(n, methods) for regex, n, methods in self.templates() if regex.match(path)]
        if not matched:
            return None
        fewest = min(n for n, _ in matched)
        return frozenset().union(*(methods for n, methods in matched if n == fewest))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            allowed = self.allowed(scope["path"])
            if allowed is not None and scope["method"] not in allowed:
                await _method_not_allowed(send, scope["method"], sorted(allowed))
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse bodies over the limit (multipart uploads get their own, larger limit)."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        is_upload = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        is_form = headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded")
        limit = self.max_upload + 64 * 1024 if is_upload else self.max_body
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        # NUL never belongs in text, and PostgreSQL refuses it: refuse it here, clearly.
        if b"%00" in scope.get("query_string", b"").lower():
            await _nul(send, "query")
            return
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, started, refused
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if not is_upload and (
                    b"\x00" in chunk or b"\\u0000" in chunk or (is_form and b"%00" in chunk)
                ):
                    if not started:
                        await _nul(send, "body")
                    started = refused = True
                    return {"type": "http.disconnect"}
                if received > limit:
                    # Answer 413 now; the application sees the client go away.
                    if not started:
                        await _too_large(send, limit)
                    started = refused = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, tracking_send)


class RetryLostConnection:
    """A dropped database connection (the server restarted, a backend was terminated) costs
    no request a failure it need not have, and no restart of the service.

    The pool does not ping a connection before lending it (kit/db.py); a dead one fails its
    first statement, and SQLAlchemy then invalidates the whole pool. A GET or HEAD that
    failed so, before anything of its response was sent, is run once more on a fresh
    connection. Anything else is not retried: a write's transaction was rolled back, so
    nothing of it is saved (unless the connection dropped during the COMMIT itself: then the
    change may be saved, whole), and the client gets a 503 (`database-unavailable`) and may
    send it again; a read whose retry fails too gets the same."""

    RETRIED = frozenset({"GET", "HEAD"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        received: list[Message] = []

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                received.append(message)
            return message

        try:
            await self.app(scope, recording_receive, tracking_send)
            return
        except Exception as exc:
            if started or not connection_lost(exc):
                raise
            log.warning("database connection lost: %s", type(exc).__name__)
        if scope["method"] in self.RETRIED:
            replay = list(received)

            async def replaying_receive() -> Message:
                return replay.pop(0) if replay else await receive()

            try:
                await self.app(scope, replaying_receive, tracking_send)
                return
            except Exception as exc:
                if started or not connection_lost(exc):
                    raise
                log.warning("database connection lost again: %s", type(exc).__name__)
        await _database_unavailable(send)


async def _problem(
    send: Send,
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    headers: tuple[tuple[bytes, bytes], ...] = (),
    **extra: object,
) -> None:
    """An RFC 9457 problem+json answered by the middleware itself, before any route."""
    body = json.dumps(
        {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail} | extra
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _database_unavailable(send: Send) -> None:
    await _problem(
        send,
        503,
        "database-unavailable",
        "Database unavailable",
        "The database could not be reached, so the request did not complete; "
        "a change is saved whole or not at all. Try again shortly.",
        headers=((b"retry-after", b"1"),),
    )


async def _too_large(send: Send, limit: int) -> None:
    await _problem(
        send,
        413,
        "payload-too-large",
        "Request body too large",
        f"The request body is larger than {limit} bytes.",
    )


async def _nul(send: Send, where: str) -> None:
    await _problem(
        send,
        422,
        "invalid-input",
        "Invalid input",
        f"The {where} contains a NUL character, which no field accepts.",
        errors=[{"field": where, "rule": "no_nul", "message": "NUL characters are refused"}],
    )


async def _method_not_allowed(send: Send, method: str, allowed: list[str]) -> None:
    allow = ", ".join(allowed)
    await _problem(
        send,
        405,
        "method-not-allowed",
        "Method Not Allowed",
        f"{method} is not allowed here; this path allows {allow}.",
        headers=((b"allow", allow.encode()),),
    )
