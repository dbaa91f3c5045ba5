"""Feed tokens never reach the access log."""

from __future__ import annotations

import io
import logging

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from uvicorn.logging import AccessFormatter

from ombuds.auth.passwords import Passwords
from ombuds.calendars.logfilter import RedactFeedTokens, install, plain_path, redact
from ombuds.models import Role
from tests.calendars.live import served
from tests.factories.accounts import signed_in
from tests.factories.calendars import create_feed, feed_path

TOKEN = "pnOvHD-PCYt37lLclekPMIPkLzXNIiH6882rOXygX64"


def access_record(path: str, status: int = 200) -> logging.LogRecord:
    """A record shaped like uvicorn's access log records."""
    return logging.LogRecord(
        name="uvicorn.access",
        level=logging.INFO,
        pathname=__file__,
        lineno=1,
        msg='%s - "%s %s HTTP/%s" %d',
        args=("127.0.0.1:53210", "GET", path, "1.1", status),
        exc_info=None,
    )


class TestRedactFeedTokens:
    def test_the_token_in_the_path_is_replaced(self) -> None:
        record = access_record(f"/api/feeds/{TOKEN}.ics")
        assert RedactFeedTokens().filter(record) is True
        message = record.getMessage()
        assert TOKEN not in message
        assert message == '127.0.0.1:53210 - "GET /api/feeds/[token].ics HTTP/1.1" 200'

    def test_query_strings_malformed_tokens_and_other_cases_are_covered(self) -> None:
        for path in (
            f"/api/feeds/{TOKEN}.ics?x=1",
            f"/api/feeds/{TOKEN}",
            f"/API/FEEDS/{TOKEN}.ics",
            "/api/feeds/not-even-a-token.ics",
        ):
            record = access_record(path, 404)
            RedactFeedTokens().filter(record)
            message = record.getMessage()
            assert "[token]" in message, path
            assert TOKEN not in message and "not-even-a-token" not in message

    def test_other_paths_keep_their_path_but_not_their_query(self) -> None:
        # A member search carries a name in its query string (GET /api/members?q=...).
        record = access_record("/api/members?q=Canary-Name")
        RedactFeedTokens().filter(record)
        assert record.args == ("127.0.0.1:53210", "GET", "/api/members?[query]", "1.1", 200)
        plain = access_record("/api/complaints")
        RedactFeedTokens().filter(plain)
        assert plain.args == ("127.0.0.1:53210", "GET", "/api/complaints", "1.1", 200)

    def test_installed_on_uvicorns_access_logger_with_its_formatter(self) -> None:
        logger = logging.getLogger("uvicorn.access")
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s'))
        before = list(logger.filters)
        saved = (logger.level, logger.propagate, logger.disabled)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.disabled = False
        try:
            install()
            install()  # idempotent
            assert sum(isinstance(f, RedactFeedTokens) for f in logger.filters) == 1
            # As uvicorn's httptools/h11 protocols log each request:
            logger.info(
                '%s - "%s %s HTTP/%s" %d',
                "127.0.0.1:53210",
                "GET",
                f"/api/feeds/{TOKEN}.ics",
                "1.1",
                200,
            )
        finally:
            logger.removeHandler(handler)
            logger.filters[:] = before
            logger.level, logger.propagate, logger.disabled = saved
        line = stream.getvalue()
        assert TOKEN not in line
        assert '"GET /api/feeds/[token].ics HTTP/1.1" 200' in line


def spellings(token: str) -> list[tuple[str, int]]:
    """Every way a client can spell a feed's path (and what the app answers to it)."""
    return [
        (f"/api/feeds/{token}.ics", 200),
        (f"/api/%66eeds/{token}.ics", 200),
        (f"/api/feeds%2F{token}.ics", 200),
        (f"/api/feeds%2f{token}.ics?x=1", 200),
        (f"/%61pi/feeds/{token}.ics", 200),
        (f"/api/%2566eeds/{token}.ics", 404),  # encoded twice
        (f"/api/x/../feeds/{token}.ics", 404),
        (f"/api/x/%2e%2e/feeds/{token}.ics", 404),
        (f"/api/./feeds//{token}.ics", 404),
        (f"//api/FEEDS/{token}.ics", 404),
        (f"/api/feed/{token}.ics", 404),  # a typo: no "feeds", the token's shape gives it away
        (f"/api/feeds/{token[:20]}.ics", 404),
    ]


class TestServedLogs:
    """The real server's access log and the app's own logs, for every spelling."""

    @pytest.mark.clause("5.1")
    async def test_no_spelling_of_a_feed_path_puts_its_token_in_a_log(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        token = feed_path(await create_feed(client, headers)).rsplit("/", 1)[1][:-4]
        async with served(app) as live:
            for target, status in spellings(token):
                answered, _ = await live.raw_get(target)
                assert answered == status, target
            answered, _ = await live.raw_get("/api/members?q=Zephyrine", "GET")
        logged = live.logged()
        assert token not in logged and token[:20] not in logged
        assert "Zephyrine" not in logged
        lines = live.access.getvalue().splitlines()
        assert len(lines) == len(spellings(token)) + 1
        shown = [line.split('"')[1] for line in lines]
        assert shown[:10] == [
            "GET /api/feeds/[token].ics HTTP/1.1",
            "GET /api/feeds/[token].ics HTTP/1.1",
            "GET /api/feeds/[token].ics HTTP/1.1",
            "GET /api/feeds/[token].ics?[query] HTTP/1.1",
            *["GET /api/feeds/[token].ics HTTP/1.1"] * 6,
        ]
        assert shown[10] == "GET /[redacted] HTTP/1.1"
        assert shown[11] == "GET /api/feeds/[token].ics HTTP/1.1"
        assert shown[12] == "GET /api/members?[query] HTTP/1.1"
        assert [line.split('" ')[1].split(" ")[0] for line in lines[:12]] == [
            str(s) for _, s in spellings(token)
        ]

    def test_paths_are_judged_decoded_and_normalised(self) -> None:
        assert plain_path("/api/x/%2E%2E/%66eeds//T.ics") == "/api/feeds/t.ics"
        assert plain_path("/%2561pi/feeds") == "/api/feeds"
        assert plain_path("/api\\feeds\\T") == "/api/feeds/t"
        assert redact("/api/complaints/3f0c") == "/api/complaints/3f0c"
