"""Scheduled publishing: every minute, due posts are queued; each is claimed by exactly one worker."""

from __future__ import annotations

from huey import crontab

from tending.database.core import utcnow
from tending.publishing.service import due_post_ids, publish, sweep_stale_claims
from tending.worker import huey, runtime


@huey.task()
def publish_post_task(post_id: int) -> str:
    rt = runtime()
    with rt.session_factory() as session:
        return publish(session, settings=rt.settings, post_id=post_id).status


@huey.periodic_task(crontab(minute="*"))
def publish_due_posts() -> int:
    rt = runtime()
    now = utcnow()
    with rt.session_factory() as session:
        sweep_stale_claims(session, settings=rt.settings, now=now)
        ids = due_post_ids(session, now=now)
    for post_id in ids:
        publish_post_task(post_id)
    return len(ids)
