"""Background work of listening: run each active query on a schedule, then look for spikes in it."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from huey.exceptions import RetryTask
from sqlalchemy import select

from tending.database.core import session_scope, utcnow
from tending.listening.models import ListeningQuery
from tending.listening.service import run_query
from tending.listening.spikes import scan_query_spikes
from tending.worker import huey, runtime

log = logging.getLogger(__name__)

RUN_EVERY = timedelta(minutes=15)  # searches are rationed; a quarter hour keeps every quota in reach
SCAN_DAYS = 14


@huey.task(retries=4, retry_delay=120)
def run_query_task(query_id: int) -> dict[str, object]:
    rt = runtime()
    outcome = run_query(rt.session_factory, settings=rt.settings, query_id=query_id)
    now = utcnow()
    with session_scope(rt.session_factory) as session:
        query = session.get(ListeningQuery, query_id)
        raised = (
            scan_query_spikes(session, query=query, since=now - timedelta(days=SCAN_DAYS), until=now, now=now)
            if query is not None
            else 0
        )
    if outcome.retry_after is not None:
        raise RetryTask(
            f"listening query {query_id}: rate limited", delay=min(max(outcome.retry_after, 5), 3600)
        )
    return {"query_id": query_id, "pages": outcome.pages, "new": outcome.stats.new, "spikes": raised}


@huey.periodic_task(crontab(minute="*/5"))
def run_due_queries() -> int:
    """Every 5 minutes, queue each active query not run within `RUN_EVERY`."""
    due = utcnow() - RUN_EVERY
    with session_scope(runtime().session_factory) as session:
        ids = list(
            session.scalars(
                select(ListeningQuery.id).where(
                    ListeningQuery.active.is_(True),
                    (ListeningQuery.last_run_at.is_(None)) | (ListeningQuery.last_run_at < due),
                )
            )
        )
    for qid in ids:
        run_query_task(qid)
    return len(ids)
