"""Figures of the overview page, read through SQL: what waits for an answer, volume and tone by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tending.inbox.models import Conversation, Message

AGE_BUCKETS = [
    ("under 1 h", 0, 1),
    ("1–4 h", 1, 4),
    ("4–24 h", 4, 24),
    ("1–3 days", 24, 72),
    ("over 3 days", 72, None),
]


@dataclass
class WaitingBucket:
    label: str
    count: int
    off_hours: int


def is_off_hours(at: datetime, tz: ZoneInfo) -> bool:
    """Outside 09:00–18:00 on weekdays, in the workspace's time zone: when the 2 a.m. messages come."""
    local = at.astimezone(tz)
    return local.weekday() >= 5 or not 9 <= local.hour < 18


def waiting_by_age(
    session: Session, *, workspace_id: int, timezone: str, now: datetime
) -> list[WaitingBucket]:
    rows = session.execute(
        select(Conversation.last_inbound_at).where(
            Conversation.workspace_id == workspace_id,
            Conversation.needs_reply.is_(True),
            Conversation.status != "closed",
        )
    ).all()
    tz = ZoneInfo(timezone)
    buckets = {label: WaitingBucket(label, 0, 0) for label, _lo, _hi in AGE_BUCKETS}
    for (at,) in rows:
        if at is None:
            continue
        age_h = (now - at).total_seconds() / 3600
        for label, lo, hi in AGE_BUCKETS:
            if age_h >= lo and (hi is None or age_h < hi):
                buckets[label].count += 1
                buckets[label].off_hours += is_off_hours(at, tz)
                break
    return list(buckets.values())


@dataclass
class DailyTone:
    day: str
    inbound: int
    negative: int

    @property
    def negative_share(self) -> float:
        return self.negative / self.inbound if self.inbound else 0.0


def daily_volume(session: Session, *, workspace_id: int, since: datetime, until: datetime) -> list[DailyTone]:
    day = func.date(Message.created_at)
    rows = session.execute(
        select(day, func.count(Message.id), func.sum(case((Message.sentiment == "negative", 1), else_=0)))
        .where(
            Message.workspace_id == workspace_id,
            Message.direction == "inbound",
            Message.created_at >= since,
            Message.created_at < until,
        )
        .group_by(day)
        .order_by(day)
    ).all()
    by_day = {str(d): DailyTone(str(d), int(n), int(neg or 0)) for d, n, neg in rows}
    out = []
    cursor = since.date()
    while cursor < until.date() + timedelta(days=1) and cursor <= until.date():
        key = cursor.isoformat()
        out.append(by_day.get(key, DailyTone(key, 0, 0)))
        cursor += timedelta(days=1)
    return out


def response_rate(session: Session, *, workspace_id: int, since: datetime) -> tuple[int, int]:
    """Conversations opened since `since` by a customer, and how many got a brand answer."""
    opened = Conversation.workspace_id == workspace_id, Conversation.first_inbound_at >= since
    total = session.scalar(select(func.count(Conversation.id)).where(*opened)) or 0
    answered = (
        session.scalar(
            select(func.count(Conversation.id)).where(*opened, Conversation.first_response_at.is_not(None))
        )
        or 0
    )
    return total, answered
