from __future__ import annotations

import uuid
from typing import Annotated, cast

from fastapi import APIRouter, Header, Request, Response, status

from ombuds.auth.access import Administrator, AnyUser, Public
from ombuds.calendars import conditional, connections, feeds
from ombuds.calendars.config import calendar_settings
from ombuds.calendars.schemas import (
    CaldavConnectionIn,
    CaldavConnectionOut,
    FeedCreated,
    FeedStatus,
)
from ombuds.kit.clock import utcnow
from ombuds.kit.crypto import KeyRing
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.models import CaldavScope

router = APIRouter(prefix="/api/calendar", tags=["calendar"])
feed_router = APIRouter(prefix="/api/feeds", tags=["feeds"])

ICS = "text/calendar; charset=utf-8"
FEED_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/calendar": {}}, "description": "The iCalendar feed"},
    304: {"description": "Unchanged since the ETag or date the client sent"},
    404: {"description": "No such feed (also for a token of the wrong shape)"},
    410: {"description": "The feed was rotated or revoked, or its user deactivated"},
}
CONNECTION_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such connection, or not one the caller manages"},
    422: {
        "description": "The address is not http(s), carries credentials, is this service, "
        "or does not resolve to a public server (nor to a network the operator allows)"
    },
}


def _keyring(request: Request) -> KeyRing:
    return cast(KeyRing, request.app.state.keyring)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _service_urls(request: Request) -> list[str]:
    """Addresses of this service: a CalDAV connection may point at neither."""
    return [_base_url(request), calendar_settings().public_url]


# The feed itself ---------------------------------------------------------------------------


async def _feed_response(
    db: DbSession,
    settings: AppSettings,
    token: str,
    request: Request,
    if_none_match: str | None,
    if_modified_since: str | None,
    *,
    with_body: bool,
) -> Response:
    feed = await feeds.read(
        db,
        settings,
        token,
        base_url=_base_url(request),
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
        now=utcnow(),
    )
    headers = {
        "ETag": feed.etag,
        "Last-Modified": conditional.http_date(feed.last_modified),
        "Cache-Control": "private",
        "Referrer-Policy": "no-referrer",
    }
    if feed.not_modified:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="complaint-deadlines.ics"'
    if not with_body:
        # HEAD: the headers a GET would send, its length included, and no body.
        headers["Content-Length"] = str(len(feed.body))
        return Response(media_type=ICS, headers=headers)
    return Response(content=feed.body, media_type=ICS, headers=headers)


@feed_router.get("/{token}.ics", response_class=Response, responses=FEED_RESPONSES, name="get")
async def get_feed_file(
    db: DbSession,
    settings: AppSettings,
    _: Public,
    token: str,
    request: Request,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    if_modified_since: Annotated[str | None, Header(alias="If-Modified-Since")] = None,
) -> Response:
    """A user's deadlines as iCalendar; the secret token in the URL is the credential."""
    return await _feed_response(
        db, settings, token, request, if_none_match, if_modified_since, with_body=True
    )


@feed_router.head("/{token}.ics", response_class=Response, responses=FEED_RESPONSES, name="head")
async def head_feed_file(
    db: DbSession,
    settings: AppSettings,
    _: Public,
    token: str,
    request: Request,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    if_modified_since: Annotated[str | None, Header(alias="If-Modified-Since")] = None,
) -> Response:
    """The feed's headers (ETag, Last-Modified, length) without its body."""
    return await _feed_response(
        db, settings, token, request, if_none_match, if_modified_since, with_body=False
    )


# Managing one's feed -----------------------------------------------------------------------


@router.get("/feed", response_model=FeedStatus, name="get_feed")
async def get_feed(db: DbSession, actor: AnyUser) -> FeedStatus:
    """Whether the caller has a live feed URL, and since when (never the URL itself)."""
    row = await feeds.live_token(db, actor.id)
    return FeedStatus(exists=row is not None, created_at=row.created_at if row else None)


