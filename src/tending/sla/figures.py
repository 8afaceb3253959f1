"""Headline response figures for a period: backlog by age, response rate, first-response percentiles.

The unit is one person's message: the period selects inbound messages by arrival, and each one's
first-response time is the time of the brand reply that answers it minus its own. Wall-clock figures come
first: they are what customers experience. Business-hour figures use the workspace's default policy
(the active policy with no priority, else the first active one); without any policy the workspace is
assumed open Monday to Friday 09:00-17:00 in its own time zone, and the report says so.
Messages hidden as spam or abuse, or marked "no reply needed", expect no answer and are left out.

SQL does the filtering and joins; numpy does the percentiles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.auth.models import User
from tending.channel.models import Channel
from tending.inbox.models import Conversation, Direction, Message, ReplyState
from tending.sla.business_hours import (
    MON_FRI_9_17,
    Schedule,
    business_seconds,
    is_open,
    local_weekday_hour,
    parse_schedule,
)
from tending.sla.models import SlaPolicy
from tending.workspace.models import Workspace

# (label, upper bound in hours, exclusive); the last bucket is open-ended.
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1h", 1.0),
    ("1-4h", 4.0),
    ("4-24h", 24.0),
    ("1-3d", 72.0),
    (">3d", float("inf")),
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class TimeStats:
    messages: int = 0  # people's messages that expected an answer
    answered: int = 0
    response_rate: float | None = None
    median_wall_hours: float | None = None
    p90_wall_hours: float | None = None
    median_business_hours: float | None = None
    p90_business_hours: float | None = None


@dataclass
class AgeBucket:
    label: str
    count: int = 0
    off_hours: int = 0  # arrived while the business was closed


@dataclass
class ResponseFigures:
    workspace_id: int
    since: datetime
    until: datetime
    now: datetime
    timezone: str
    business_hours: dict[str, Any]
    business_hours_source: str
    overall: TimeStats
    unanswered: list[AgeBucket]
    unanswered_total: int
    unanswered_off_hours: int
    per_channel: dict[str, TimeStats] = field(default_factory=dict)
    per_member: dict[str, TimeStats] = field(default_factory=dict)
    # heatmap[weekday][hour] = messages that arrived then (workspace time zone, Monday first).
    heatmap: list[list[int]] = field(default_factory=list)
    heatmap_median_wall_hours: list[list[float | None]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("since", "until", "now"):
            data[key] = getattr(self, key).isoformat()
        return data


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    arr = np.asarray(values, dtype=float)
    med, p90 = np.percentile(arr, [50, 90])
    return float(med), float(p90)


def _stats(rows: list[tuple[float | None, float | None]]) -> TimeStats:
    wall = [w for w, _ in rows if w is not None]
    biz = [b for _, b in rows if b is not None]
    med_w, p90_w = _percentiles(wall)
    med_b, p90_b = _percentiles(biz)
    return TimeStats(
        messages=len(rows),
        answered=len(wall),
        response_rate=(len(wall) / len(rows)) if rows else None,
        median_wall_hours=med_w,
        p90_wall_hours=p90_w,
        median_business_hours=med_b,
        p90_business_hours=p90_b,
    )


def workspace_schedule(
    session: Session, *, workspace: Workspace
) -> tuple[Schedule, dict[str, Any], str, str]:
    """The schedule used for business-hour figures, its hours, time zone and where it came from."""
    policies = list(
        session.scalars(
            select(SlaPolicy)
            .where(SlaPolicy.workspace_id == workspace.id, SlaPolicy.active.is_(True))
            .order_by(SlaPolicy.priority.is_not(None), SlaPolicy.id)
        )
    )
    if policies:
        p = policies[0]
        return (
            parse_schedule(p.business_hours, p.timezone),
            dict(p.business_hours),
            p.timezone,
            f"policy {p.name}",
        )
    hours: dict[str, Any] = dict(MON_FRI_9_17)
    return (
        parse_schedule(hours, workspace.timezone),
        hours,
        workspace.timezone,
        "default Mon-Fri 09:00-17:00 (no SLA policy)",
    )


def response_figures(
    session: Session, *, workspace_id: int, since: datetime, until: datetime, now: datetime
) -> ResponseFigures:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise LookupError(f"no workspace with id {workspace_id}")
    schedule, hours, tz, source = workspace_schedule(session, workspace=workspace)

    # Each person's message is measured on its own: answered by the brand reply that answers it, or
    # still waiting. Messages marked "no reply needed" or hidden expect no answer and are left out.
    reply = Message.__table__.alias("answer")
    stmt = (
        select(
            Message.id,
            Message.created_at,
            reply.c.created_at,
            Message.reply_state,
            Conversation.status,
            Channel.name,
            Channel.network,
            User.name,
            Message.created_at,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Channel, Channel.id == Message.channel_id)
        .outerjoin(User, User.id == Conversation.assignee_id)
        .outerjoin(reply, reply.c.id == Message.answered_by_id)
        .where(
            Message.workspace_id == workspace_id,
            Message.created_at >= since,
            Message.created_at < until,
            Message.direction == Direction.inbound.value,
            Message.reply_state.in_([ReplyState.needs_reply.value, ReplyState.answered.value]),
        )
    )
    rows = [
        (mid, first_in, first_out, state == ReplyState.needs_reply.value, status, *rest)
        for mid, first_in, first_out, state, status, *rest in session.execute(stmt).all()
    ]

    overall: list[tuple[float | None, float | None]] = []
    per_channel: dict[str, list[tuple[float | None, float | None]]] = defaultdict(list)
    per_member: dict[str, list[tuple[float | None, float | None]]] = defaultdict(list)
    heat = [[0] * 24 for _ in range(7)]
    heat_times: list[list[list[float]]] = [[[] for _ in range(24)] for _ in range(7)]
    buckets = [AgeBucket(label) for label, _ in AGE_BUCKETS]

    for _cid, first_in, first_out, needs_reply, _status, ch_name, ch_network, member, waiting in rows:
        wall: float | None = None
        biz: float | None = None
        if first_out is not None:
            if first_out.tzinfo is None:  # an aliased column read raw on SQLite
                first_out = first_out.replace(tzinfo=first_in.tzinfo)
            first_out = max(first_out, first_in)  # a reply chosen for a later message answers it at once
            wall = (first_out - first_in).total_seconds() / 3600
            biz = business_seconds(first_in, first_out, schedule) / 3600
        pair = (wall, biz)
        overall.append(pair)
        per_channel[f"{ch_name} ({ch_network})"].append(pair)
        per_member[member or "unassigned"].append(pair)
        day, hour = local_weekday_hour(first_in, schedule.zone)
        heat[day][hour] += 1
        if wall is not None:
            heat_times[day][hour].append(wall)
        if needs_reply and waiting is not None:
            if waiting.tzinfo is None:  # a raw subquery value bypasses the UTC column type on SQLite
                waiting = waiting.replace(tzinfo=first_in.tzinfo)
            age_h = max((now - waiting).total_seconds() / 3600, 0.0)
            bucket = next(b for b, (_, upper) in zip(buckets, AGE_BUCKETS, strict=True) if age_h < upper)
            bucket.count += 1
            if not is_open(waiting, schedule):
                bucket.off_hours += 1

    heat_median: list[list[float | None]] = [
        [float(np.median(cell)) if cell else None for cell in day_cells] for day_cells in heat_times
    ]
    return ResponseFigures(
        workspace_id=workspace_id,
        since=since,
        until=until,
        now=now,
        timezone=tz,
        business_hours=hours,
        business_hours_source=source,
        overall=_stats(overall),
        unanswered=buckets,
        unanswered_total=sum(b.count for b in buckets),
        unanswered_off_hours=sum(b.off_hours for b in buckets),
        per_channel={k: _stats(v) for k, v in sorted(per_channel.items())},
        per_member={k: _stats(v) for k, v in sorted(per_member.items())},
        heatmap=heat,
        heatmap_median_wall_hours=heat_median,
    )
