"""Background work of campaigns: matching new messages to prepared worst cases."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from tending.campaign.models import Campaign, CampaignStatus
from tending.campaign.scenarios import match_scenarios_batch
from tending.campaign.spikes import scan_campaign_spikes
from tending.database.core import session_scope, utcnow
from tending.worker import huey, runtime


@huey.task(retries=3, retry_delay=30)
def match_scenarios_task(message_ids: list[int]) -> int:
    """Raise scenario alerts for one ingested batch; returns how many were raised."""
    with session_scope(runtime().session_factory) as session:
        return len(match_scenarios_batch(session, message_ids=message_ids))


@huey.periodic_task(crontab(minute="*/5"))
def detect_spikes_in_launched_campaigns() -> int:
    """Every 5 minutes: volume and negative-share spikes of each launched campaign over the last two weeks
    (the detector learns the hour-of-week pattern from them); alerts are raised once per bucket."""
    now = utcnow()
    raised = 0
    with session_scope(runtime().session_factory) as session:
        for campaign_id in session.scalars(
            select(Campaign.id).where(Campaign.status == CampaignStatus.launched.value)
        ):
            raised += len(
                scan_campaign_spikes(
                    session, campaign_id=campaign_id, since=now - timedelta(days=14), until=now, now=now
                )
            )
    return raised
