"""Deadlines in calendars: secret iCalendar feeds and CalDAV push (no name ever leaves)."""
