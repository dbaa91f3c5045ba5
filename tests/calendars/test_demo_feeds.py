"""`make run`: every demo user's feed subscribes cleanly in the strict parsers, and the
demo integration token reads the deadlines API."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.demo import DEMO_API_TOKEN, DEMO_PASSWORD, seed
from ombuds.models import User
from ombuds.settings import Settings
from tests.calendars.support import strict, vevents
from tests.factories.accounts import login
from tests.factories.calendars import create_feed, feed_path


class TestDemoFeeds:
    async def test_every_demo_users_feed_parses_strictly(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        local = await seed(db, settings, passwords)
        await db.commit()
        assert local is not None and local.logins
        users = {u.username: u for u in await db.scalars(select(User))}
        for demo in local.logins:
            headers = await login(client, demo.username, DEMO_PASSWORD)
            response = await client.get(feed_path(await create_feed(client, headers)))
            assert response.status_code == 200, demo.username
            events = vevents(strict(response.content))
            if "administrator" in demo.roles or "table_officer" in demo.roles:
                assert "Policy review due (clause 6)" in {str(e["SUMMARY"]) for e in events}
            assert users[demo.username].display_name not in response.text
        api = await client.get(
            "/api/deadlines", headers={"Authorization": f"Bearer {DEMO_API_TOKEN}"}
        )
        assert api.status_code == 200
        assert "policy_review" in {i["kind"] for i in api.json()["items"]}
