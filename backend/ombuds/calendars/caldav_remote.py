"""One CalDAV calendar, through the ``caldav`` client library (blocking: the job runs it in
a thread). Every failure becomes a :class:`SyncFailure` with a message of our own: the
library's messages quote URLs, which may carry credentials."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from caldav.davclient import get_davclient
from caldav.lib import error as caldav_error
from caldav.lib.http_sync import requests as http

from ombuds.calendars.addresses import AddressRefused, GuardedResolver, IPNetwork

TIMEOUT_SECONDS = 10


class SyncFailure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RemoteEvent(NamedTuple):
    sequence: int


def explain(exc: BaseException) -> str:
    """A clear message for the connection's owner, with no URL, username or password."""
    if isinstance(exc, SyncFailure):
        return exc.message
    if isinstance(exc, caldav_error.AuthorizationError):
        return (
            "The CalDAV server refused the username or app password (or this calendar is "
            "not theirs). Enter a new app password to reconnect."
        )
    if isinstance(exc, caldav_error.NotFoundError):
        return "No calendar was found at this address."
    if _refused(exc):
        # The same words as an unreachable server: nothing tells which inside address exists.
        return "The CalDAV server could not be reached."
    if isinstance(exc, http.exceptions.Timeout):
        return f"The CalDAV server did not answer within {TIMEOUT_SECONDS} seconds."
    if isinstance(exc, http.exceptions.ConnectionError):
        return "The CalDAV server could not be reached."
    if isinstance(exc, caldav_error.DAVError):
        return "The CalDAV server refused a request; check that the calendar is writable."
    return "The CalDAV server's answer could not be understood (is this a CalDAV calendar?)."


def _refused(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, AddressRefused):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class CaldavRemote:
    """The calendar collection at ``url``; nothing is sent before :meth:`list_events`.
    Every connection it opens (redirects too) goes through :class:`GuardedResolver`: only
    public addresses, or those in ``allowed``."""

    def __init__(
        self, url: str, username: str, password: str, *, allowed: Sequence[IPNetwork] = ()
    ) -> None:
        try:
            client: Any = get_davclient(
                url=url,
                username=username,
                password=password,
                timeout=TIMEOUT_SECONDS,
                check_config_file=False,  # never the machine's caldav config or environment
                environment=False,
                enable_rfc6764=False,
            )
            client.session.close()
            client.session = http.Session(resolver=GuardedResolver(allowed=tuple(allowed)))
            client.session.trust_env = False  # no proxy or .netrc from the environment
            self._client = client
            self._calendar: Any = client.calendar(url=url)
        except Exception as exc:
            raise SyncFailure(explain(exc)) from exc
        self._events: dict[str, Any] = {}

    def list_events(self) -> dict[str, RemoteEvent]:
        """UID -> SEQUENCE of every VEVENT in the calendar (unreadable items are skipped:
        they are not ours)."""
        try:
            found = self._calendar.get_events()
        except Exception as exc:
            raise SyncFailure(explain(exc)) from exc
        listed: dict[str, RemoteEvent] = {}
        for event in found:
            try:
                component = event.icalendar_component
                uid = str(component["UID"])
                sequence = int(component.get("SEQUENCE", 0))
            except Exception:  # noqa: S112 - another client's odd item: not ours to judge
                continue
            listed[uid] = RemoteEvent(sequence)
            self._events[uid] = event
        return listed

    def put(self, text: str) -> None:
        """Create or replace the event at its UID's address, stored as given."""
        try:
            self._calendar.add_event(text, increase_seqno=False)
        except Exception as exc:
            raise SyncFailure(explain(exc)) from exc

    def delete(self, uid: str) -> None:
        try:
            self._events[uid].delete()
        except caldav_error.NotFoundError:
            return  # already gone: that is what we wanted
        except Exception as exc:
            raise SyncFailure(explain(exc)) from exc

    def close(self) -> None:
        try:
            self._client.close()
        except Exception:  # noqa: S110 - closing a broken session must not hide the outcome
            pass
