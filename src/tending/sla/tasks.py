"""Periodic SLA check: warnings, breaches, escalations and notifications, every minute."""

from __future__ import annotations

from huey import crontab
from sqlalchemy import select

from tending.database.core import session_scope, utcnow
from tending.sla.models import SlaPolicy
from tending.sla.service import check_sla
from tending.worker import huey, runtime


@huey.periodic_task(crontab(minute="*"))
def check_sla_all_workspaces() -> int:
    """Check each workspace that has an active policy in its own transaction; returns alerts raised."""
    rt = runtime()
    with rt.session_factory() as session:
        ws_ids = list(
            session.scalars(select(SlaPolicy.workspace_id).where(SlaPolicy.active.is_(True)).distinct())
        )
    raised = 0
    for ws_id in ws_ids:
        with session_scope(rt.session_factory) as session:
            raised += len(check_sla(session, workspace_id=ws_id, now=utcnow(), settings=rt.settings))
    return raised
