"""The one place the service asks what time it is."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("America/Winnipeg")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Deadlines are calendar dates in Winnipeg, where the Local is."""
    return utcnow().astimezone(LOCAL_ZONE).date()
