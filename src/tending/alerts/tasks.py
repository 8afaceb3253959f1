"""Background work of the alerts inbox: the channel spike scan."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from tending.alerts.channel_spikes import scan_channel_spikes
from tending.channel.models import Channel
from tending.database.core import session_scope, utcnow
from tending.worker import huey, runtime

SCAN_DAYS = 14  # the detector learns each channel's hour-of-week pattern from two weeks


@huey.periodic_task(crontab(minute="*/5"))
def scan_channels_for_spikes() -> int:
    """Every 5 minutes: volume and negative-share spikes of every active channel; each bucket once."""
    now = utcnow()
    raised = 0
    with session_scope(runtime().session_factory) as session:
        for channel in session.scalars(select(Channel).where(Channel.status == "active")):
            raised += scan_channel_spikes(
                session, channel=channel, since=now - timedelta(days=SCAN_DAYS), until=now, now=now
            )
    return raised
