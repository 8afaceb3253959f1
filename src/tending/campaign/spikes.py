"""Campaign volume in time buckets, and the alert raised when a series leaves its expected band.

Buckets are computed in SQL (GROUP BY the bucket's start in epoch seconds), with one expression per
dialect: SQLite has no date_trunc for 5 minutes, PostgreSQL has no strftime. Empty buckets are filled
with zeros so that a detector sees a regular series.

Negative volume counts messages whose triage label is "negative"; the negative share is taken over
triaged messages only (None where none was triaged), so an untriaged burst does not read as calm.

The detector itself is pluggable: anything matching `SeriesScorer` (a function from a regular series
to an expected band per point) can drive `detect_campaign_spikes`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import BigInteger, ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from tending.author.models import Author
from tending.campaign.models import AlertKind, CampaignAlert, Scenario
from tending.campaign.scenarios import ScenarioHit, ScenarioMatcher, scenario_detail
from tending.campaign.service import get_campaign
from tending.campaign.traffic import traffic_conditions
from tending.inbox.models import Direction, Message

RESOLUTIONS: dict[str, int] = {"5min": 300, "1h": 3600, "1d": 86400}
METRICS = ("volume", "negative_volume", "negative_share")
TOP_N = 5


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


def campaign_volume_series(
    session: Session, *, campaign_id: int, resolution: str = "5min", since: datetime, until: datetime
) -> list[VolumeBucket]:
    """Inbound campaign traffic per bucket from `since` (floored, so the first bucket is whole) to `until`
    (exclusive), zeros included."""
    width = bucket_seconds(resolution)
    since = _floor(since, width)
    campaign = get_campaign(session, campaign_id=campaign_id)
    bucket = bucket_expression(session.get_bind().dialect.name, Message.created_at, width).label("bucket")
    rows = session.execute(
        select(
            bucket,
            func.count(),
            func.sum(case((Message.sentiment == "negative", 1), else_=0)),
            func.sum(case((Message.sentiment.is_not(None), 1), else_=0)),
        )
        .where(
            *traffic_conditions(campaign, since=since, until=until),
            Message.direction == Direction.inbound.value,
        )
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


@dataclass(frozen=True)
class Band:
    expected: float
    lower: float
    upper: float


class SeriesScorer(Protocol):
    """A detector: for a regular series (NaN where unknown), the expected band at each point, or None
    while it has not seen enough to say."""

    def __call__(self, timestamps: Sequence[datetime], values: Sequence[float]) -> Sequence[Band | None]: ...


def _label(metric: str, v: float) -> str:
    return f"{v:.0%}" if metric == "negative_share" else f"{v:g}"


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
        for hits in matcher.match([m.text for m, _ in rows]):
            for h in hits:
                counts[h.scenario.id] += 1
                first_hit.setdefault(h.scenario.id, h)
        if counts:
            best_id, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            scenario_info = scenario_detail(session, first_hit[best_id]) | {"matching_messages": n}

    rise = value - expected
    summary = (
        f"{metric.replace('_', ' ')} rose to {_label(metric, value)} at {start.isoformat()} "
        f"(expected {_label(metric, expected)}, band {_label(metric, lower)}-{_label(metric, upper)})"
    )
    if expected > 0:
        summary += f": {value / expected:.1f}x expected"
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
    """Run a detector over the campaign's series and raise an alert for every point above its band."""
    series = campaign_volume_series(
        session, campaign_id=campaign_id, resolution=resolution, since=since, until=until
    )
    stamps = [b.at for b in series]
    alerts = []
    for metric in metrics:
        values = [b.value(metric) for b in series]
        for at, v, band in zip(stamps, values, scorer(stamps, values), strict=True):
            if band is None or math.isnan(v) or v <= band.upper:
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