@router.post(
    "/feed", response_model=FeedCreated, status_code=status.HTTP_201_CREATED, name="create_feed"
)
async def create_feed(db: DbSession, actor: AnyUser, request: Request) -> FeedCreated:
    """A new secret feed URL, shown once; any previous one answers 410 from now on."""
    token, row = await feeds.create_or_rotate(db, actor, utcnow())
    url = _base_url(request) + feeds.feed_path(token)
    webcal = "webcal://" + url.split("://", 1)[1]
    return FeedCreated(url=url, webcal_url=webcal, created_at=row.created_at)


@router.delete(
    "/feed",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "The caller has no live feed"}},
    name="revoke_feed",
)
async def revoke_feed(db: DbSession, actor: AnyUser) -> Response:
    """Turn the feed URL off: it answers 410 from now on."""
    await feeds.revoke(db, actor, utcnow())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# CalDAV connections ------------------------------------------------------------------------


@router.get("/caldav", response_model=list[CaldavConnectionOut], name="list_caldav")
async def list_caldav(db: DbSession, actor: AnyUser, request: Request) -> list[CaldavConnectionOut]:
    """The caller's CalDAV connections (administrators: also the shared union calendars)."""
    keyring = _keyring(request)
    return [await connections.view(db, keyring, r) for r in await connections.listing(db, actor)]


@router.post(
    "/caldav",
    response_model=CaldavConnectionOut,
    status_code=status.HTTP_201_CREATED,
    responses=CONNECTION_RESPONSES,
    name="connect_caldav",
)
async def connect_caldav(
    db: DbSession, settings: AppSettings, actor: AnyUser, body: CaldavConnectionIn, request: Request
) -> CaldavConnectionOut:
    """Push the caller's deadlines to a CalDAV calendar (synced by the sync job)."""
    keyring = _keyring(request)
    row = await connections.create(
        db,
        keyring,
        actor,
        CaldavScope.own,
        body,
        _service_urls(request),
        settings.caldav_allowed_networks,
    )
    return await connections.view(db, keyring, row)


@router.post(
    "/caldav/shared",
    response_model=CaldavConnectionOut,
    status_code=status.HTTP_201_CREATED,
    responses=CONNECTION_RESPONSES,
    name="connect_shared_caldav",
)
async def connect_shared_caldav(
    db: DbSession,
    settings: AppSettings,
    actor: Administrator,
    body: CaldavConnectionIn,
    request: Request,
) -> CaldavConnectionOut:
    """A shared union calendar: every deadline, by reference only, like an integration."""
    keyring = _keyring(request)
    row = await connections.create(
        db,
        keyring,
        actor,
        CaldavScope.shared,
        body,
        _service_urls(request),
        settings.caldav_allowed_networks,
    )
    return await connections.view(db, keyring, row)


@router.put(
    "/caldav/{connection_id}",
    response_model=CaldavConnectionOut,
    responses=CONNECTION_RESPONSES,
    name="replace_caldav",
)
async def replace_caldav(
    db: DbSession,
    settings: AppSettings,
    actor: AnyUser,
    connection_id: uuid.UUID,
    body: CaldavConnectionIn,
    request: Request,
) -> CaldavConnectionOut:
    """New address or credentials (e.g. after a refused login); synced afresh next run."""
    keyring = _keyring(request)
    row = await connections.find(db, actor, connection_id)
    await connections.replace(
        db, keyring, actor, row, body, _service_urls(request), settings.caldav_allowed_networks
    )
    return await connections.view(db, keyring, row)


@router.delete(
    "/caldav/{connection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CONNECTION_RESPONSES,
    name="disconnect_caldav",
)
async def disconnect_caldav(db: DbSession, actor: AnyUser, connection_id: uuid.UUID) -> Response:
    """Stop pushing to this calendar and forget its credentials."""
    row = await connections.find(db, actor, connection_id)
    await connections.remove(db, actor, row)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
