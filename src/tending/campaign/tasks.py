"""Background work of campaigns: matching new messages to prepared worst cases."""

from __future__ import annotations

from tending.campaign.scenarios import match_scenarios_batch
from tending.database.core import session_scope
from tending.worker import huey, runtime


@huey.task(retries=3, retry_delay=30)
def match_scenarios_task(message_ids: list[int]) -> int:
    """Raise scenario alerts for one ingested batch; returns how many were raised."""
    with session_scope(runtime().session_factory) as session:
        return len(match_scenarios_batch(session, message_ids=message_ids))
