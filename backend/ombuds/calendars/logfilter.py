"""Feed tokens never reach the logs: the access log prints the request path, and a feed's
path is its secret. Install with :func:`install` once logging is configured.

uvicorn logs the path as the client sent it (``raw_path``), so a path is judged by what
the router makes of it: percent-decoded (``/api/%66eeds/…``, ``/api/feeds%2F…``,
``/%61pi/…``, even twice over) and with dot segments and repeated slashes resolved
(``/api/x/../feeds/…``). Any path that then names the feeds is printed as
``/api/feeds/[token].ics``, whatever it answered (200, 404, 410); a path holding anything
shaped like a token is not printed at all; no query string is ever printed (a member
search carries a name)."""

from __future__ import annotations

import logging
import posixpath
import re
from urllib.parse import unquote

REDACTED = "/api/feeds/[token].ics"
REDACTED_PATH = "/[redacted]"
ACCESS_LOGGER = "uvicorn.access"
# A path as it appears in a log line: from a slash up to white space or a quote.
PATH = re.compile(r"/[^\s\"'<>]*")
# 43 URL-safe characters: the shape of a feed token (secrets.token_urlsafe(32)).
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{43}")
DECODE_ROUNDS = 5


def plain_path(path: str) -> str:
    """The path as the application sees it: decoded until nothing changes, backslashes
    as slashes, dot segments and repeated slashes resolved, lower case."""
    for _ in range(DECODE_ROUNDS):
        decoded = unquote(path, errors="replace")
        if decoded == path:
            break
        path = decoded
    path = path.replace("\\", "/")
    normalised = posixpath.normpath("/" + path.lstrip("/"))
    return (normalised if normalised != "//" else "/").lower()


def redact_path(text: str) -> str:
    path, has_query, _ = text.partition("?")
    plain = plain_path(path)
    if "feeds" in plain or "feeds" in path.lower():
        path = REDACTED
    elif TOKEN_LIKE.search(plain) or TOKEN_LIKE.search(path):
        path = REDACTED_PATH
    return path + ("?[query]" if has_query else "")


def redact(text: str) -> str:
    """Every path in ``text``: feed tokens, token-shaped segments and query strings."""
    return PATH.sub(lambda m: redact_path(m.group()), text)


class RedactFeedTokens(logging.Filter):
    """Rewrites the paths in uvicorn access records (args: client_addr, method,
    full_path, http_version, status_code) and in any plain message."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        elif isinstance(args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
        if isinstance(record.msg, str) and "/" in record.msg:
            record.msg = redact(record.msg)
        return True


def install(logger_name: str = ACCESS_LOGGER) -> None:
    """Add the filter to the logger (idempotent); call it after uvicorn set up logging,
    e.g. in create_app (uvicorn's factory runs after its logging configuration)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
        logger.addFilter(RedactFeedTokens())
