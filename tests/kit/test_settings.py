from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from pydantic import ValidationError

from ombuds.settings import DEFAULT_SECRET, Environment, Settings

KEYS: dict[str, object] = {
    "encryption_keys": {"k1": base64.b64encode(b"k" * 32).decode()},
    "encryption_active_key_id": "k1",
    "audit_key": "a" * 32,
    "smtp_host": "mail.example.org",
    "smtp_from": "ombuds@example.org",
    "public_url": "https://ombuds.example.org",
}


class TestProductionRefusesUnsafeSecrets:
    @pytest.mark.parametrize(
        ("secret", "reason"),
        [
            ("", "missing"),
            (DEFAULT_SECRET, "development default"),
            ("x" * 31, "31 bytes"),
        ],
    )
    def test_refused_with_the_reason(self, secret: str, reason: str) -> None:
        with pytest.raises(ValidationError, match=reason):
            Settings(env=Environment.production, secret_key=secret)

    def test_a_long_random_secret_is_accepted(self) -> None:
        settings = Settings(env=Environment.production, secret_key="k" * 32, **KEYS)
        assert settings.secret_key == "k" * 32

    def test_production_needs_an_audit_key(self) -> None:
        keys = {k: v for k, v in KEYS.items() if k != "audit_key"}
        with pytest.raises(ValidationError, match="OMBUDS_AUDIT_KEY"):
            Settings(env=Environment.production, secret_key="k" * 32, **keys)

    def test_production_needs_encryption_keys(self) -> None:
        with pytest.raises(ValidationError, match="OMBUDS_ENCRYPTION_KEYS"):
            Settings(env=Environment.production, secret_key="k" * 32)

    def test_a_short_encryption_key_is_refused_by_name(self) -> None:
        short = {**KEYS, "encryption_keys": {"k1": base64.b64encode(b"x" * 16).decode()}}
        with pytest.raises(ValidationError, match="'k1' is 16 bytes"):
            Settings(env=Environment.production, secret_key="k" * 32, **short)

    def test_development_accepts_the_default(self) -> None:
        assert Settings(env=Environment.development).secret_key == DEFAULT_SECRET

    def test_the_command_line_says_exactly_why(self) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "ombuds.cli", "migrate"],
            env={"OMBUDS_ENV": "production", "OMBUDS_SECRET_KEY": "short", "PATH": "/usr/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert "OMBUDS_SECRET_KEY is 5 bytes: production needs at least 32" in result.stderr


class TestProductionRefusesIncompleteMail:
    """Issue: reminders that never leave are worse than none; production names what is
    missing from the mail settings."""

    @pytest.mark.parametrize(
        ("change", "named"),
        [
            ({"smtp_host": None}, "OMBUDS_SMTP_HOST is missing"),
            ({"smtp_from": None}, "OMBUDS_SMTP_FROM is missing"),
            ({"smtp_username": "ombuds"}, "OMBUDS_SMTP_USERNAME and OMBUDS_SMTP_PASSWORD"),
            ({"smtp_password": "secret"}, "OMBUDS_SMTP_USERNAME and OMBUDS_SMTP_PASSWORD"),
            ({"smtp_security": "none"}, "OMBUDS_SMTP_SECURITY is none"),
            ({"public_url": "http://ombuds.example.org"}, "OMBUDS_PUBLIC_URL must be"),
        ],
    )
    def test_refused_naming_the_setting(self, change: dict[str, object], named: str) -> None:
        values = {**KEYS, **change}
        with pytest.raises(ValidationError, match=named):
            Settings(env=Environment.production, secret_key="k" * 32, **values)

    def test_a_relay_on_this_machine_may_go_without_tls(self) -> None:
        values = {**KEYS, "smtp_host": "127.0.0.1", "smtp_security": "none"}
        settings = Settings(env=Environment.production, secret_key="k" * 32, **values)
        assert (settings.smtp_host, settings.smtp_security) == ("127.0.0.1", "none")

    def test_development_needs_no_mail_server(self) -> None:
        assert Settings(env=Environment.development).smtp_host is None


class TestPolicyDefaults:
    def test_defaults_follow_the_policy(self) -> None:
        settings = Settings()
        assert settings.response_period_days == 14  # 4.3.1(ii)
        assert settings.crc_size == 3  # 4.3.1(v)
        assert settings.roll_over_non_working_days is True

    def test_settings_come_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("OMBUDS_RESPONSE_PERIOD_DAYS", "21")
        monkeypatch.setenv("OMBUDS_ROLL_OVER_NON_WORKING_DAYS", "false")
        settings = Settings()
        assert settings.response_period_days == 21
        assert settings.roll_over_non_working_days is False

    def test_nonsense_numbers_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="crc_size"):
            Settings(crc_size=0)
