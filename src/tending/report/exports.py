"""Row streams of every table a user sees, as CSV or JSON, without loading a whole table into memory.

Each export is a column list and a generator of rows read with `yield_per`, so a workspace with millions of
messages streams in constant memory. Channel credentials and configuration, and raw network payloads, are
never part of any export.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tending.audit.models import AuditEntry
from tending.auth.models import User
from tending.cadence.service import channel_health
from tending.campaign.models import Campaign, Kpi
from tending.channel.models import Channel
from tending.csvsafe import safe_writer
from tending.inbox.models import Conversation, Message
from tending.publishing.models import Post

BATCH = 500


@dataclass(frozen=True)
class ExportFilters:
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None
    channel_id: int | None = None
    assignee_id: int | None = None
    needs_reply: bool | None = None


@dataclass(frozen=True)
class Export:
    columns: tuple[str, ...]
    rows: Callable[[Session, int, ExportFilters, datetime], Iterator[tuple[Any, ...]]]


def _stream(session: Session, stmt: Select[Any] | Any) -> Iterator[tuple[Any, ...]]:
    for row in session.execute(stmt.execution_options(yield_per=BATCH)):
        yield tuple(row)


CONVERSATION_COLUMNS = (
    "id",
    "channel_id",
    "channel",
    "thread_key",
    "kind",
    "status",
    "assignee_id",
    "assignee",
    "priority",
    "preview",
    "last_author",
    "message_count",
    "needs_reply",
    "first_inbound_at",
    "first_response_at",
    "resolved_at",
    "last_message_at",
    "created_at",
)


def _conversations(session: Session, ws: int, f: ExportFilters, _now: datetime) -> Iterator[tuple[Any, ...]]:
    c = Conversation
    stmt = (
        select(
            c.id,
            c.channel_id,
            Channel.name,
            c.thread_key,
            c.kind,
            c.status,
            c.assignee_id,
            User.name,
            c.priority,
            c.preview,
            c.last_author,
            c.message_count,
            c.needs_reply,
            c.first_inbound_at,
            c.first_response_at,
            c.resolved_at,
            c.last_message_at,
            c.created_at,
        )
        .join(Channel, Channel.id == c.channel_id)
        .outerjoin(User, User.id == c.assignee_id)
        .where(c.workspace_id == ws)
        .order_by(c.id)
    )
    if f.status:
        stmt = stmt.where(c.status == f.status)
    if f.channel_id is not None:
        stmt = stmt.where(c.channel_id == f.channel_id)
    if f.assignee_id is not None:
        stmt = stmt.where(c.assignee_id == f.assignee_id)
    if f.needs_reply is not None:
        stmt = stmt.where(c.needs_reply.is_(f.needs_reply))
    if f.since is not None:
        stmt = stmt.where(c.last_message_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(c.last_message_at < f.until)
    return _stream(session, stmt)


MESSAGE_COLUMNS = (
    "id",
    "conversation_id",
    "channel_id",
    "kind",
    "direction",
    "external_id",
    "parent_external_id",
    "text",
    "language",
    "url",
    "created_at",
    "sent_by_id",
    "sentiment",
    "intent",
    "topics",
    "hidden",
    "hidden_reason",
)


def _messages(session: Session, ws: int, f: ExportFilters, _now: datetime) -> Iterator[tuple[Any, ...]]:
    m = Message
    stmt = (
        select(
            m.id,
            m.conversation_id,
            m.channel_id,
            m.kind,
            m.direction,
            m.external_id,
            m.parent_external_id,
            m.text,
            m.language,
            m.url,
            m.created_at,
            m.sent_by_id,
            m.sentiment,
            m.intent,
            m.topics,
            m.hidden,
            m.hidden_reason,
        )
        .where(m.workspace_id == ws)
        .order_by(m.created_at, m.id)
    )
    if f.since is not None:
        stmt = stmt.where(m.created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(m.created_at < f.until)
    if f.channel_id is not None:
        stmt = stmt.where(m.channel_id == f.channel_id)
    return _stream(session, stmt)


POST_COLUMNS = (
    "id",
    "channel_id",
    "campaign_id",
    "text",
    "status",
    "scheduled_at",
    "published_at",
    "author_id",
    "approver_id",
    "external_id",
    "url",
    "attempts",
    "last_error",
    "created_at",
)


def _posts(session: Session, ws: int, f: ExportFilters, _now: datetime) -> Iterator[tuple[Any, ...]]:
    p = Post
    stmt = (
        select(
            p.id,
            p.channel_id,
            p.campaign_id,
            p.text,
            p.status,
            p.scheduled_at,
            p.published_at,
            p.author_id,
            p.approver_id,
            p.external_id,
            p.url,
            p.attempts,
            p.last_error,
            p.created_at,
        )
        .where(p.workspace_id == ws)
        .order_by(p.id)
    )
    if f.status:
        stmt = stmt.where(p.status == f.status)
    if f.channel_id is not None:
        stmt = stmt.where(p.channel_id == f.channel_id)
    return _stream(session, stmt)


CAMPAIGN_COLUMNS = (
    "campaign_id",
    "campaign",
    "status",
    "objective",
    "disputable",
    "starts_at",
    "launched_at",
    "ends_at",
    "kpi_id",
    "kpi",
    "metric",
    "target",
    "direction",
    "horizon_days",
    "baseline",
)


def _campaigns(session: Session, ws: int, _f: ExportFilters, _now: datetime) -> Iterator[tuple[Any, ...]]:
    c = Campaign
    stmt = (
        select(
            c.id,
            c.name,
            c.status,
            c.objective,
            c.disputable,
            c.starts_at,
            c.launched_at,
            c.ends_at,
            Kpi.id,
            Kpi.name,
            Kpi.metric,
            Kpi.target,
            Kpi.direction,
            Kpi.horizon_days,
            Kpi.baseline,
        )
        .outerjoin(Kpi, Kpi.campaign_id == c.id)
        .where(c.workspace_id == ws)
        .order_by(c.id, Kpi.id)
    )
    return _stream(session, stmt)


AUDIT_COLUMNS = ("id", "at", "actor_id", "actor", "action", "target_type", "target_id", "detail")


def _audit(session: Session, ws: int, f: ExportFilters, _now: datetime) -> Iterator[tuple[Any, ...]]:
    a = AuditEntry
    stmt = (
        select(a.id, a.at, a.actor_id, User.email, a.action, a.target_type, a.target_id, a.detail)
        .outerjoin(User, User.id == a.actor_id)
        .where(a.workspace_id == ws)
        .order_by(a.at, a.id)
    )
    if f.since is not None:
        stmt = stmt.where(a.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(a.at < f.until)
    for row in _stream(session, stmt):
        yield (*row[:-1], _without_secrets(row[-1]))


SECRET_WORDS = ("credential", "token", "secret", "password")


def _without_secrets(detail: Any) -> Any:
    """Audit details are written by many domains; keys that name a secret are dropped, whatever wrote them."""
    if isinstance(detail, dict):
        return {
            k: _without_secrets(v) for k, v in detail.items() if not any(w in k.lower() for w in SECRET_WORDS)
        }
    if isinstance(detail, list):
        return [_without_secrets(v) for v in detail]
    return detail


HEALTH_COLUMNS = (
    "channel_id",
    "channel",
    "network",
    "posts_per_week_target",
    "max_days_silent",
    "last_post_at",
    "days_silent",
    "unanswered_overdue",
    "at_risk",
    "problems",
)


def _health(session: Session, ws: int, _f: ExportFilters, now: datetime) -> Iterator[tuple[Any, ...]]:
    for h in channel_health(session, workspace_id=ws, now=now):
        t = h.target
        yield (
            h.channel_id,
            h.name,
            h.network,
            t.posts_per_week if t else None,
            t.max_days_silent if t else None,
            h.last_post_at,
            None if h.days_silent is None else round(h.days_silent, 2),
            h.unanswered_overdue,
            h.at_risk,
            "; ".join(h.problems),
        )


EXPORTS: dict[str, Export] = {
    "conversations": Export(CONVERSATION_COLUMNS, _conversations),
    "messages": Export(MESSAGE_COLUMNS, _messages),
    "posts": Export(POST_COLUMNS, _posts),
    "campaigns": Export(CAMPAIGN_COLUMNS, _campaigns),
    "audit": Export(AUDIT_COLUMNS, _audit),
    "channel-health": Export(HEALTH_COLUMNS, _health),
}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value


def csv_chunks(columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = safe_writer(buf)
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow([_cell(v) for v in row])
        if n % BATCH == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def json_chunks(columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> Iterator[bytes]:
    """A JSON array written BATCH objects at a time."""
    yield b"["
    parts: list[bytes] = []
    first = True
    for row in rows:
        item = orjson.dumps(dict(zip(columns, row, strict=True)), option=orjson.OPT_NAIVE_UTC)
        parts.append(item if first else b"," + item)
        first = False
        if len(parts) == BATCH:
            yield b"".join(parts)
            parts = []
    yield b"".join(parts) + b"]\n"
