"""KPI tracking: the measured series of each KPI against its target and the trajectory expected to reach it.

Computed metrics come from stored messages, one point per UTC day, cumulative from the campaign's start:
  mentions        inbound campaign traffic (see `tending.campaign.traffic`), counted
  replies         inbound messages in the threads of the campaign's own outbound posts, counted
  positive_share  share of inbound campaign traffic read as positive (triage label, VADER otherwise)
Imported metrics (followers, sales, signups, custom) are the values stored with `record_kpi_value`.

Expected trajectory: from the baseline at launch to the target at launch + horizon, linear for most metrics;
for sales and signups it follows (t/horizon)^2, because their effect is expected late. A KPI is
  reached   when the latest value meets the target (in its direction),
  on_track  when it is within ON_TRACK_TOLERANCE of the gap (target - baseline) of the expected value,
  behind    otherwise; no_data without any point; no_target without a target and horizon.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.campaign.models import Campaign, Kpi, KpiDirection, KpiMeasurement, MetricKind
from tending.campaign.polarity import PolarityReader
from tending.campaign.service import get_campaign, list_kpis
from tending.campaign.traffic import campaign_messages, campaign_period, traffic_conditions
from tending.inbox.models import Direction, Message

ON_TRACK_TOLERANCE = 0.10
LATE_METRICS = frozenset({MetricKind.sales, MetricKind.signups})
DAY = timedelta(days=1)


@dataclass(frozen=True)
class KpiPoint:
    at: datetime
    value: float
    expected: float | None


@dataclass(frozen=True)
class KpiProgress:
    kpi_id: int
    name: str
    metric: str
    source: str  # "computed" or "imported"
    target: float | None
    direction: str
    baseline: float | None
    starts_at: datetime | None
    horizon_at: datetime | None
    points: list[KpiPoint]
    trajectory: list[tuple[datetime, float]]
    latest: float | None
    expected_now: float | None
    status: str


def _day(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _daily(
    events: list[tuple[datetime, float]], *, start: datetime, until: datetime
) -> list[tuple[datetime, float]]:
    """Sum of event values per UTC day, every day from `start` to `until`, zeros included."""
    per_day: dict[datetime, float] = defaultdict(float)
    for at, v in events:
        per_day[_day(at)] += v
    out, day = [], _day(start)
    while day < until:
        out.append((min(day + DAY, until), per_day.get(day, 0.0)))
        day += DAY
    return out


def _cumulative(daily: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    total, out = 0.0, []
    for at, v in daily:
        total += v
        out.append((at, total))
    return out


def _computed_series(
    session: Session, campaign: Campaign, metric: str, *, start: datetime, until: datetime
) -> list[tuple[datetime, float]]:
    if until <= start:
        return []
    if metric == MetricKind.replies:
        posts = select(Message.conversation_id).where(
            *traffic_conditions(campaign, until=until), Message.direction == Direction.outbound.value
        )
        rows = session.execute(
            select(Message.created_at).where(
                *traffic_conditions(campaign, until=until, with_identifiers=False),
                Message.direction == Direction.inbound.value,
                Message.conversation_id.in_(posts),
            )
        ).all()
        return _cumulative(_daily([(r[0], 1.0) for r in rows], start=start, until=until))
    inbound = campaign_messages(session, campaign=campaign, direction=Direction.inbound.value, until=until)
    if metric == MetricKind.mentions:
        return _cumulative(_daily([(m.created_at, 1.0) for m in inbound], start=start, until=until))
    reader = PolarityReader()
    positive = [
        (m.created_at, 1.0 if reader.label(sentiment=m.sentiment, text=m.text) == "positive" else 0.0)
        for m in inbound
    ]
    pos_cum = _cumulative(_daily(positive, start=start, until=until))
    all_cum = _cumulative(_daily([(m.created_at, 1.0) for m in inbound], start=start, until=until))
    return [(at, p / n) for (at, p), (_, n) in zip(pos_cum, all_cum, strict=True) if n > 0]


def expected_value(kpi: Kpi, *, baseline: float, start: datetime, at: datetime) -> float | None:
    """Where the KPI should stand at `at` to reach its target by the horizon."""
    if kpi.target is None or not kpi.horizon_days:
        return None
    frac = (at - start) / timedelta(days=kpi.horizon_days)
    frac = min(max(frac, 0.0), 1.0)
    shape = frac**2 if kpi.metric in LATE_METRICS else frac
    return baseline + (kpi.target - baseline) * shape


def _status(kpi: Kpi, *, latest: float | None, expected: float | None, baseline: float) -> str:
    if kpi.target is None or not kpi.horizon_days:
        return "no_target"
    if latest is None or expected is None:
        return "no_data"
    up = kpi.direction != KpiDirection.down
    if (latest >= kpi.target) if up else (latest <= kpi.target):
        return "reached"
    slack = ON_TRACK_TOLERANCE * abs(kpi.target - baseline)
    ok = latest >= expected - slack if up else latest <= expected + slack
    return "on_track" if ok else "behind"


def _progress(session: Session, campaign: Campaign, kpi: Kpi, *, now: datetime) -> KpiProgress:
    start, end = campaign_period(campaign)
    computed = kpi.metric in (MetricKind.mentions, MetricKind.replies, MetricKind.positive_share)
    if computed:
        until = min(now, end) if end is not None else now
        series = _computed_series(session, campaign, kpi.metric, start=start, until=until) if start else []
    else:
        rows = session.scalars(
            select(KpiMeasurement)
            .where(KpiMeasurement.kpi_id == kpi.id, KpiMeasurement.at <= now)
            .order_by(KpiMeasurement.at)
        )
        series = [(m.at, m.value) for m in rows]
    if kpi.baseline is not None:
        baseline = kpi.baseline
    elif kpi.metric in (MetricKind.mentions, MetricKind.replies):
        baseline = 0.0
    else:
        baseline = series[0][1] if series else 0.0
    origin = campaign.launched_at or start
    horizon_at = origin + timedelta(days=kpi.horizon_days) if origin and kpi.horizon_days else None
    points = [
        KpiPoint(at, v, expected_value(kpi, baseline=baseline, start=origin, at=at) if origin else None)
        for at, v in series
    ]
    trajectory: list[tuple[datetime, float]] = []
    if origin is not None and horizon_at is not None and kpi.target is not None:
        at = origin
        while at <= horizon_at:
            exp = expected_value(kpi, baseline=baseline, start=origin, at=at)
            if exp is not None:
                trajectory.append((at, exp))
            at += DAY
    latest = points[-1] if points else None
    expected_now = (
        expected_value(kpi, baseline=baseline, start=origin, at=latest.at) if (origin and latest) else None
    )
    return KpiProgress(
        kpi_id=kpi.id,
        name=kpi.name,
        metric=kpi.metric,
        source="computed" if computed else "imported",
        target=kpi.target,
        direction=kpi.direction,
        baseline=baseline,
        starts_at=origin,
        horizon_at=horizon_at,
        points=points,
        trajectory=trajectory,
        latest=latest.value if latest else None,
        expected_now=expected_now,
        status=_status(
            kpi, latest=latest.value if latest else None, expected=expected_now, baseline=baseline
        ),
    )


def kpi_progress(session: Session, *, campaign_id: int, now: datetime) -> list[KpiProgress]:
    """Every KPI of the campaign with its series, trajectory and status as of `now`."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    return [_progress(session, campaign, k, now=now) for k in list_kpis(session, campaign_id=campaign_id)]
