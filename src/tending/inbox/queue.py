"""The needs-reply queue: one row per person waiting, the most urgent and longest-waiting first.

A row is a person's oldest waiting message in a conversation (their later waiting messages ride along,
since one reply answers them all). The order is urgency band, then age: under one SLA policy the due time
is the message's time plus the same business-hours target, so oldest is due first; each row then shows
its own "due in / late by" under the policy of its conversation's priority. The read walks a partial index
that holds waiting messages only, in that order, so its cost follows the page, not the backlog.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from tending.author.models import Author
from tending.database.dialect import in_values
from tending.errors import Refused
from tending.inbox.models import Conversation, ConversationWatcher, Message, ReplyState, UrgencyBand
from tending.inbox.search import matching_message_ids
from tending.sla.business_hours import MON_FRI_9_17, Schedule, add_business_seconds, is_open, parse_schedule
from tending.sla.models import SlaLevel, SlaPolicy
from tending.sla.service import policies_by_priority, policy_for, schedule_of
from tending.workspace.models import Workspace

NEEDS = ReplyState.needs_reply.value
# Rows read per step when a filter is applied after the read (off-hours); a page needs few steps.
_STEP = 400


class QueueFilter(enum.StrEnum):
    """The one-click filters of the queue."""

    questions = "questions"
    complaints = "complaints"
    negative = "negative"
    off_hours = "off_hours"
    mine = "mine"
    watching = "watching"  # items someone follows without owning them (an escalation told them)
    unassigned = "unassigned"


class QueueError(Refused, ValueError):
    """A queue request that cannot be read (a cursor this desk did not hand out)."""


@dataclass(frozen=True)
class QueueItem:
    message: Message
    conversation: Conversation
    author_name: str
    waiting: int  # this person's waiting messages in the conversation
    off_hours: bool
    due_at: datetime | None
    sla_level: SlaLevel | None

    @property
    def band(self) -> UrgencyBand:
        return UrgencyBand(self.message.urgency_band)


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None


def encode_cursor(msg: Message) -> str:
    return base64.urlsafe_b64encode(
        f"{msg.urgency_band}|{msg.created_at.isoformat()}|{msg.id}".encode()
    ).decode()


def decode_cursor(cursor: str) -> tuple[int, datetime, int]:
    try:
        band, stamp, mid = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return int(band), datetime.fromisoformat(stamp), int(mid)
    except (ValueError, UnicodeDecodeError):
        raise QueueError("invalid cursor") from None


def off_hours_schedule(session: Session, workspace: Workspace) -> Schedule:
    """The hours that make a message "off-hours": those of the SLA policy without priority (the
    workspace's default), else Monday to Friday 9 to 17 in the workspace's time zone."""
    policy = policies_by_priority(session, workspace_id=workspace.id).get(None)
    if policy is not None and policy.business_hours:
        return schedule_of(policy)
    return parse_schedule(MON_FRI_9_17, workspace.timezone or "UTC")


def _person_head() -> ColumnElement[bool]:
    """The row is the person's oldest waiting message in its conversation."""
    older = aliased(Message)
    return ~exists().where(
        older.conversation_id == Message.conversation_id,
        or_(
            older.author_id == Message.author_id, and_(older.author_id.is_(None), Message.author_id.is_(None))
        ),
        older.reply_state == NEEDS,
        or_(
            older.created_at < Message.created_at,
            and_(older.created_at == Message.created_at, older.id < Message.id),
        ),
    )


def _statement(
    *, workspace_id: int, filters: set[QueueFilter], actor_id: int | None, channel_id: int | None
) -> Select[Message, Conversation, str, str]:
    mine = QueueFilter.mine in filters or QueueFilter.watching in filters
    if mine:
        # One person's conversations are few next to the backlog: their messages are read through the
        # conversation index and sorted. The two terms below are written so that SQLite (no statistics)
        # cannot pick the backlog-wide queue index instead; PostgreSQL's planner reads them as plain.
        in_workspace = (Message.workspace_id + 0) == workspace_id
        waiting = func.coalesce(Message.reply_state, "") == NEEDS
    else:
        in_workspace, waiting = Message.workspace_id == workspace_id, Message.reply_state == NEEDS
    stmt = (
        select(Message, Conversation, Author.name, Author.handle)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(Author, Author.id == Message.author_id)
        .where(in_workspace, waiting, _person_head())
    )
    if QueueFilter.questions in filters:
        stmt = stmt.where(Message.intent == "question")
    if QueueFilter.complaints in filters:
        stmt = stmt.where(Message.intent == "complaint")
    if QueueFilter.negative in filters:
        stmt = stmt.where(Message.sentiment == "negative")
    # Whose work it is lives on the conversation. One person's waiting conversations are few: they are
    # found first. Unassigned ones are most of a backlog: listing them first would read all of them,
    # so the walk in queue order checks each row's conversation instead.
    owner: list[ColumnElement[bool]] = []
    if QueueFilter.mine in filters:
        owner.append(Conversation.assignee_id == actor_id)
    if QueueFilter.unassigned in filters:
        owner.append(Conversation.assignee_id.is_(None))
    if QueueFilter.watching in filters:
        followed = select(ConversationWatcher.conversation_id).where(ConversationWatcher.user_id == actor_id)
        owner.append(Conversation.id.in_(followed))
    stmt = stmt.where(*owner)
    if mine:
        theirs = select(Conversation.id).where(
            Conversation.workspace_id == workspace_id, Conversation.waiting_count > 0, *owner
        )
        stmt = stmt.where(Message.conversation_id.in_(theirs))
    if channel_id is not None:
        stmt = stmt.where(Message.channel_id == channel_id)
    return stmt.order_by(Message.urgency_band, Message.created_at, Message.id)


def _after(
    stmt: Select[Message, Conversation, str, str], band: int, at: datetime, mid: int
) -> Select[Message, Conversation, str, str]:
    return stmt.where(
        or_(
            Message.urgency_band > band,
            and_(
                Message.urgency_band == band,
                or_(Message.created_at > at, and_(Message.created_at == at, Message.id > mid)),
            ),
        )
    )


def _due(
    policies: dict[str | None, SlaPolicy],
    schedules: dict[int, Schedule],
    conv: Conversation,
    msg: Message,
    now: datetime,
) -> tuple[datetime | None, SlaLevel | None]:
    """When a reply to this message is due under its conversation's policy, and where it stands now."""
    policy = policy_for(policies, conv)
    if policy is None:
        return None, None
    schedule = schedules.get(policy.id) or schedules.setdefault(policy.id, schedule_of(policy))
    target_s = policy.first_response_hours * 3600
    due_at = add_business_seconds(msg.created_at, target_s, schedule)
    if now >= due_at:
        return due_at, SlaLevel.breached
    if now >= add_business_seconds(msg.created_at, target_s * policy.warn_fraction, schedule):
        return due_at, SlaLevel.warning
    return due_at, SlaLevel.ok


def needs_reply_queue(
    session: Session,
    *,
    workspace: Workspace,
    now: datetime,
    filters: set[QueueFilter] | None = None,
    actor_id: int | None = None,
    channel_id: int | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> QueuePage:
    """One page of the queue in its order, each row with its due time against the SLA policy."""
    filters = filters or set()
    stmt = _statement(workspace_id=workspace.id, filters=filters, actor_id=actor_id, channel_id=channel_id)
    if q and q.strip():
        found = matching_message_ids(session, workspace_id=workspace.id, q=q)
        if found is not None:
            stmt = stmt.where(in_values(session, Message.id, found))
    position = decode_cursor(cursor) if cursor else None
    schedule = off_hours_schedule(session, workspace) if QueueFilter.off_hours in filters else None
    rows: list[tuple[Message, Conversation, str | None, str | None]] = []
    while len(rows) <= limit:
        step = stmt if position is None else _after(stmt, *position)
        chunk = list(session.execute(step.limit(limit + 1 if schedule is None else _STEP)).tuples())
        if not chunk:
            break
        last = chunk[-1][0]
        position = (last.urgency_band, last.created_at, last.id)
        if schedule is not None:
            chunk = [r for r in chunk if not is_open(r[0].created_at, schedule)]
        rows.extend(chunk)
        if schedule is None:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    waiting = _waiting_per_person(session, [(m.conversation_id, m.author_id) for m, *_ in rows])
    hours = schedule or off_hours_schedule(session, workspace)
    policies = policies_by_priority(session, workspace_id=workspace.id)
    schedules: dict[int, Schedule] = {}  # parsed once per page, not once per row
    items = []
    for msg, conv, name, handle in rows:
        due_at, level = _due(policies, schedules, conv, msg, now)
        items.append(
            QueueItem(
                message=msg,
                conversation=conv,
                author_name=name or (f"@{handle}" if handle else "someone"),
                waiting=waiting.get((msg.conversation_id, msg.author_id), 1),
                off_hours=not is_open(msg.created_at, hours),
                due_at=due_at,
                sla_level=level,
            )
        )
    return QueuePage(items=items, next_cursor=encode_cursor(rows[-1][0]) if more and rows else None)


def _waiting_per_person(
    session: Session, keys: list[tuple[int, int | None]]
) -> dict[tuple[int, int | None], int]:
    if not keys:
        return {}
    conv_ids = sorted({c for c, _ in keys})
    rows = session.execute(
        select(Message.conversation_id, Message.author_id, func.count(Message.id))
        .where(Message.conversation_id.in_(conv_ids), Message.reply_state == NEEDS)
        .group_by(Message.conversation_id, Message.author_id)
    )
    return {(c, a): n for c, a, n in rows}


@dataclass(frozen=True)
class LeftToAnswer:
    """What is left: messages waiting and the conversations they are in, for the team and per person."""

    messages: int
    conversations: int
    per_member: dict[int | None, int]  # waiting messages by assignee (None: unassigned)


def left_to_answer(session: Session, *, workspace_id: int) -> LeftToAnswer:
    rows = session.execute(
        select(Conversation.assignee_id, func.count(Conversation.id), func.sum(Conversation.waiting_count))
        .where(Conversation.workspace_id == workspace_id, Conversation.needs_reply.is_(True))
        .group_by(Conversation.assignee_id)
    ).all()
    per_member = {a: int(w or 0) for a, _n, w in rows}
    return LeftToAnswer(
        messages=sum(per_member.values()),
        conversations=sum(int(n) for _a, n, _w in rows),
        per_member=per_member,
    )


def waiting_people(session: Session, *, conversation_id: int) -> list[tuple[int | None, int, datetime]]:
    """Per person waiting in a conversation: (author id, waiting messages, waiting since)."""
    rows = session.execute(
        select(Message.author_id, func.count(Message.id), func.min(Message.created_at))
        .where(Message.conversation_id == conversation_id, Message.reply_state == NEEDS)
        .group_by(Message.author_id)
        .order_by(func.min(Message.created_at))
    )
    return [(a, int(n), at) for a, n, at in rows]
