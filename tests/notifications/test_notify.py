"""Notifications are written in the transaction of the change that causes them, to the
people who want them, once per reminder; an officer recused on a complaint is never told."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    DeliveryMode,
    Notification,
    NotificationKind,
    NotificationPreference,
    OfficerConflict,
    OutboxMessage,
    Role,
)
from ombuds.notifications import service
from tests.factories.accounts import make_user
from tests.retention.support import closed_complaint

pytestmark = pytest.mark.clause("4.3.1(ii)")


async def _count(db: AsyncSession, model: type[object]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


class TestNotify:
    async def test_writes_the_notification_and_its_message(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        person = await make_user(db, passwords, Role.ombudsperson, email="o@example.org")
        due = local_today()
        (written,) = await service.notify(
            db, NotificationKind.response_recorded, [person.id], due_on=due
        )
        await db.commit()
        notification = await db.get(Notification, written)
        assert notification is not None
        assert (notification.user_id, notification.kind, notification.due_on) == (
            person.id,
            NotificationKind.response_recorded,
            due,
        )
        message = await db.scalar(select(OutboxMessage))
        assert message is not None
        assert (message.notification_id, message.digest, message.attempts) == (written, False, 0)

    async def test_a_change_that_rolls_back_leaves_nothing(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        person = await make_user(db, passwords, Role.ombudsperson, email="o@example.org")
        await service.notify(db, NotificationKind.response_recorded, [person.id])
        await db.rollback()
        assert (await _count(db, Notification), await _count(db, OutboxMessage)) == (0, 0)

    async def test_no_address_means_in_the_app_only(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        person = await make_user(db, passwords, Role.ombudsperson)
        await service.notify(db, NotificationKind.response_recorded, [person.id])
        await db.commit()
        assert (await _count(db, Notification), await _count(db, OutboxMessage)) == (1, 0)

    async def test_inactive_people_are_not_told(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        person = await make_user(db, passwords, Role.ombudsperson, active=False, email="x@e.org")
        assert await service.notify(db, NotificationKind.response_recorded, [person.id]) == []

    async def test_a_digest_reader_gets_a_digest_message(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        person = await make_user(db, passwords, Role.ombudsperson, email="o@example.org")
        db.add(NotificationPreference(user_id=person.id, mode=DeliveryMode.digest, muted=[]))
        await service.notify(db, NotificationKind.response_recorded, [person.id])
        await db.commit()
        message = await db.scalar(select(OutboxMessage))
        assert message is not None and message.digest is True

    async def test_a_kind_turned_off_is_not_written(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        person = await make_user(db, passwords, Role.ombudsperson, email="o@example.org")
        db.add(
            NotificationPreference(
                user_id=person.id, muted=[NotificationKind.response_recorded.value]
            )
        )
        assert await service.notify(db, NotificationKind.response_recorded, [person.id]) == []

    async def test_a_kind_the_policy_makes_theirs_cannot_be_turned_off(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        person = await make_user(db, passwords, Role.ombudsperson, email="o@example.org")
        db.add(
            NotificationPreference(
                user_id=person.id, muted=[NotificationKind.response_lapsed.value]
            )
        )
        written = await service.notify(db, NotificationKind.response_lapsed, [person.id])
        assert len(written) == 1

    async def test_a_reminder_is_written_once(self, db: AsyncSession, passwords: Passwords) -> None:
        person = await make_user(db, passwords, Role.ombudsperson, email="o@example.org")
        key = f"response_lapsed:{uuid.uuid4()}"
        first = await service.notify(db, NotificationKind.response_lapsed, [person.id], dedupe=key)
        await db.commit()
        again = await service.notify(db, NotificationKind.response_lapsed, [person.id], dedupe=key)
        await db.commit()
        assert (len(first), again) == (1, [])
        assert (await _count(db, Notification), await _count(db, OutboxMessage)) == (1, 1)


class TestTableOfficers:
    @pytest.mark.clause("4.3.1(iv)")
    async def test_an_officer_who_declared_a_conflict_is_left_out(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        first = await make_user(db, passwords, Role.table_officer, username="officer-a")
        second = await make_user(db, passwords, Role.table_officer, username="officer-b")
        ombudsperson = await make_user(db, passwords, Role.ombudsperson)
        complaint = await closed_complaint(db, ombudsperson, closed_on=local_today())
        db.add(OfficerConflict(complaint_id=complaint.id, user_id=first.id))
        await db.commit()
        assert await service.table_officers(db, complaint.id) == [second.id]
        assert await service.table_officers(db, None) == [first.id, second.id]
