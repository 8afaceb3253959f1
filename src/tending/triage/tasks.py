"""Triage runs in the background right after ingestion."""

from __future__ import annotations

from tending.database.core import session_scope
from tending.triage.service import triage_messages
from tending.worker import huey, runtime


@huey.task(retries=3, retry_delay=30)
def triage_task(message_ids: list[int]) -> int:
    rt = runtime()
    model = "embeddings" if rt.settings.embeddings else "default"
    with session_scope(rt.session_factory) as session:
        return triage_messages(session, message_ids=message_ids, model=model)
