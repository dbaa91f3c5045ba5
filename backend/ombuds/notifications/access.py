"""Who may call what of the notifications, and the SQL that selects what a caller sees.

- a notification is its person's own: any signed-in person (any role, never an
  integration's token) reads and marks their own; someone else's answers 404;
- a notification names its complaint (id and reference) only while the person may still
  see that complaint: a table officer who has since recused (4.3.1(iv)), or a CRC member
  whose committee is gone, sees the kind and the date and nothing of the case;
- administrators see the deliveries that failed (who, what kind, when, the error's type:
  never the complaint) and send them again."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import ColumnElement, or_

from ombuds.auth.access import Administrator, any_user
from ombuds.auth.principal import Principal
from ombuds.complaints.access import (
    caller_of,
    officer_visible_complaints,
    readable_complaints,
)
from ombuds.models import Notification

NOT_FOUND = "No such notification."

# Their own notifications: any signed-in person, whatever their roles.
NotificationReader = Annotated[Principal, Depends(any_user)]
DeliveryAdministrator = Administrator


def own_notifications(principal: Principal) -> ColumnElement[bool]:
    """The caller's own notifications (a condition on `Notification`)."""
    return Notification.user_id == principal.id


def complaint_visible(principal: Principal) -> ColumnElement[bool]:
    """The joined complaint is one the caller may still see now: read its details (an
    ombudsperson's or a CRC's, 5.1) or, as a table officer, know of it (4.3.1(iii)-(iv))."""
    caller = caller_of(principal)
    return or_(readable_complaints(caller), officer_visible_complaints(caller))
