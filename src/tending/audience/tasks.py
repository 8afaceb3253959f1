"""Daily fetch of audience figures from every channel whose network offers them."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from tending.audience.service import fetch_metrics, raise_jump_alerts
from tending.channel.models import Channel
from tending.connectors.bases import ConnectorError
from tending.database.core import session_scope, utcnow
from tending.worker import huey, runtime


@huey.periodic_task(crontab(minute="20", hour="3"))
def fetch_all_metrics() -> int:
    rt = runtime()
    now = utcnow()
    stored = 0
    with session_scope(rt.session_factory) as session:
        for channel in session.scalars(select(Channel).where(Channel.status == "active")):
            try:
                stored += fetch_metrics(
                    session, settings=rt.settings, channel=channel, since=now - timedelta(days=3), until=now
                )
            except ConnectorError:
                continue  # polling reports connection problems; figures come back tomorrow
        for workspace_id in {c.workspace_id for c in session.scalars(select(Channel))}:
            raise_jump_alerts(session, workspace_id=workspace_id, since=now - timedelta(days=3), until=now)
    return stored
