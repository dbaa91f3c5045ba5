"""The calendars' own setting: the public address of the app, for links in CalDAV events
(feeds and the JSON API take it from the request)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class CalendarSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMBUDS_", extra="ignore")

    public_url: str = "http://127.0.0.1:8000"


def calendar_settings() -> CalendarSettings:
    return CalendarSettings()
