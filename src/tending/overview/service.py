"""Figures of the overview page, read through SQL: what waits for an answer, volume and tone by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column, select, text, true
from sqlalchemy.orm import Session

from tending.inbox.models import Conversation
from tending.stats.service import daily

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


# The SQLite slot expression, written exactly as the index `ix_conversation_waiting_slot` declares it (with
# literals, not bound parameters) so that the planner reads the slots in index order: no sort, no table reads.
SQLITE_WAITING_SLOT = (
    "substr(conversation.waiting_since, 1, 14) "
    "|| ((CAST(substr(conversation.waiting_since, 15, 2) AS INTEGER) / 15) * 15)"
)


def _waiting_slots(session: Session, *, workspace_id: int) -> list[tuple[str, int]]:
    """Waiting messages per UTC quarter-hour of `waiting_since`, as ('YYYY-MM-DD HH:MM', count): every real
    time-zone offset is a multiple of 15 min, so each slot is wholly on- or off-hours in local time."""
    slot: Any
    if session.get_bind().dialect.name == "sqlite":
        # Times are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' text; the slot reads 'YYYY-MM-DD HH:' + minute.
        slot = literal_column(SQLITE_WAITING_SLOT)
    else:
        start = func.date_trunc("hour", Conversation.waiting_since) + func.floor(
            func.extract("minute", Conversation.waiting_since) / 15
        ) * text("interval '15 minutes'")
        slot = func.to_char(start, "YYYY-MM-DD HH24:MI")
    rows = session.execute(
        select(slot, func.sum(Conversation.waiting_count))
        .where(
            Conversation.workspace_id == workspace_id,
            Conversation.needs_reply == true(),
            Conversation.status != "closed",
            slot.is_not(None),  # null exactly when waiting_since is
        )
        .group_by(slot)
    ).all()
    out = []
    for slot_text, n in rows:
        hour, minute = slot_text.rsplit(":", 1)
        out.append((f"{hour}:{int(minute):02d}", int(n or 0)))
    return out


def waiting_by_age(
    session: Session, *, workspace_id: int, timezone: str, now: datetime
) -> list[WaitingBucket]:
    """Messages waiting for a reply by how long they have waited, counted in SQL by quarter-hour: each
    conversation's waiting messages (`waiting_count`) at the age of its oldest waiting one (`waiting_since`),
    so the figures count people's messages while reading one index entry per conversation."""
    tz = ZoneInfo(timezone)
    buckets = {label: WaitingBucket(label, 0, 0) for label, _lo, _hi in AGE_BUCKETS}
    for slot_text, n in _waiting_slots(session, workspace_id=workspace_id):
        at = datetime.fromisoformat(f"{slot_text}:00+00:00")
        age_h = max((now - at).total_seconds() / 3600, 0.0)
        for label, lo, hi in AGE_BUCKETS:
            if age_h >= lo and (hi is None or age_h < hi):
                buckets[label].count += n
                buckets[label].off_hours += n if is_off_hours(at, tz) else 0
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
    """Inbound messages and negative ones per day, from the daily counts kept by ingestion and triage."""
    counts = daily(session, workspace_id=workspace_id, since=since, until=until)
    out = []
    cursor = since.astimezone(UTC).date()
    last = until.astimezone(UTC).date()
    while cursor <= last:
        key = cursor.isoformat()
        day = counts.get(key, {})
        out.append(DailyTone(key, day.get("inbound", 0), day.get("negative", 0)))
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


def first_response_hours(
    session: Session, *, workspace_id: int, since: datetime
) -> tuple[float | None, float | None]:
    """Median and p90 of the wall-clock time to first response (nights and weekends count) of the
    conversations opened since `since` that got an answer; read from a covering index."""
    import numpy as np

    rows = session.execute(
        select(Conversation.first_inbound_at, Conversation.first_response_at).where(
            Conversation.workspace_id == workspace_id,
            Conversation.first_inbound_at >= since,
            Conversation.first_response_at.is_not(None),
        )
    ).all()
    hours = np.array([(b - a).total_seconds() / 3600 for a, b in rows if a is not None and b is not None])
    if not hours.size:
        return None, None
    return float(np.median(hours)), float(np.percentile(hours, 90))
