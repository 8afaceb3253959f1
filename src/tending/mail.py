"""Outgoing e-mail through `settings.smtp_url`: the one mailer that alerts and reports share."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from tending.config import Settings

SMTP_TIMEOUT_S = 30


class MailNotConfigured(RuntimeError):
    """No usable `smtp_url`: the message cannot be sent, and the caller reports it."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    user: str | None
    password: str | None
    ssl: bool
    starttls: bool


def parse_smtp_url(url: str) -> SmtpTarget:
    """`smtp://user:pass@host:port` (add `?starttls=1` for STARTTLS) or `smtps://...` for implicit TLS."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise MailNotConfigured(f"smtp_url: scheme must be smtp or smtps, got {parts.scheme!r}")
    if not parts.hostname:
        raise MailNotConfigured("smtp_url: no host")
    ssl = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if ssl else 25),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ssl=ssl,
        starttls="starttls=1" in parts.query,
    )


def send_mail(settings: Settings, *, to: list[str], subject: str, text: str, html: str | None = None) -> None:
    """One message to every recipient (all in To): plain text, with an HTML alternative when given."""
    if not settings.smtp_url:
        raise MailNotConfigured("smtp_url is not set; e-mail cannot be sent")
    target = parse_smtp_url(settings.smtp_url)
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    smtp_class = smtplib.SMTP_SSL if target.ssl else smtplib.SMTP
    with smtp_class(target.host, target.port, timeout=SMTP_TIMEOUT_S) as smtp:
        if target.starttls:
            smtp.starttls()
        if target.user:
            smtp.login(target.user, target.password or "")
        smtp.send_message(msg)
