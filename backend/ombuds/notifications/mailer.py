"""Handing messages to the mail server (aiosmtplib), or, in development without one, to a
Maildir a developer can read (`OMBUDS_MAIL_DIR`; production refuses to start without a
mail server).

A mailer takes a round's messages and answers, for each, None (the server accepted it) or
the exception that stopped it; delivery.py keeps only the exception's type."""

from __future__ import annotations

import asyncio
import mailbox
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib

from ombuds.kit.clock import utcnow
from ombuds.notifications.messages import Message
from ombuds.settings import Settings

DEVELOPMENT_FROM = "Ombuds <ombuds@localhost>"

Outcome = BaseException | None


class Mailer(Protocol):
    async def send(self, messages: Sequence[EmailMessage]) -> list[Outcome]: ...


def email(message: Message, to: str, settings: Settings) -> EmailMessage:
    """The message as sent: both parts (multipart/alternative), and headers saying it is
    automatic (RFC 3834), so that no auto-reply quotes it back."""
    sender = settings.smtp_from or DEVELOPMENT_FROM
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    out = EmailMessage()
    out["Subject"] = message.subject
    out["From"] = sender
    out["To"] = to
    out["Date"] = format_datetime(utcnow())
    out["Message-ID"] = make_msgid(domain=domain)
    out["Auto-Submitted"] = "auto-generated"
    out["X-Auto-Response-Suppress"] = "All"
    out.set_content(message.text)
    out.add_alternative(message.html, subtype="html")
    out["Content-Language"] = f"{message.language}-CA"  # after: set_content drops Content-*
    return out


class SmtpMailer:
    """One connection a round: connected (TLS from the start, or upgraded by STARTTLS, or
    plain to a loopback relay), signed in when a username is set, then each message."""

    def __init__(self, settings: Settings, tls_context: ssl.SSLContext | None = None) -> None:
        assert settings.smtp_host is not None
        self.settings = settings
        self.tls_context = tls_context or ssl.create_default_context()

    def client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout_seconds,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            tls_context=self.tls_context if s.smtp_security != "none" else None,
            local_hostname="localhost",  # not the machine's name
        )

    async def send(self, messages: Sequence[EmailMessage]) -> list[Outcome]:
        if not messages:
            return []
        smtp = self.client()
        try:
            await smtp.connect()
            if self.settings.smtp_username:
                await smtp.login(self.settings.smtp_username, self.settings.smtp_password or "")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            smtp.close()
            return [exc] * len(messages)
        outcomes: list[Outcome] = []
        try:
            for message in messages:
                try:
                    await smtp.send_message(message)
                except (aiosmtplib.SMTPServerDisconnected, OSError, TimeoutError) as exc:
                    # The connection is gone: this message and the rest wait for a retry.
                    outcomes += [exc] * (len(messages) - len(outcomes))
                    break
                except aiosmtplib.SMTPException as exc:  # refused: the next may still go
                    outcomes.append(exc)
                else:
                    outcomes.append(None)
        finally:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                smtp.close()
        return outcomes


class MaildirMailer:
    """Development without a mail server: every message lands in a Maildir (read it with
    any mail client, `mutt -f var/mail`, or as files under var/mail/new)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _write(self, messages: Sequence[EmailMessage]) -> list[Outcome]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(self.path, create=True)
        outcomes: list[Outcome] = []
        for message in messages:
            try:
                box.add(message)
            except OSError as exc:
                outcomes.append(exc)
            else:
                outcomes.append(None)
        return outcomes

    async def send(self, messages: Sequence[EmailMessage]) -> list[Outcome]:
        return await asyncio.to_thread(self._write, messages)


def mailer_for(settings: Settings, tls_context: ssl.SSLContext | None = None) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings, tls_context)
    return MaildirMailer(settings.mail_dir)


def permanent(outcome: BaseException) -> bool:
    """The server refused the recipient for good (a 5xx reply to RCPT TO): retrying cannot
    help. Everything else (no connection, a 4xx, a wrong password) is tried again."""
    if isinstance(outcome, aiosmtplib.SMTPRecipientsRefused):
        return bool(outcome.recipients) and all(r.code >= 500 for r in outcome.recipients)
    return isinstance(outcome, aiosmtplib.SMTPRecipientRefused) and outcome.code >= 500
