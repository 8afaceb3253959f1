"""Sending a report by e-mail: HTML with a plain-text part, through `settings.smtp_url`."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from tending.config import Settings
from tending.report.framework import ReportData
from tending.report.render import standalone_html

SMTP_TIMEOUT_S = 30


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
        raise ValueError(f"smtp_url: scheme must be smtp or smtps, got {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("smtp_url: no host")
    ssl = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if ssl else 25),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ssl=ssl,
        starttls="starttls=1" in parts.query,
    )


def plain_text(report: ReportData) -> str:
    lines = [report.title, f"{report.workspace_name}, {report.since.date()} to {report.until.date()}", ""]
    for s in report.sections:
        lines.append(s.title)
        if not s.available:
            lines.append("  not available: " + " ".join(s.notes))
        lines.extend(f"  {label}: {value}" for label, value in s.figures)
        for t in s.tables:
            for row in t.rows[:20]:
                lines.append("  - " + " | ".join("" if v is None else str(v) for v in row))
        lines.append("")
    return "\n".join(lines)


def send_report(settings: Settings, report: ReportData, recipients: list[str]) -> bool:
    """Mail the report to each recipient (one message, all in To); False when no SMTP server is set."""
    if not settings.smtp_url or not recipients:
        return False
    target = parse_smtp_url(settings.smtp_url)
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = report.subject or report.title
    msg.set_content(plain_text(report))
    msg.add_alternative(standalone_html(report), subtype="html")
    smtp_class = smtplib.SMTP_SSL if target.ssl else smtplib.SMTP
    with smtp_class(target.host, target.port, timeout=SMTP_TIMEOUT_S) as smtp:
        if target.starttls:
            smtp.starttls()
        if target.user:
            smtp.login(target.user, target.password or "")
        smtp.send_message(msg)
    return True
