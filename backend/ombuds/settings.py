"""One settings class for the whole service (environment prefix ``OMBUDS_``)."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ombuds.kit.crypto import KeyRing, derive_key, parse_keys

DEFAULT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused in production
MIN_SECRET_BYTES = 32
REPO_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_RETENTION_DAYS = 50 * 366  # a typo's guard: no record class is kept for 50 years


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class UnsafeSettings(ValueError):
    """The service refuses to start with these settings."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMBUDS_", extra="ignore")

    env: Environment = Environment.development
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'ombuds.sqlite3'}"
    secret_key: str = DEFAULT_SECRET
    token_issuer: str = "ombuds"  # noqa: S105
    token_audience: str = "ombuds-api"  # noqa: S105
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_idle_minutes: int = Field(default=60, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    # argon2id cost; the defaults follow RFC 9106's second recommended option.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=64 * 1024, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)
    # How many hashes one worker runs at once (each takes argon2_memory_kib): its memory
    # is its base plus this many hashes (auth/passwords.py).
    argon2_concurrency: int = Field(default=1, ge=1, le=16)
    # Encryption at rest: {"key id": "base64 of 32 random bytes"}; the active id encrypts,
    # every id in the ring decrypts. Development derives one from the secret.
    encryption_keys: dict[str, str] = Field(default_factory=dict)
    encryption_active_key_id: str | None = None
    # Where the per-record data keys live, wrapped by the key ring (kit/datakeys.py). Unset:
    # beside the database (`x.sqlite3` -> `x-keys.sqlite3`; PostgreSQL `name` -> `name_keys`).
    # Keep its backups no longer than the restore window: that makes destruction final.
    key_store_url: str | None = None
    # The audit chain's HMAC key (>= 32 bytes), kept outside the database.
    audit_key: str | None = None
    # How often each worker's sealer links new audit entries into the chain; 0 turns it
    # off (then run `ombuds seal-audit` at least as often as the sealing window, 10 s).
    audit_seal_seconds: float = Field(default=1.0, ge=0, le=5)
    # Administrators, ombudspersons and table officers must use a TOTP second factor.
    require_second_factor: bool = False
    # `ombuds serve`: worker processes, the access log (None: on, except in production,
    # where it is off unless asked for; feed tokens are stripped from it either way) and
    # the proxies whose X-Forwarded-For is believed (nginx's address, or "*" when only the
    # proxy can reach the API), so login throttling counts the real client, not the proxy.
    workers: int = Field(default=1, ge=1, le=64)
    access_log: bool | None = None
    forwarded_allow_ips: str = "127.0.0.1"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Private networks a CalDAV connection may reach (CIDRs, comma-separated or a JSON
    # list), e.g. "10.20.0.0/16" for a Nextcloud on the union's own network. Loopback,
    # link-local, private and other internal addresses are refused unless listed here.
    caldav_allowed_networks: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list
    )

    # The policy's numbers (see docs/policy-clauses.md).
    response_period_days: int = Field(default=14, ge=1)  # 4.3.1(ii)
    notify_table_officers_target_days: int = Field(
        default=7, ge=1
    )  # 4.3.1(iii) "as soon as possible"
    crc_report_target_days: int = Field(default=60, ge=1)  # 4.3.1(vi) "a timely manner"
    crc_size: int = Field(default=3, ge=1)  # 4.3.1(v)
    # 4.3.1(v): redraws per complaint of seats whose member can still sit; each shows one
    # more eligible ombudsperson, so unbounded redraws would reveal who was excluded.
    crc_discretionary_redraws: int = Field(default=1, ge=0, le=10)
    roll_over_non_working_days: bool = True  # "Days": weekends and Manitoba holidays
    policy_implemented_on: date = date(2025, 1, 1)  # 6 review
    # 6: the review's statistics show no count under this (cells "fewer than k"), and
    # the coded facts keep a complainant's Unit only if it has this many members.
    statistics_min_cell: int = Field(default=5, ge=3, le=100)
    facts_unit_min_members: int = Field(default=50, ge=1)

    # Retention (5.1; docs/retention.md): how long each record class is kept, in days
    # counted from its closure (a consultation's: the day it was held), then destroyed.
    retention_consultation_days: int = Field(default=30, ge=1, le=MAX_RETENTION_DAYS)
    retention_redirected_days: int = Field(default=365, ge=1, le=MAX_RETENTION_DAYS)
    retention_withdrawn_days: int = Field(default=365, ge=1, le=MAX_RETENTION_DAYS)
    retention_informal_days: int = Field(default=2 * 365, ge=1, le=MAX_RETENTION_DAYS)
    retention_formal_days: int = Field(default=7 * 365 + 2, ge=1, le=MAX_RETENTION_DAYS)
    # A destruction falls due, is scheduled, and is carried out this many days later;
    # until then a legal hold (or an administrator) undoes it.
    retention_restore_window_days: int = Field(default=14, ge=1, le=90)
    # The handling ombudsperson sees what falls due this many days ahead.
    retention_warning_days: int = Field(default=30, ge=1, le=365)
    # The in-service retention job's interval; 0 turns it off (then run `ombuds retention
    # run` daily from cron or a systemd timer).
    retention_run_hours: float = Field(default=24.0, ge=0, le=24 * 7)

    # Notifications (docs/notifications.md). Links in messages use the public URL, never a
    # request's Host header.
    public_url: str = "http://127.0.0.1:8000"
    # The mail server. Unset in development: messages are written to a Maildir
    # (`mail_dir`) instead; production refuses to start without one.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # "starttls" (upgrade a plain connection), "tls" (implicit TLS, port 465) or "none"
    # (loopback relays only; refused in production for any other host).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    mail_dir: str = str(REPO_ROOT / "var" / "mail")
    # How often each worker looks for messages to send (and reminders to write); 0 turns
    # the in-service delivery off (then run `ombuds worker`).
    notifications_poll_seconds: float = Field(default=5.0, ge=0, le=3600)
    # Attempts before a message is marked failed (backoff doubles from one minute).
    notifications_max_attempts: int = Field(default=8, ge=1, le=30)
    # The local hour at which digests go out.
    notifications_digest_hour: int = Field(default=7, ge=0, le=23)
    # Messages name the case reference where the role may see it; false drops even that.
    notifications_include_reference: bool = True
    # A deadline is "approaching" this many working days before it (holiday-aware).
    notifications_reminder_working_days: int = Field(default=3, ge=1, le=30)
    # A notice to a party still owed after this many days is a reminder (4.3.1(vii)).
    notifications_party_notice_days: int = Field(default=5, ge=1, le=90)
    # The policy review (6) is announced to the table officers this many days ahead.
    notifications_review_days: int = Field(default=30, ge=1, le=365)

    # The parties' portal (docs/portal.md). Its tokens carry their own audience, so a
    # party's token is never a staff token and a staff token never a party's.
    portal_token_audience: str = "ombuds-portal"  # noqa: S105
    # How long an invitation's link and access code can be redeemed.
    portal_invitation_days: int = Field(default=14, ge=1, le=90)
    # A party's session ends after this many idle minutes, and this many hours at most.
    portal_session_idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    portal_session_hours: int = Field(default=4, ge=1, le=24)
    # After the complaint closes, its parties keep read-only access this many days.
    portal_grace_days: int = Field(default=30, ge=0, le=365)

    @field_validator("caldav_allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _sensible_retention(self) -> Self:
        # A consultation that never became a complaint is the least of the records (4.1):
        # kept longer than a formal complaint's record would make the schedule upside down.
        if self.retention_consultation_days > self.retention_formal_days:
            raise ValueError(
                "OMBUDS_RETENTION_CONSULTATION_DAYS is longer than "
                "OMBUDS_RETENTION_FORMAL_DAYS: a consultation is kept no longer than a "
                "formal complaint"
            )
        if self.retention_restore_window_days > min(self.retention_days.values()):
            raise ValueError(
                "OMBUDS_RETENTION_RESTORE_WINDOW_DAYS is longer than the shortest retention "
                "period: a scheduled destruction would wait longer than the record was kept"
            )
        return self

    @model_validator(mode="after")
    def _separate_audiences(self) -> Self:
        if self.portal_token_audience == self.token_audience:
            raise ValueError(
                "OMBUDS_PORTAL_TOKEN_AUDIENCE equals OMBUDS_TOKEN_AUDIENCE: a party's token "
                "would pass as a staff token"
            )
        return self

    @property
    def retention_days(self) -> dict[str, int]:
        """Days kept after closure, by record class (retention/classes.py's values)."""
        return {
            "consultation": self.retention_consultation_days,
            "redirected": self.retention_redirected_days,
            "informal": self.retention_informal_days,
            "withdrawn": self.retention_withdrawn_days,
            "formal": self.retention_formal_days,
        }

    @property
    def access_log_on(self) -> bool:
        if self.access_log is not None:
            return self.access_log
        return self.env is not Environment.production

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.env is not Environment.production:
            return self
        if not self.secret_key:
            raise UnsafeSettings("OMBUDS_SECRET_KEY is missing: production needs a random secret")
        if self.secret_key == DEFAULT_SECRET:
            raise UnsafeSettings("OMBUDS_SECRET_KEY is the development default: set a random one")
        if len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise UnsafeSettings(
                f"OMBUDS_SECRET_KEY is {len(self.secret_key.encode())} bytes: "
                f"production needs at least {MIN_SECRET_BYTES}"
            )
        if not self.encryption_keys or self.encryption_active_key_id is None:
            raise UnsafeSettings(
                "OMBUDS_ENCRYPTION_KEYS and OMBUDS_ENCRYPTION_ACTIVE_KEY_ID are required in "
                "production (see docs/security.md)"
            )
        if not self.audit_key or len(self.audit_key.encode()) < MIN_SECRET_BYTES:
            raise UnsafeSettings(
                "OMBUDS_AUDIT_KEY is missing or shorter than 32 bytes: production needs one"
            )
        keyring(self)  # a malformed key ring refuses to start, naming the key
        self._refuse_incomplete_mail()
        return self

    def _refuse_incomplete_mail(self) -> None:
        if not self.smtp_host:
            raise UnsafeSettings(
                "OMBUDS_SMTP_HOST is missing: production mails reminders through a mail "
                "server (see docs/notifications.md)"
            )
        if not self.smtp_from:
            raise UnsafeSettings("OMBUDS_SMTP_FROM is missing: messages need a from address")
        if bool(self.smtp_username) != bool(self.smtp_password):
            raise UnsafeSettings(
                "OMBUDS_SMTP_USERNAME and OMBUDS_SMTP_PASSWORD go together: set both or neither"
            )
        if self.smtp_security == "none" and self.smtp_host not in LOOPBACK_HOSTS:
            raise UnsafeSettings(
                "OMBUDS_SMTP_SECURITY is none for a mail server that is not on this machine: "
                "use starttls or tls"
            )
        if not self.public_url.startswith("https://"):
            raise UnsafeSettings(
                "OMBUDS_PUBLIC_URL must be the service's https:// address: messages link to it"
            )


def audit_key(settings: Settings) -> bytes:
    if settings.audit_key:
        return settings.audit_key.encode()
    return derive_key(settings.secret_key, "ombuds audit chain")


def keyring(settings: Settings) -> KeyRing:
    if settings.encryption_keys:
        active = settings.encryption_active_key_id or sorted(settings.encryption_keys)[-1]
        return KeyRing(parse_keys(settings.encryption_keys), active)
    return KeyRing({"dev": derive_key(settings.secret_key, "ombuds encryption at rest")}, "dev")


@lru_cache
def get_settings() -> Settings:
    return Settings()
