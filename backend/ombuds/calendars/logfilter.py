"""Feed tokens never reach the logs: the access log prints the request path, and a feed's
path is its secret. Install with :func:`install` once logging is configured."""

from __future__ import annotations

import logging
import re

FEED_PATH = re.compile(r"/api/feeds/[^?#\s\"]*", re.IGNORECASE)
REDACTED = "/api/feeds/[token].ics"
ACCESS_LOGGER = "uvicorn.access"


QUERY = re.compile(r"(/api/[^?#\s\"]*)\?[^\s\"]*")


def redact(text: str) -> str:
    """Feed tokens, and every query string under /api (a member search carries a name)."""
    return QUERY.sub(r"\1?[query]", FEED_PATH.sub(REDACTED, text))


class RedactFeedTokens(logging.Filter):
    """Rewrites ``/api/feeds/<anything>`` in uvicorn access records (args: client_addr,
    method, full_path, http_version, status_code) and in any plain message."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        elif isinstance(args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
        if isinstance(record.msg, str) and "/api/" in record.msg.lower():
            record.msg = redact(record.msg)
        return True


def install(logger_name: str = ACCESS_LOGGER) -> None:
    """Add the filter to the logger (idempotent); call it after uvicorn set up logging,
    e.g. in create_app (uvicorn's factory runs after its logging configuration)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
        logger.addFilter(RedactFeedTokens())
