"""Who changes the steps from the informal attempts to telling the table officers
(4.2.1 to 4.3.1(iii)).

Reading follows complaints/access.py (`readable`). Changing is for the ombudsperson
handling the complaint: the intake ombudsperson, or an ombudsperson who took part in an
informal attempt on it. CRC members and staff resources review the letter, the response
and the attachments (4.3.1(vi)) but do not change these steps."""

from __future__ import annotations

from ombuds.complaints.access import NOT_HANDLING, for_handling, handles

__all__ = ["NOT_HANDLING", "for_handling", "handles"]
