"""Spikes in what a listening query hears: the detector, rules and alerts inbox of channel spikes.

The hourly volume and negative share of each query's results run through `tending.detection`'s band
scorer with the same minimum count and excess as the desk's own traffic; a bucket out of its band is
kept once (`ListeningSpike`) and raised through the alerts domain — as the campaign's alert when the
query was made from a campaign, so talk that never tags the brand reaches its worst-case watch.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from tending.alerts.channel_spikes import out_of_band
from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.campaign.spikes import SCAN_RESOLUTION, VolumeBucket, bucket_seconds, describe_spike
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
    width = bucket_seconds(SCAN_RESOLUTION)
    series = [
        VolumeBucket(b.at, b.volume, b.negative, b.triaged)
        for b in result_series(session, query_id=query.id, since=since, until=until, width=width)
    ]
    if not series:
        return 0
    seen = set(
        session.execute(
            select(ListeningSpike.metric, ListeningSpike.at).where(
                ListeningSpike.query_id == query.id, ListeningSpike.at >= series[0].at
            )
        ).tuples()
    )
    signals: list[AlertSignal] = []
    for hit in out_of_band(series, width=width, seen=seen):
        session.add(
            ListeningSpike(
                workspace_id=query.workspace_id,
                query_id=query.id,
                metric=hit.metric,
                at=hit.bucket.at,
                value=hit.value,
                expected=hit.expected,
                created_at=now,
            )
        )
        line = describe_spike(
            hit.metric,
            value=hit.value,
            expected=hit.expected,
            resolution=SCAN_RESOLUTION,
            negative=hit.bucket.negative,
            triaged=hit.bucket.triaged,
        )
        summary = f"Listening “{query.name}”: {line}"
        signals.append(
            AlertSignal(
                kind=IncidentKind.spike if hit.metric == "volume" else IncidentKind.negative_spike,
                at=hit.bucket.at,
                title=summary,
                summary=summary,
                campaign_id=query.campaign_id,
                evidence={
                    "metric": hit.metric,
                    "value": hit.value,
                    "expected": round(hit.expected, 3),
                    "listening_query_id": query.id,
                    "excerpt": _excerpt(session, query, hit.bucket.at, width),
                },
                key=f"listening:{query.id}:{hit.metric}:{int(hit.bucket.at.timestamp())}",
            )
        )
    session.flush()
    record_alerts(session, workspace_id=query.workspace_id, signals=signals)
    return len(signals)
