"""A real mail server on loopback, settings that point the delivery at it, and people to
notify."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import DeliveryMode, NotificationPreference, OutboxMessage, Role, User
from ombuds.notifications.delivery import Delivery
from ombuds.settings import Settings
from tests.factories.accounts import make_user
from tests.support.smtp import HOST, MailServer

PUBLIC_URL = "https://ombuds.local500.example.org"
FROM = "Ombuds <ombuds@local500.example.org>"


def pointed_at(settings: Settings, server: MailServer, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "smtp_host": HOST,
        "smtp_port": server.port,
        "smtp_security": "none",
        "smtp_from": FROM,
        "smtp_timeout_seconds": 5.0,
        "public_url": PUBLIC_URL,
    }
    values.update(overrides)
    return settings.model_copy(update=values)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_settings(settings: Settings, mail_server: MailServer) -> Settings:
    return pointed_at(settings, mail_server)


@pytest.fixture
def delivery(app: FastAPI, mail_settings: Settings) -> Delivery:
    return Delivery(app.state.sessionmaker, mail_settings)


async def person(
    db: AsyncSession,
    passwords: Passwords,
    email: str,
    *,
    role: Role = Role.ombudsperson,
    language: str = "en",
    digest: bool = False,
) -> User:
    user = await make_user(db, passwords, role, email=email)
    user.language = language
    if digest:
        db.add(NotificationPreference(user_id=user.id, mode=DeliveryMode.digest, muted=[]))
    await db.commit()
    return user


async def outbox(db: AsyncSession) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list((await db.scalars(query)).all())
