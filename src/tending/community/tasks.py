"""Hourly vitality readings of every workspace's channels."""

from __future__ import annotations

from huey import crontab
from sqlalchemy import select

from tending.community.vitality import refresh_snapshots
from tending.database.core import session_scope, utcnow
from tending.worker import huey, runtime
from tending.workspace.models import Workspace


@huey.periodic_task(crontab(minute="15"))
def refresh_vitality() -> int:
    with session_scope(runtime().session_factory) as session:
        ids = list(session.scalars(select(Workspace.id)))
        for ws_id in ids:
            refresh_snapshots(session, workspace_id=ws_id, now=utcnow())
    return len(ids)
