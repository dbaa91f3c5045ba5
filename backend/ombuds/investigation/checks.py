"""Date rules shared by the steps after the CRC is struck: each broken rule is named by
its field and rule, never by the value (which could be confidential)."""

from __future__ import annotations

from datetime import date, datetime

from ombuds.kit.clock import LOCAL_ZONE, local_today
from ombuds.kit.errors import InvalidInput, field_error


def local_date(at: datetime) -> date:
    return at.astimezone(LOCAL_ZONE).date()


class Dates:
    """Collects every broken date rule of one request, then refuses them together."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def not_in_future(self, field: str, value: date) -> Dates:
        if value > local_today():
            self.errors.append(field_error(field, "not_in_future", "must not be after today"))
        return self

    def not_before(
        self, field: str, value: date, earliest: date | None, rule: str, message: str
    ) -> Dates:
        if earliest is not None and value < earliest:
            self.errors.append(field_error(field, rule, message))
        return self

    def check(self) -> None:
        if self.errors:
            fields = ", ".join(dict.fromkeys(e["field"] for e in self.errors))
            raise InvalidInput(f"Invalid date in: {fields}.", errors=self.errors)
