"""Volume and negative-share spikes per channel.

Campaign spikes only count messages that carry the campaign's hashtags or keywords; a recall story
breaking in the comments carries none, and it is the burst a desk most needs to see. The same series,
detector and rules (hourly buckets, minimum count and excess, whole numbers) run over each channel's
whole inbound traffic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from tending.alerts.models import ChannelSpike, IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.campaign.spikes import (
    SCAN_RESOLUTION,
    VolumeBucket,
    bucket_seconds,
    describe_spike,
    volume_series,
    worth_alerting,
)
from tending.channel.models import Channel
from tending.inbox.models import Direction, Message

MAX_MESSAGES = 200


@dataclass(frozen=True)
class OutOfBand:
    """A bucket whose figure rose above its band by enough to alert on."""

    metric: str
    bucket: VolumeBucket
    value: float
    expected: float


def out_of_band(
    series: list[VolumeBucket], *, width: int, seen: set[tuple[str, datetime]]
) -> list[OutOfBand]:
    """The buckets of `series` above their band and worth an alert (volume, then negative share), less
    those already raised (`seen`: metric and bucket start). The one rule of channel and listening spikes."""
    from tending.detection.scorers import band_scorer  # numpy work, loaded when a scan runs

    stamps = [b.at for b in series]
    found = []
    for metric, share in (("volume", False), ("negative_share", True)):
        values = [b.value(metric) for b in series]
        bands = band_scorer(step_seconds=width, share=share)(stamps, values)
        for bucket, value, band in zip(series, values, bands, strict=True):
            if band is None or math.isnan(value) or value <= band.upper or (metric, bucket.at) in seen:
                continue
            if worth_alerting(metric, bucket, expected=band.expected):
                found.append(OutOfBand(metric, bucket, value, band.expected))
    return found


def _bucket_messages(session: Session, channel: Channel, bucket: VolumeBucket, width: int) -> list[Message]:
    """The bucket's inbound messages, negative ones first (they are what a person reads first)."""
    end = datetime.fromtimestamp(bucket.at.timestamp() + width, tz=bucket.at.tzinfo)
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.channel_id == channel.id,
                Message.direction == Direction.inbound.value,
                Message.created_at >= bucket.at,
                Message.created_at < end,
            )
            .order_by(case((Message.sentiment == "negative", 0), else_=1), Message.created_at, Message.id)
            .limit(MAX_MESSAGES)
        )
    )


def scan_channel_spikes(
    session: Session, *, channel: Channel, since: datetime, until: datetime, now: datetime
) -> int:
    """Raise each new spike of the channel in [since, until) into the alerts inbox; returns how many."""
    width = bucket_seconds(SCAN_RESOLUTION)
    series = volume_series(
        session,
        conditions=[
            Message.channel_id == channel.id,
            Message.created_at >= since,
            Message.created_at < until,
        ],
        resolution=SCAN_RESOLUTION,
        since=since,
        until=until,
    )
    if not series:
        return 0
    stamps = [b.at for b in series]
    seen = {
        (m, at)
        for m, at in session.execute(
            select(ChannelSpike.metric, ChannelSpike.at).where(
                ChannelSpike.channel_id == channel.id, ChannelSpike.at >= stamps[0]
            )
        )
    }
    signals: list[AlertSignal] = []
    for hit in out_of_band(series, width=width, seen=seen):
        metric, bucket, value = hit.metric, hit.bucket, hit.value
        session.add(
            ChannelSpike(
                workspace_id=channel.workspace_id,
                channel_id=channel.id,
                metric=metric,
                at=bucket.at,
                value=value,
                expected=hit.expected,
                created_at=now,
            )
        )
        messages = _bucket_messages(session, channel, bucket, width)
        summary = describe_spike(
            metric,
            value=value,
            expected=hit.expected,
            resolution=SCAN_RESOLUTION,
            negative=bucket.negative,
            triaged=bucket.triaged,
        )
        signals.append(
            AlertSignal(
                kind=IncidentKind.spike if metric == "volume" else IncidentKind.negative_spike,
                at=bucket.at,
                title=summary,
                summary=summary,
                channel_id=channel.id,
                evidence={
                    "metric": metric,
                    "value": value,
                    "expected": round(hit.expected, 3),
                    "excerpt": (messages[0].text or "")[:280] if messages else "",
                },
                message_ids=[m.id for m in messages],
                conversation_ids=[m.conversation_id for m in messages],
            )
        )
    record_alerts(session, workspace_id=channel.workspace_id, signals=signals)
    return len(signals)
