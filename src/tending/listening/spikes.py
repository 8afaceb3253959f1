"""Spikes in what a listening query hears: the detector, rules and alerts inbox of channel spikes.

The hourly volume and negative share of each query's results run through `tending.detection`'s band
scorer with the same minimum count and excess as the desk's own traffic; a bucket out of its band is
kept once (`ListeningSpike`) and raised through the alerts domain — as the campaign's alert when the
query was made from a campaign, so talk that never tags the brand reaches its worst-case watch.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.campaign.spikes import (
    SCAN_RESOLUTION,
    VolumeBucket,
    bucket_seconds,
    describe_spike,
    worth_alerting,
)
from tending.listening.models import ListeningQuery, ListeningResult, ListeningSpike
from tending.listening.service import result_series

MAX_EVIDENCE = 5


def _excerpt(session: Session, query: ListeningQuery, at: datetime, width: int) -> str:
    end = datetime.fromtimestamp(at.timestamp() + width, tz=at.tzinfo)
    text = session.scalar(
        select(ListeningResult.text)
        .where(
            ListeningResult.query_id == query.id,
            ListeningResult.created_at >= at,
            ListeningResult.created_at < end,
        )
        .order_by(case((ListeningResult.sentiment == "negative", 0), else_=1), ListeningResult.created_at)
        .limit(1)
    )
    return (text or "")[:280]


def scan_query_spikes(
    session: Session, *, query: ListeningQuery, since: datetime, until: datetime, now: datetime
) -> int:
    """Raise each new spike of the query's results in [since, until) as an alert; returns how many."""
    from tending.detection.scorers import band_scorer  # numpy work, loaded when a scan runs

    width = bucket_seconds(SCAN_RESOLUTION)
    series = [
        VolumeBucket(b.at, b.volume, b.negative, b.triaged)
        for b in result_series(session, query_id=query.id, since=since, until=until, width=width)
    ]
    if not series:
        return 0
    stamps = [b.at for b in series]
    seen = set(
        session.execute(
            select(ListeningSpike.metric, ListeningSpike.at).where(
                ListeningSpike.query_id == query.id, ListeningSpike.at >= stamps[0]
            )
        ).tuples()
    )
    signals: list[AlertSignal] = []
    for metric, share in (("volume", False), ("negative_share", True)):
        values = [b.value(metric) for b in series]
        bands = band_scorer(step_seconds=width, share=share)(stamps, values)
        for bucket, value, band in zip(series, values, bands, strict=True):
            if band is None or math.isnan(value) or value <= band.upper or (metric, bucket.at) in seen:
                continue
            if not worth_alerting(metric, bucket, expected=band.expected):
                continue
            session.add(
                ListeningSpike(
                    workspace_id=query.workspace_id,
                    query_id=query.id,
                    metric=metric,
                    at=bucket.at,
                    value=value,
                    expected=band.expected,
                    created_at=now,
                )
            )
            line = describe_spike(
                metric,
                value=value,
                expected=band.expected,
                resolution=SCAN_RESOLUTION,
                negative=bucket.negative,
                triaged=bucket.triaged,
            )
            summary = f"Listening “{query.name}”: {line}"
            signals.append(
                AlertSignal(
                    kind=IncidentKind.spike if metric == "volume" else IncidentKind.negative_spike,
                    at=bucket.at,
                    title=summary,
                    summary=summary,
                    campaign_id=query.campaign_id,
                    evidence={
                        "metric": metric,
                        "value": value,
                        "expected": round(band.expected, 3),
                        "listening_query_id": query.id,
                        "excerpt": _excerpt(session, query, bucket.at, width),
                    },
                    key=f"listening:{query.id}:{metric}:{int(bucket.at.timestamp())}",
                )
            )
    session.flush()
    record_alerts(session, workspace_id=query.workspace_id, signals=signals)
    return len(signals)
