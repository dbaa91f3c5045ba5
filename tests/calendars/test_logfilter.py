"""Feed tokens never reach the access log."""

from __future__ import annotations

import io
import logging

from uvicorn.logging import AccessFormatter

from ombuds.calendars.logfilter import RedactFeedTokens, install

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
