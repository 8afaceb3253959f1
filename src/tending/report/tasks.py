"""The weekly digest, mailed every Monday at 08:00 UTC to the people of each workspace."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.auth.models import Role
from tending.database.core import utcnow
from tending.report import digest
from tending.report.mail import send_report
from tending.worker import huey, runtime
from tending.workspace.models import Workspace
from tending.workspace.service import members_of

log = logging.getLogger(__name__)


def digest_recipients(session: Session, *, workspace_id: int) -> list[str]:
    """Admins and brand members: the digest is the brand's own weekly look; agencies get the audit instead."""
    return [
        u.email for u in members_of(session, workspace_id) if u.role in (Role.admin.value, Role.member.value)
    ]


def send_weekly_digests() -> int:
    """One digest per workspace; returns how many were sent (0 without an SMTP server)."""
    rt = runtime()
    if not rt.settings.smtp_url:
        log.info("weekly digest not mailed: smtp_url is not set")
        return 0
    sent = 0
    now = utcnow()
    with rt.session_factory() as session:
        for ws in session.scalars(select(Workspace).order_by(Workspace.id)):
            recipients = digest_recipients(session, workspace_id=ws.id)
            if not recipients:
                continue
            report = digest.build(session, workspace=ws, now=now)
            try:
                if send_report(rt.settings, report, recipients):
                    sent += 1
            except (OSError, ValueError) as exc:  # one bad server answer must not stop the other workspaces
                log.warning("weekly digest of %s not sent: %s", ws.slug, exc)
    return sent


@huey.periodic_task(crontab(day_of_week="1", hour="8", minute="0"))
def mail_weekly_digests() -> int:
    return send_weekly_digests()
