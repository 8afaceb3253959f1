"""Storing audience figures and auditing their growth against what people actually said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.audience.authenticity import Profiles, score_accounts
from tending.audience.growth import DayConversation, Jump, find_jumps, judge, split_growth
from tending.audience.models import MetricPoint
from tending.author.models import Author
from tending.channel.models import Channel
from tending.channel.service import build_connector
from tending.config import Settings
from tending.connectors.bases import MetricsCapability
from tending.database.dialect import upsert_insert
from tending.inbox.models import Message


def store_points(session: Session, *, channel: Channel, points: list[tuple[str, datetime, float]]) -> int:
    """Upsert figures (a re-fetch replaces a day's value instead of adding a second one)."""
    if not points:
        return 0
    table = MetricPoint.__table__
    stmt = upsert_insert(session, table)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel_id", "name", "at"], set_={"value": stmt.excluded.value}
    )
    session.execute(
        stmt,
        [
            {
                "workspace_id": channel.workspace_id,
                "channel_id": channel.id,
                "name": n,
                "at": at,
                "value": float(v),
            }
            for n, at, v in points
        ],
    )
    return len(points)


def fetch_metrics(
    session: Session, *, settings: Settings, channel: Channel, since: datetime, until: datetime
) -> int:
    connector = build_connector(channel, settings=settings)
    if not isinstance(connector, MetricsCapability):
        return 0
    try:
        points = connector.metrics(since=since, until=until)
    finally:
        connector.close()
    return store_points(session, channel=channel, points=[(p.name, p.at, p.value) for p in points])


@dataclass
class ChannelGrowth:
    channel_id: int
    channel: str
    metric: str
    start: float | None
    end: float | None
    jumps: list[Jump]
    genuine_followers: int | None = None
    suspicious_followers: int | None = None


def _commenters_by_day(
    session: Session, *, channel_id: int, since: datetime, until: datetime
) -> dict[date, list[int]]:
    rows = session.execute(
        select(Message.created_at, Message.author_id).where(
            Message.channel_id == channel_id,
            Message.direction == "inbound",
            Message.author_id.is_not(None),
            Message.created_at >= since,
            Message.created_at < until,
        )
    )
    out: dict[date, set[int]] = {}
    for at, author in rows:
        if author is None:
            continue
        out.setdefault(at.astimezone(UTC).date(), set()).add(author)
    return {d: sorted(a) for d, a in out.items()}


def _authenticity(session: Session, author_ids: list[int], now: datetime) -> dict[int, float]:
    if not author_ids:
        return {}
    authors = list(session.scalars(select(Author).where(Author.id.in_(author_ids[:5000]))))
    scores = score_accounts(
        Profiles(
            handle=[a.handle for a in authors],
            created_at=[a.account_created_at for a in authors],
            followers=[a.followers for a in authors],
            following=[a.following for a in authors],
            posts=[a.posts_count for a in authors],
            default_avatar=[a.avatar_is_default for a in authors],
            bio=[a.bio for a in authors],
            verified=[a.verified for a in authors],
        ),
        now=now,
    )
    return {a.id: s.score for a, s in zip(authors, scores, strict=True)}


def growth_audit(
    session: Session, *, workspace_id: int, since: datetime, until: datetime
) -> list[ChannelGrowth]:
    """Each channel's audience figures over the period, their jumps and the verdict on each jump."""
    out = []
    history = since - timedelta(days=35)  # the jump test needs four weeks of history before the period
    channels = session.scalars(
        select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id)
    )
    for ch in channels:
        names = session.scalars(select(MetricPoint.name).where(MetricPoint.channel_id == ch.id).distinct())
        for name in sorted(names):
            rows = session.execute(
                select(MetricPoint.at, MetricPoint.value)
                .where(
                    MetricPoint.channel_id == ch.id,
                    MetricPoint.name == name,
                    MetricPoint.at >= history,
                    MetricPoint.at < until,
                )
                .order_by(MetricPoint.at)
            ).all()
            if len(rows) < 2:
                continue
            days = [r[0].astimezone(UTC).date() for r in rows]
            values = [float(r[1]) for r in rows]
            jumps = [j for j in find_jumps(days, values, metric=name) if j.day >= since.date()]
            if jumps:
                talk = _commenters_by_day(session, channel_id=ch.id, since=history, until=until)
                usual = median([len(talk.get(d, [])) for d in days]) if days else 0.0
                scores = _authenticity(session, sorted({a for ids in talk.values() for a in ids}), until)
                for j in jumps:
                    people = talk.get(j.day, [])
                    med = median([scores[a] for a in people if a in scores]) if people else None
                    judge(j, usual_commenters=float(usual), that_day=DayConversation(len(people), med))
            in_period = [v for d, v in zip(days, values, strict=True) if d >= since.date()]
            growth = ChannelGrowth(
                ch.id,
                ch.name,
                name,
                in_period[0] if in_period else None,
                in_period[-1] if in_period else None,
                jumps,
            )
            if name == "followers" and growth.start is not None and growth.end is not None:
                gained = max(growth.end - growth.start, 0.0)
                bought = sum(j.after - j.before for j in jumps if j.verdict != "likely genuine")
                growth.suspicious_followers = int(min(bought, gained))
                growth.genuine_followers = int(gained - growth.suspicious_followers)
            out.append(growth)
    return out


# A jump is only worth a person's attention when it moves at least this many followers or visits: on a
# series of a handful (a blog's 3 followers becoming 5) a ratio says nothing.
MIN_JUMP = 100


def raise_jump_alerts(session: Session, *, workspace_id: int, since: datetime, until: datetime) -> int:
    """File every jump in [since, until) that is not likely genuine and moves at least MIN_JUMP in the
    alerts inbox, once per channel, figure and day (safe to run daily over overlapping periods); returns
    how many jumps were found."""
    signals = []
    for growth in growth_audit(session, workspace_id=workspace_id, since=since, until=until):
        for j in growth.jumps:
            if j.verdict == "likely genuine" or j.after - j.before < MIN_JUMP:
                continue
            text = f"{j.verdict} {j.metric} jump on {j.day.isoformat()}: {j.before:,.0f} → {j.after:,.0f}"
            signals.append(
                AlertSignal(
                    kind=IncidentKind.audience_jump,
                    at=datetime(j.day.year, j.day.month, j.day.day, tzinfo=UTC),
                    title=text[0].upper() + text[1:],
                    summary=f"{text}: {'; '.join(j.evidence)}" if j.evidence else text,
                    channel_id=growth.channel_id,
                    evidence={"metric": j.metric, "verdict": j.verdict, "before": j.before, "after": j.after},
                    key=f"{growth.channel_id}:{j.metric}:{j.day.isoformat()}",
                )
            )
    record_alerts(session, workspace_id=workspace_id, signals=signals)
    return len(signals)


__all__ = [
    "ChannelGrowth",
    "fetch_metrics",
    "growth_audit",
    "raise_jump_alerts",
    "split_growth",
    "store_points",
]
