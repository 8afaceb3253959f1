"""Campaign volume in time buckets, and the alert raised when a series leaves its expected band.

Buckets are computed in SQL (GROUP BY the bucket's start in epoch seconds), with one expression per
dialect: SQLite has no date_trunc for 5 minutes, PostgreSQL has no strftime. Empty buckets are filled
with zeros so that a detector sees a regular series.

Negative volume counts messages whose triage label is "negative"; the negative share is taken over
triaged messages only (None where none was triaged), so an untriaged burst does not read as calm.

The detector itself is pluggable: anything matching `SeriesScorer` (a function from a regular series
to an expected band per point) can drive `detect_campaign_spikes`.

A point above its band is not yet worth a person's attention: on a quiet series the expected value is
near zero and one message is "4000x expected". A spike also needs MIN_COUNT messages in the bucket
(negative ones for the negative share) and MIN_EXCESS more than expected, and it is told in whole
numbers: "7 messages in an hour, about 1 expected".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.author.models import Author
from tending.campaign.models import AlertKind, CampaignAlert, Scenario
from tending.campaign.scenarios import ScenarioHit, ScenarioMatcher, positive_flags, scenario_detail
from tending.campaign.service import get_campaign
from tending.campaign.traffic import traffic_conditions
from tending.detection.bands import SeriesScorer
from tending.inbox.models import Direction, Message

RESOLUTIONS: dict[str, int] = {"5min": 300, "1h": 3600, "1d": 86400}
SPANS = {"5min": "5 minutes", "1h": "an hour", "1d": "a day"}
METRICS = ("volume", "negative_volume", "negative_share")
TOP_N = 5
# A spike needs at least this many messages in its bucket (negative ones for the negative share)...
MIN_COUNT = 5
# ...and at least this many more than expected, whatever the ratio.
MIN_EXCESS = 4.0


@dataclass(frozen=True)
class VolumeBucket:
    at: datetime
    volume: int
    negative: int
    triaged: int

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.triaged if self.triaged else None

    def value(self, metric: str) -> float:
        if metric == "volume":
            return float(self.volume)
        if metric == "negative_volume":
            return float(self.negative)
        share = self.negative_share
        return math.nan if share is None else share


def bucket_seconds(resolution: str) -> int:
    try:
        return RESOLUTIONS[resolution]
    except KeyError:
        raise ValueError(f"resolution: {resolution!r} is not one of {', '.join(RESOLUTIONS)}") from None


def bucket_expression(dialect: str, column: Any, width: int) -> ColumnElement[int]:
    """Start of the bucket holding `column`, in epoch seconds, for SQLite or PostgreSQL."""
    if dialect == "sqlite":
        return (cast(func.strftime("%s", column), Integer) // width) * width
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / width), BigInteger) * width
    raise NotImplementedError(f"unsupported database backend: {dialect}")


def _floor(t: datetime, width: int) -> datetime:
    epoch = int(t.astimezone(UTC).timestamp())
    return datetime.fromtimestamp(epoch - epoch % width, tz=UTC)


def volume_series(
    session: Session,
    *,
    conditions: Sequence[ColumnElement[bool]],
    resolution: str,
    since: datetime,
    until: datetime,
) -> list[VolumeBucket]:
    """Inbound messages matching `conditions` per bucket from `since` (floored, so the first bucket is
    whole) to `until` (exclusive), zeros included."""
    width = bucket_seconds(resolution)
    since = _floor(since, width)
    bucket = bucket_expression(session.get_bind().dialect.name, Message.created_at, width).label("bucket")
    rows = session.execute(
        select(
            bucket,
            func.count(),
            func.sum(case((Message.sentiment == "negative", 1), else_=0)),
            func.sum(case((Message.sentiment.is_not(None), 1), else_=0)),
        )
        .where(*conditions, Message.direction == Direction.inbound.value)
        .group_by(bucket)
    ).all()
    found = {int(b): (int(n), int(neg or 0), int(tri or 0)) for b, n, neg, tri in rows}
    out: list[VolumeBucket] = []
    at = since
    while at < until:
        n, neg, tri = found.get(int(at.timestamp()), (0, 0, 0))
        out.append(VolumeBucket(at, n, neg, tri))
        at += timedelta(seconds=width)
    return out


def campaign_volume_series(
    session: Session, *, campaign_id: int, resolution: str = "5min", since: datetime, until: datetime
) -> list[VolumeBucket]:
    """The campaign's inbound traffic per bucket (see `volume_series`)."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    start = _floor(since, bucket_seconds(resolution))
    return volume_series(
        session,
        conditions=traffic_conditions(campaign, since=start, until=until),
        resolution=resolution,
        since=since,
        until=until,
    )


