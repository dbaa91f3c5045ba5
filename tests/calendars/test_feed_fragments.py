"""The feed from cached per-event fragments (calendars/fragments.py): byte for byte what
the whole-calendar render (ics.render_feed) makes of the same deadlines, for every status;
a change renders exactly the event it changed again."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.auth.principal import Principal
from ombuds.calendars import fragments, ics, service
from ombuds.calendars.fragments import Fragments
from ombuds.kit.clock import utcnow
from ombuds.models import DeadlineKind, DeadlineStatus, Role, User
from ombuds.settings import Settings
from tests.calendars.support import strict, vevents
from tests.factories.accounts import make_user
from tests.factories.calendars import (
    Case,
    canary_case,
    create_feed,
    feed_path,
    lapse_deadline,
    open_deadline,
    satisfy_deadline,
)

BASE_URL = "http://testserver"


async def every_status(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> Case:
    """Deadlines open, met, met late, lapsed and cancelled, on complaints of one
    ombudsperson (the intake ombudsperson of both)."""
    case = await canary_case(client, db, passwords)
    other = await canary_case(client, db, passwords, ombudsperson=(case.ombudsperson, case.headers))
    met = await open_deadline(db, settings, case.id, DeadlineKind.table_officer_notice)
    await satisfy_deadline(db, case.id, DeadlineKind.table_officer_notice, met.due_on)
    late = await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
    await satisfy_deadline(db, case.id, DeadlineKind.crc_report, late.due_on + timedelta(days=2))
    await open_deadline(db, settings, case.id)
    await lapse_deadline(db, case.id, DeadlineKind.written_response)
    await open_deadline(db, settings, other.id, trigger_on=date(2026, 4, 1))
    cancelled = await open_deadline(
        db, settings, other.id, DeadlineKind.table_officer_notice, date(2026, 4, 2), 5
    )
    cancelled.status = DeadlineStatus.cancelled
    cancelled.sequence += 1
    await db.commit()
    return case


async def principal_of(db: AsyncSession, user: User) -> Principal:
    found = await service.user_with_roles(db, user.id)
    assert found is not None
    return service.principal_for(found)


class TestRender:
    async def test_byte_identical_to_the_whole_calendar_render_for_every_status(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await every_status(client, db, passwords, settings)
        principal = await principal_of(db, case.ombudsperson)
        now = utcnow()
        entries = await service.entries(db, settings, principal, base_url=BASE_URL, now=now)
        keys = await service.entry_keys(db, settings, principal, base_url=BASE_URL, now=now)
        assert {k.status for k in keys} == {s.value for s in DeadlineStatus}
        assert keys == [service.key_of(e) for e in entries]
        whole = ics.render_feed(entries)
        cached = Fragments()
        assert cached.feed(keys) == whole
        assert (cached.misses, cached.hits) == (len(keys), 0)
        assert cached.feed(keys) == whole  # from the cache alone
        assert (cached.misses, cached.hits) == (len(keys), len(keys))
        strict(whole)
        # The feed served over HTTP is those bytes.
        served = await client.get(feed_path(await create_feed(client, case.headers)))
        assert served.content == whole

    @pytest.mark.parametrize("role", [Role.administrator, Role.table_officer])
    async def test_policy_reviews_and_an_empty_feed(
        self, db: AsyncSession, passwords: Passwords, settings: Settings, role: Role
    ) -> None:
        user = await make_user(db, passwords, role)
        principal = await principal_of(db, user)
        now = utcnow()
        entries = await service.entries(db, settings, principal, base_url=BASE_URL, now=now)
        keys = await service.entry_keys(db, settings, principal, base_url=BASE_URL, now=now)
        assert len(keys) == 2 and all(k.url is None for k in keys)
        assert Fragments().feed(keys) == ics.render_feed(entries)
        assert Fragments().feed([]) == ics.render_feed([])

    async def test_a_change_renders_exactly_the_event_it_changed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await every_status(client, db, passwords, settings)
        principal = await principal_of(db, case.ombudsperson)
        now = utcnow()
        cached = Fragments()
        before = await service.entry_keys(db, settings, principal, base_url=BASE_URL, now=now)
        first = cached.feed(before)
        moved = await open_deadline(
            db, settings, case.id, DeadlineKind.crc_report, date(2026, 5, 1), 60
        )
        after = await service.entry_keys(db, settings, principal, base_url=BASE_URL, now=now)
        assert len(after) == len(before)
        cached.hits = cached.misses = 0
        second = cached.feed(after)
        assert (cached.misses, cached.hits) == (1, len(after) - 1)
        entries = await service.entries(db, settings, principal, base_url=BASE_URL, now=now)
        assert second == ics.render_feed(entries) != first
        (changed,) = [k for k in after if k not in before]
        assert changed.id == moved.id and changed.sequence == moved.sequence
        event = next(e for e in vevents(strict(second)) if str(e["UID"]) == str(moved.id))
        assert event["DTSTART"].dt == moved.due_on
        # The same links for another address are other bytes: the URL is in the key.
        elsewhere = await service.entry_keys(
            db, settings, principal, base_url="https://ombuds.example", now=now
        )
        cached.hits = cached.misses = 0
        assert b"https://ombuds.example/complaints/" in cached.feed(elsewhere)
        assert cached.misses == len(elsewhere)

    def test_the_cache_is_bounded(self) -> None:
        cached = Fragments(kept=2)
        keys = [
            service.EntryKey(
                uuid.uuid4(),
                DeadlineKind.written_response.value,
                DeadlineStatus.open.value,
                date(2026, 3, 1) + timedelta(days=n),
                0,
                utcnow(),
                utcnow(),
                "C-ABCDEF",
                None,
            )
            for n in range(3)
        ]
        body = cached.feed(keys)
        assert len(cached) == 2
        assert cached.feed(keys) == body
        assert fragments.FRAGMENTS.kept == fragments.FRAGMENTS_KEPT
