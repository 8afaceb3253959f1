"""Hourly cadence checks for every workspace."""

from __future__ import annotations

from huey import crontab
from sqlalchemy import select

from tending.cadence.service import check_cadence
from tending.database.core import utcnow
from tending.worker import huey, runtime
from tending.workspace.models import Workspace


@huey.periodic_task(crontab(minute="7"))
def check_all_cadences() -> int:
    rt = runtime()
    raised = 0
    with rt.session_factory() as session:
        for ws_id in session.scalars(select(Workspace.id)):
            raised += len(check_cadence(session, workspace_id=ws_id, now=utcnow()))
        session.commit()
    return raised