def about(expected: float) -> str:
    """An expectation as a person says it: "almost none", "about 1", "about 40"."""
    if expected < 0.5:
        return "almost none"
    if expected < 20:
        return f"about {max(1, round(expected))}"
    return f"about {round(expected, -1):.0f}"


def describe_spike(
    metric: str, *, value: float, expected: float, resolution: str, negative: int = 0, triaged: int = 0
) -> str:
    """The alert's one line, rounded for people."""
    span = SPANS.get(resolution, resolution)
    if metric == "negative_share":
        return (
            f"{value:.0%} negative ({negative} of {triaged} messages) in {span}, about {expected:.0%} usual"
        )
    noun = "negative messages" if metric == "negative_volume" else "messages"
    n = round(value)
    return f"{n} {noun if n != 1 else noun[:-1]} in {span}, {about(expected)} expected"


def worth_alerting(metric: str, bucket: VolumeBucket, *, expected: float) -> bool:
    """The minimum count and excess a spike needs besides leaving its band (see the module note)."""
    if metric == "negative_share":
        excess = bucket.negative - expected * bucket.triaged
        return bucket.negative >= MIN_COUNT and excess >= MIN_EXCESS
    value = bucket.value(metric)
    return value >= MIN_COUNT and value - expected >= MIN_EXCESS


