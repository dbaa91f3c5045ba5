"""Who may manage which CalDAV connection: their own, and (administrators) the shared
union calendars. Anything else answers 404. The feed itself is public by nature: its
token is the credential, checked in feeds.py."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_

from ombuds.auth.principal import Principal
from ombuds.models import CaldavConnection, CaldavScope, Role


def manageable_connections(principal: Principal) -> ColumnElement[bool]:
    if principal.id is None or not principal.is_user:
        return false()
    own = and_(CaldavConnection.scope == CaldavScope.own, CaldavConnection.owner_id == principal.id)
    if principal.has_role(Role.administrator):
        return or_(own, CaldavConnection.scope == CaldavScope.shared)
    return own
