"""Keeping channels alive: cadence against target, silence, unanswered comments, and the weekly digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from tending.alerts.models import IncidentKind
from tending.alerts.service import AlertSignal, record_alerts
from tending.cadence.models import CadenceTarget, ChannelAlert
from tending.channel.models import Channel
from tending.database.dialect import upsert_insert
from tending.formatting import num, plural
from tending.inbox.models import Conversation, Message

# A channel silent this long, or behind its cadence this many weeks running, is proposed for retirement:
# an abandoned page does the brand more harm than no page.
RETIRE_AFTER_SILENT_DAYS = 28


@dataclass
class ChannelHealth:
    channel_id: int
    name: str
    network: str
    target: CadenceTarget | None
    posts_last_7_days: int
    last_post_at: datetime | None
    days_silent: float | None
    unanswered_overdue: int
    problems: list[str] = field(default_factory=list)

    @property
    def at_risk(self) -> bool:
        return bool(self.problems)


def set_target(
    session: Session,
    *,
    channel: Channel,
    posts_per_week: float,
    max_days_silent: int,
    reply_within_hours: float,
) -> CadenceTarget:
    target = session.scalar(select(CadenceTarget).where(CadenceTarget.channel_id == channel.id))
    if target is None:
        target = CadenceTarget(channel_id=channel.id)
        session.add(target)
    target.posts_per_week = posts_per_week
    target.max_days_silent = max_days_silent
    target.reply_within_hours = reply_within_hours
    session.flush()
    return target


def channel_health(session: Session, *, workspace_id: int, now: datetime) -> list[ChannelHealth]:
    """Each channel against its target, with index-only reads per channel (fast at millions of messages)."""
    channels = list(
        session.scalars(select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id))
    )
    targets = {
        t.channel_id: t
        for t in session.scalars(
            select(CadenceTarget).where(CadenceTarget.channel_id.in_([c.id for c in channels]))
        )
    }
    out = []
    for ch in channels:
        posts = (
            Message.channel_id == ch.id,
            Message.kind == "post",
            Message.direction == "outbound",
            Message.created_at <= now,
        )
        recent = (
            session.scalar(
                select(func.count(Message.id)).where(*posts, Message.created_at >= now - timedelta(days=7))
            )
            or 0
        )
        last_at = session.scalar(select(func.max(Message.created_at)).where(*posts))
        target = targets.get(ch.id)
        reply_h = target.reply_within_hours if target else 24.0
        overdue = (
            session.scalar(
                select(func.count(Conversation.id)).where(
                    Conversation.channel_id == ch.id,
                    Conversation.needs_reply == true(),
                    Conversation.last_inbound_at < now - timedelta(hours=reply_h),
                )
            )
            or 0
        )
        silent = (now - last_at).total_seconds() / 86400 if last_at else None
        health = ChannelHealth(ch.id, ch.name, ch.network, target, recent, last_at, silent, overdue)
        if target is not None:
            if health.posts_last_7_days < target.posts_per_week:
                health.problems.append(
                    f"{plural(health.posts_last_7_days, 'post')} in the last 7 days, "
                    f"target {num(target.posts_per_week)}"
                )
            if silent is None or silent > target.max_days_silent:
                when = "ever" if silent is None else f"for {plural(round(silent), 'day')}"
                health.problems.append(f"no post {when} (limit {plural(target.max_days_silent, 'day')})")
        if overdue:
            health.problems.append(
                f"{plural(overdue, 'conversation')} waiting longer than {num(reply_h)} h for a reply"
            )
        out.append(health)
    return out


def _period(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def check_cadence(session: Session, *, workspace_id: int, now: datetime) -> list[ChannelAlert]:
    """Raise this week's staleness alerts once each; returns the ones new this time."""
    new: list[ChannelAlert] = []
    period = _period(now)
    for h in channel_health(session, workspace_id=workspace_id, now=now):
        kinds = []
        if h.target is not None and h.posts_last_7_days < h.target.posts_per_week:
            kinds.append(("cadence", h.problems[0]))
        if h.target is not None and (h.days_silent is None or h.days_silent > h.target.max_days_silent):
            kinds.append(("silent", next(p for p in h.problems if p.startswith("no post"))))
        if h.unanswered_overdue:
            kinds.append(("unanswered", h.problems[-1]))
        for kind, text in kinds:
            stmt = upsert_insert(session, ChannelAlert.__table__).on_conflict_do_nothing(  # type: ignore[arg-type]
                index_elements=["channel_id", "kind", "period_key"]
            )
            inserted = session.scalar(
                stmt.returning(ChannelAlert.id).values(
                    workspace_id=workspace_id,
                    channel_id=h.channel_id,
                    kind=kind,
                    period_key=period,
                    message=f"{h.name}: {text}",
                    detail={
                        "posts_last_7_days": h.posts_last_7_days,
                        "days_silent": h.days_silent,
                        "unanswered_overdue": h.unanswered_overdue,
                    },
                    created_at=now,
                )
            )
            if inserted is not None:  # None: this week's alert of this kind exists already
                alert = session.get(ChannelAlert, inserted)
                if alert is not None:
                    new.append(alert)
    record_alerts(
        session,
        workspace_id=workspace_id,
        signals=[
            AlertSignal(
                kind=IncidentKind.cadence,
                at=now,
                title="Replies left overdue" if a.kind == "unanswered" else "Posting has gone quiet",
                summary=a.message,
                channel_id=a.channel_id,
                evidence={"channel_alert_id": a.id, "problem": a.kind},
            )
            for a in new
        ],
    )
    session.flush()
    return new


@dataclass
class Digest:
    period: str
    at_risk: list[ChannelHealth]
    retire: list[tuple[ChannelHealth, str]]
    healthy: list[ChannelHealth]


def weekly_digest(session: Session, *, workspace_id: int, now: datetime) -> Digest:
    """Channels at risk this week, and those the team should retire rather than leave to rot."""
    health = channel_health(session, workspace_id=workspace_id, now=now)
    retire = []
    for h in health:
        if h.days_silent is not None and h.days_silent >= RETIRE_AFTER_SILENT_DAYS:
            retire.append((h, f"no post for {h.days_silent:.0f} days: keep it alive or retire it"))
        elif h.days_silent is None and h.target is not None:
            retire.append((h, "never posted on: keep it alive or retire it"))
    return Digest(
        period=_period(now),
        at_risk=[h for h in health if h.at_risk],
        retire=retire,
        healthy=[h for h in health if not h.at_risk],
    )