def raise_spike_alert(
    session: Session,
    *,
    campaign_id: int,
    metric: str,
    at: datetime,
    value: float,
    expected: float,
    lower: float,
    upper: float,
    now: datetime,
    resolution: str = "5min",
) -> CampaignAlert:
    """Record what rose, by how much against the expected band, who and what drove it, and the prepared
    scenario that fits the bucket best. One alert per campaign, metric and bucket."""
    if metric not in METRICS:
        raise ValueError(f"metric: {metric!r} is not one of {', '.join(METRICS)}")
    campaign = get_campaign(session, campaign_id=campaign_id)
    width = bucket_seconds(resolution)
    start = _floor(at, width)
    existing = session.scalar(
        select(CampaignAlert).where(
            CampaignAlert.campaign_id == campaign_id,
            CampaignAlert.kind == AlertKind.spike.value,
            CampaignAlert.metric == metric,
            CampaignAlert.at == start,
        )
    )
    if existing is not None:
        return existing

    rows = session.execute(
        select(Message, Author)
        .outerjoin(Author, Author.id == Message.author_id)
        .where(
            *traffic_conditions(campaign, since=start, until=start + timedelta(seconds=width)),
            Message.direction == Direction.inbound.value,
        )
    ).all()
    negative_first = metric != "volume"
    ranked = sorted(
        rows,
        key=lambda r: (
            -(negative_first and r[0].sentiment == "negative"),
            -((r[1].followers or 0) if r[1] else 0),
            r[0].created_at,
            r[0].id,
        ),
    )
    top_messages = [
        {
            "message_id": m.id,
            "text": (m.text or "")[:280],
            "sentiment": m.sentiment,
            "author": (a.handle or a.name) if a else None,
            "followers": a.followers if a else None,
            "created_at": m.created_at.isoformat(),
        }
        for m, a in ranked[:TOP_N]
    ]
    per_author = Counter(a.id for _, a in rows if a is not None)
    authors = {a.id: a for _, a in rows if a is not None}
    top_authors = [
        {
            "author_id": aid,
            "handle": authors[aid].handle,
            "name": authors[aid].name,
            "messages": n,
            "followers": authors[aid].followers,
        }
        for aid, n in sorted(per_author.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    ]

    scenario_info: dict[str, Any] | None = None
    scenarios = list(session.scalars(select(Scenario).where(Scenario.campaign_id == campaign_id)))
    if scenarios and rows:
        counts: Counter[int] = Counter()
        first_hit: dict[int, ScenarioHit] = {}
        matcher = ScenarioMatcher(scenarios, ignore_terms=campaign.identifiers)
        texts = [m for m, _ in rows]
        for hits in matcher.match([m.text for m in texts], positive=positive_flags(texts)):
            for h in hits:
                counts[h.scenario.id] += 1
                first_hit.setdefault(h.scenario.id, h)
        if counts:
            best_id, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            scenario_info = scenario_detail(session, first_hit[best_id]) | {"matching_messages": n}

    rise = value - expected
    negative = sum(1 for m, _ in rows if m.sentiment == "negative")
    triaged = sum(1 for m, _ in rows if m.sentiment is not None)
    summary = describe_spike(
        metric, value=value, expected=expected, resolution=resolution, negative=negative, triaged=triaged
    )
    spread = upper - expected
    alert = CampaignAlert(
        workspace_id=campaign.workspace_id,
        campaign_id=campaign_id,
        scenario_id=scenario_info["scenario_id"] if scenario_info else None,
        kind=AlertKind.spike.value,
        metric=metric,
        at=start,
        score=round(rise / spread, 4) if spread > 0 else round(rise, 4),
        detail={
            "summary": summary,
            "metric": metric,
            "resolution": resolution,
            "bucket_start": start.isoformat(),
            "value": value,
            "expected": expected,
            "lower": lower,
            "upper": upper,
            "above_expected": rise,
            "above_upper": value - upper,
            "ratio_to_expected": (value / expected) if expected > 0 else None,
            "messages_in_bucket": len(rows),
            "top_messages": top_messages,
            "top_authors": top_authors,
            "scenario": scenario_info,
        },
        created_at=now,
    )
    session.add(alert)
    session.flush()
    evidence: dict[str, Any] = {"campaign_alert_id": alert.id, "metric": metric}
    if scenario_info:
        evidence |= {"scenario": scenario_info["scenario"], "reaction": scenario_info["reaction"]}
    if top_messages:
        evidence["excerpt"] = top_messages[0]["text"]
    record_alerts(
        session,
        workspace_id=campaign.workspace_id,
        signals=[
            AlertSignal(
                kind=IncidentKind.spike if metric == "volume" else IncidentKind.negative_spike,
                at=start,
                title=summary,
                summary=summary,
                campaign_id=campaign_id,
                evidence=evidence,
                message_ids=[m.id for m, _ in ranked],
                conversation_ids=[m.conversation_id for m, _ in ranked],
            )
        ],
    )
    return alert


def detect_campaign_spikes(
    session: Session,
    *,
    campaign_id: int,
    scorer: SeriesScorer,
    since: datetime,
    until: datetime,
    now: datetime,
    resolution: str = "5min",
    metrics: Sequence[str] = ("volume", "negative_share"),
) -> list[CampaignAlert]:
    """Run a detector over the campaign's series and raise an alert for every point above its band that
    also has the minimum count and excess (`worth_alerting`)."""
    series = campaign_volume_series(
        session, campaign_id=campaign_id, resolution=resolution, since=since, until=until
    )
    stamps = [b.at for b in series]
    alerts = []
    for metric in metrics:
        values = [b.value(metric) for b in series]
        for bucket, v, band in zip(series, values, scorer(stamps, values), strict=True):
            at = bucket.at
            if band is None or math.isnan(v) or v <= band.upper:
                continue
            if not worth_alerting(metric, bucket, expected=band.expected):
                continue
            alerts.append(
                raise_spike_alert(
                    session,
                    campaign_id=campaign_id,
                    metric=metric,
                    at=at,
                    value=v,
                    expected=band.expected,
                    lower=band.lower,
                    upper=band.upper,
                    now=now,
                    resolution=resolution,
                )
            )
    return alerts


# What the periodic scan and the demo's history both run: hourly buckets (a 5-minute bucket rarely holds
# MIN_COUNT messages even in a real burst), volume and negative share, the streaming detector's bands.
SCAN_RESOLUTION = "1h"


def scan_campaign_spikes(
    session: Session, *, campaign_id: int, since: datetime, until: datetime, now: datetime
) -> list[CampaignAlert]:
    """Volume and negative-share spikes of one campaign over [since, until); raised once per bucket."""
    from tending.detection.scorers import band_scorer  # the detector's numpy work, loaded when a scan runs

    step = bucket_seconds(SCAN_RESOLUTION)
    alerts: list[CampaignAlert] = []
    for metric, share in (("volume", False), ("negative_share", True)):
        alerts += detect_campaign_spikes(
            session,
            campaign_id=campaign_id,
            scorer=band_scorer(step_seconds=step, share=share),
            since=since,
            until=until,
            now=now,
            resolution=SCAN_RESOLUTION,
            metrics=(metric,),
        )
    return alerts
