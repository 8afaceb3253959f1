"""Community vitality: members against the people actually talking.

Classification (stated thresholds, per channel or community, over the last 90 days):
- dead: fewer than 5 distinct people talked, or fewer than 1 talker per 100,000 members — a
  16-million-member group with no conversation is dead;
- dormant: fewer than 5 people talked in the last 30 days, or fewer than 10 per 100,000 members in 90 days;
- alive: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tending.channel.models import Channel
from tending.inbox.models import Conversation, Message

DEAD_MIN_TALKERS_90D = 5
DEAD_PER_100K = 1.0
DORMANT_MIN_TALKERS_30D = 5
DORMANT_PER_100K = 10.0


@dataclass
class Vitality:
    channel_id: int
    name: str
    members: int | None
    talkers: dict[int, int]  # days → distinct people who commented or replied
    replies_per_thread: float
    threads_with_dialogue: int  # a brand reply and a customer answer back
    answered_share: float
    returning: int  # people who talked in two different weeks of the 90 days
    status: str = "alive"
    reasons: list[str] = field(default_factory=list)
    # Engagement quality and vanity figures, last 30 days and the 30 before (see community.engagement).
    engagement: dict[str, dict[str, float]] = field(default_factory=dict)


def classify(*, members: int | None, talkers_30: int, talkers_90: int) -> tuple[str, list[str]]:
    per_100k = None if not members else talkers_90 / members * 100_000
    if talkers_90 < DEAD_MIN_TALKERS_90D:
        return "dead", [f"only {talkers_90} people talked in 90 days (dead below {DEAD_MIN_TALKERS_90D})"]
    if per_100k is not None and per_100k < DEAD_PER_100K:
        return "dead", [
            f"{talkers_90} people talked among {members:,} members ({per_100k:.2f} per 100,000; "
            f"dead below {DEAD_PER_100K:g})"
        ]
    if talkers_30 < DORMANT_MIN_TALKERS_30D:
        return "dormant", [
            f"only {talkers_30} people talked in 30 days (dormant below {DORMANT_MIN_TALKERS_30D})"
        ]
    if per_100k is not None and per_100k < DORMANT_PER_100K:
        return "dormant", [
            f"{per_100k:.1f} talkers per 100,000 members in 90 days (dormant below {DORMANT_PER_100K:g})"
        ]
    return "alive", [f"{talkers_30} people talked in 30 days"]


def members_of(channel: Channel) -> int | None:
    value = (channel.config or {}).get("members")
    return int(value) if isinstance(value, int | float) else None


def channel_vitality(session: Session, *, channel: Channel, now: datetime) -> Vitality:
    inbound = (
        Message.channel_id == channel.id,
        Message.direction == "inbound",
        Message.author_id.is_not(None),
        Message.kind.in_(["comment", "reply", "mention", "direct"]),
        Message.created_at <= now,
    )
    talkers = {
        d: session.scalar(
            select(func.count(func.distinct(Message.author_id))).where(
                *inbound, Message.created_at >= now - timedelta(days=d)
            )
        )
        or 0
        for d in (7, 30, 90)
    }
    since = now - timedelta(days=90)
    # A thread is a post with everyone under it (each person's item is one conversation of it), or a
    # direct-message conversation.
    thread = func.coalesce(Conversation.post_key, Conversation.thread_key)
    t = (
        select(
            func.sum(Conversation.message_count).label("messages"),
            func.min(Conversation.first_inbound_at).label("first_in"),
            func.min(Conversation.first_response_at).label("first_out"),
            func.max(Conversation.last_inbound_at).label("last_in"),
        )
        .where(Conversation.channel_id == channel.id, Conversation.last_message_at >= since)
        .group_by(thread)
        .subquery()
    )
    n_threads, messages, asked, answered, dialogue = session.execute(
        select(
            func.count(),
            func.sum(t.c.messages),
            func.count(t.c.first_in),
            func.count(t.c.first_out).filter(t.c.first_in.is_not(None)),
            func.count().filter(t.c.first_out.is_not(None), t.c.last_in > t.c.first_out),
        )
    ).one()
    n_threads, asked, answered, dialogue = (int(x or 0) for x in (n_threads, asked, answered, dialogue))
    replies = int(messages or 0) - n_threads
    weeks = session.execute(
        select(
            Message.author_id,
            func.count(
                func.distinct(
                    func.floor(
                        (
                            func.extract("epoch", Message.created_at)
                            if session.get_bind().dialect.name == "postgresql"
                            else func.strftime("%s", Message.created_at)
                        )
                        / 604800
                    )
                )
            ),
        )
        .where(*inbound, Message.created_at >= since)
        .group_by(Message.author_id)
    ).all()
    returning = sum(1 for _a, w in weeks if (w or 0) >= 2)
    members = members_of(channel)
    status, reasons = classify(members=members, talkers_30=talkers[30], talkers_90=talkers[90])
    return Vitality(
        channel.id,
        channel.name,
        members,
        talkers,
        round(replies / n_threads, 2) if n_threads else 0.0,
        dialogue,
        round(answered / asked, 3) if asked else 0.0,
        returning,
        status,
        reasons,
        _engagement_pair(session, channel=channel, now=now, inbound=inbound, talkers_30=talkers[30]),
    )


def _engagement_pair(
    session: Session, *, channel: Channel, now: datetime, inbound: tuple[Any, ...], talkers_30: int
) -> dict[str, dict[str, float]]:
    previous_talkers = (
        session.scalar(
            select(func.count(func.distinct(Message.author_id))).where(
                *inbound,
                Message.created_at >= now - timedelta(days=60),
                Message.created_at < now - timedelta(days=30),
            )
        )
        or 0
    )
    return {
        "current": _engagement(
            session, channel=channel, start=now - timedelta(days=30), end=now, talkers=talkers_30
        ),
        "previous": _engagement(
            session,
            channel=channel,
            start=now - timedelta(days=60),
            end=now - timedelta(days=30),
            talkers=previous_talkers,
        ),
    }


def _engagement(
    session: Session, *, channel: Channel, start: datetime, end: datetime, talkers: int
) -> dict[str, float]:
    from tending.audience.models import MetricPoint
    from tending.community.engagement import Engagement

    dialogues = (
        session.scalar(
            select(func.count(Conversation.id)).where(
                Conversation.channel_id == channel.id,
                Conversation.first_response_at >= start,
                Conversation.first_response_at < end,
                Conversation.last_inbound_at > Conversation.first_response_at,
            )
        )
        or 0
    )
    replies = (
        session.scalar(
            select(func.count(Message.id)).where(
                Message.channel_id == channel.id,
                Message.direction == "inbound",
                Message.parent_external_id.is_not(None),
                Message.created_at >= start,
                Message.created_at < end,
            )
        )
        or 0
    )

    def growth(name: str) -> float:
        values = list(
            session.scalars(
                select(MetricPoint.value)
                .where(
                    MetricPoint.channel_id == channel.id,
                    MetricPoint.name == name,
                    MetricPoint.at >= start,
                    MetricPoint.at < end,
                )
                .order_by(MetricPoint.at)
            )
        )
        return max(values[-1] - values[0], 0.0) if len(values) >= 2 else 0.0

    e = Engagement(
        dialogues=dialogues,
        replies=replies,
        talkers=talkers,
        likes=int(growth("likes")),
        new_followers=int(growth("followers")),
    )
    return {
        "dialogues": e.dialogues,
        "replies": e.replies,
        "talkers": e.talkers,
        "likes": e.likes,
        "new_followers": e.new_followers,
        "quality": e.quality,
        "vanity": e.vanity,
    }


def workspace_vitality(session: Session, *, workspace_id: int, now: datetime) -> list[Vitality]:
    channels = session.scalars(
        select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id)
    )
    return [channel_vitality(session, channel=c, now=now) for c in channels]


SNAPSHOT_MAX_AGE = timedelta(hours=1)


def refresh_snapshots(session: Session, *, workspace_id: int, now: datetime) -> list[Vitality]:
    """Recompute every channel's vitality and store it (the hourly task and stale pages call this)."""
    from dataclasses import asdict

    from tending.community.models import VitalitySnapshot

    readings = workspace_vitality(session, workspace_id=workspace_id, now=now)
    for v in readings:
        snap = session.scalar(select(VitalitySnapshot).where(VitalitySnapshot.channel_id == v.channel_id))
        if snap is None:
            snap = VitalitySnapshot(workspace_id=workspace_id, channel_id=v.channel_id)
            session.add(snap)
        snap.status = v.status
        snap.computed_at = now
        snap.detail = {**asdict(v), "talkers": {str(k): n for k, n in v.talkers.items()}}
    session.flush()
    return readings


def latest_vitality(session: Session, *, workspace_id: int, now: datetime) -> list[Vitality]:
    """The stored readings, refreshed first when missing or older than an hour."""
    from tending.community.models import VitalitySnapshot

    snaps = list(
        session.scalars(select(VitalitySnapshot).where(VitalitySnapshot.workspace_id == workspace_id))
    )
    channels = session.scalar(select(func.count(Channel.id)).where(Channel.workspace_id == workspace_id)) or 0
    if len(snaps) < channels or any(s.computed_at < now - SNAPSHOT_MAX_AGE for s in snaps):
        return refresh_snapshots(session, workspace_id=workspace_id, now=now)
    out = []
    for s in sorted(snaps, key=lambda s: s.channel_id):
        d = dict(s.detail)
        d["talkers"] = {int(k): n for k, n in d.get("talkers", {}).items()}
        out.append(Vitality(**d))
    return out
