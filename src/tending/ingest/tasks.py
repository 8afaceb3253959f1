"""Polling tasks: each channel is polled on a schedule; failures retry with the network's delay."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab
from huey.exceptions import RetryTask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.channel.models import Channel, ChannelStatus
from tending.database.core import utcnow
from tending.ingest.poll import poll_channel
from tending.ingest.signals import after_ingest
from tending.worker import huey, runtime

log = logging.getLogger(__name__)


@huey.task(retries=8, retry_delay=60)
def poll_channel_task(channel_id: int) -> dict[str, object]:
    rt = runtime()
    outcome = poll_channel(
        rt.session_factory,
        settings=rt.settings,
        channel_id=channel_id,
        on_batch=lambda stats: after_ingest(stats.new_message_ids),
    )
    if outcome.retry_after is not None:
        # Rate limits and 5xx: try again after the delay the network asked for (bounded).
        raise RetryTask(
            f"channel {channel_id}: {outcome.error}", delay=min(max(outcome.retry_after, 5), 3600)
        )
    return {
        "channel_id": channel_id,
        "pages": outcome.pages,
        "new": outcome.stats.new,
        "error": outcome.error,
    }


def due_channel_ids(session: Session, *, now: datetime, interval_s: int) -> list[int]:
    """Active channels not polled within `interval_s`; one waiting for new credentials is not due."""
    due = now - timedelta(seconds=interval_s)
    return list(
        session.scalars(
            select(Channel.id).where(
                Channel.status == ChannelStatus.active.value,
                (Channel.last_polled_at.is_(None)) | (Channel.last_polled_at < due),
            )
        )
    )


@huey.periodic_task(crontab(minute="*"))
def poll_due_channels() -> int:
    """Every minute, queue a poll of each active channel not polled within `poll_interval_s`."""
    rt = runtime()
    with rt.session_factory() as session:
        ids = due_channel_ids(session, now=utcnow(), interval_s=rt.settings.poll_interval_s)
    for cid in ids:
        poll_channel_task(cid)
    return len(ids)
