"""What a reader of a destroyed complaint is told (5.1): 410 Gone, when it was destroyed,
and where its tombstone is read (GET /api/retention/complaints/{id})."""

from __future__ import annotations

import uuid
from datetime import datetime

from ombuds.kit.clock import LOCAL_ZONE
from ombuds.kit.errors import Gone


def record_destroyed(complaint_id: uuid.UUID, destroyed_at: datetime) -> Gone:
    day = destroyed_at.astimezone(LOCAL_ZONE).date().isoformat()
    return Gone(
        f"This complaint's record was destroyed on {day} at the end of its retention "
        f"period; GET /api/retention/complaints/{complaint_id} shows what remains.",
        destroyed_on=day,
    )
