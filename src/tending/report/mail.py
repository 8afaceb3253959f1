"""Sending a report by e-mail: HTML with a plain-text part, through `settings.smtp_url`."""

from __future__ import annotations

from tending.config import Settings
from tending.mail import send_mail
from tending.report.framework import ReportData
from tending.report.render import standalone_html


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
    send_mail(
        settings,
        to=recipients,
        subject=report.subject or report.title,
        text=plain_text(report),
        html=standalone_html(report),
    )
    return True
