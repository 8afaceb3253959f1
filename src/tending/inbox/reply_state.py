"""Reply states: each inbound message needs a reply until a brand reply answers it, a person marks it as
needing none, or moderation hides it.

The unit of work is one person's message. Each conversation is one person's item (their comments under
a post and the replies to them, or a direct-message thread, see `tending.inbox.threads`): a brand reply
in it answers the message it replies to and everything of that person waiting before it; it never
answers anybody else, who is in an item of their own. A top-level brand comment under a post lives in
the post's own thread and answers no one: the people waiting under the post still wait.

Every change here flushes; the request or task boundary commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, case, exists, func, select, update
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.database.core import utcnow
from tending.database.dialect import chunks
from tending.errors import NotFound, Refused
from tending.inbox.models import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    Direction,
    Message,
    ReplyState,
)

NEEDS = ReplyState.needs_reply.value


class ReplyStateRefused(Refused, ValueError):
    """A state change that the rules do not allow (the brand's own message, a state it cannot leave)."""


class MessageNotFound(NotFound):
    """A message id that names nothing in this workspace."""


@dataclass(frozen=True)
class Answer:
    """One brand message and what it answers: `parent_id` (an inbound message) or, when `whole_item`
    (the reply is in a person's item), everything waiting before it there."""

    reply_id: int
    conversation_id: int
    created_at: Any  # the backend's form of the time (see `tending.ingest.service.Time`)
    parent_id: int | None
    parent_author_id: int | None
    whole_item: bool


def apply_answers(session: Session, answers: Iterable[Answer]) -> set[int]:
    """Mark what each brand reply answers; returns the conversations whose waiting figures changed.

    One indexed UPDATE per reply: a reply touches one person's waiting messages in one conversation.
    """
    m = cast(Table, Message.__table__)
    touched: set[int] = set()
    for a in answers:
        where: list[Any] = [
            m.c.conversation_id == a.conversation_id,
            m.c.reply_state == NEEDS,
            m.c.created_at <= a.created_at,
        ]
        if not a.whole_item:
            if a.parent_id is None:
                continue  # a top-level brand comment under a post answers no one
            same_person = m.c.author_id == a.parent_author_id
            where.append(m.c.id == a.parent_id if a.parent_author_id is None else same_person)
        session.execute(
            update(m).where(*where).values(reply_state=ReplyState.answered.value, answered_by_id=a.reply_id)
        )
        touched.add(a.conversation_id)
    return touched


def waiting_figures() -> dict[str, Any]:
    """Column values that recompute a conversation's waiting figures from its messages' states, for an
    UPDATE of the conversation table (each subquery reads one conversation's messages by index)."""
    c = cast(Table, Conversation.__table__)
    w = Message.__table__.alias("waiting_m")
    waiting = (w.c.conversation_id == c.c.id) & (w.c.reply_state == NEEDS)
    any_waiting = exists().where(waiting)
    return {
        "waiting_count": select(func.count(w.c.id)).where(waiting).scalar_subquery(),
        "waiting_since": select(func.min(w.c.created_at)).where(waiting).scalar_subquery(),
        "needs_reply": any_waiting,
        # Someone waiting reopens an answered or closed thread; nobody waiting makes an open one answered.
        "status": case(
            (any_waiting, ConversationStatus.open.value),
            (c.c.status == ConversationStatus.open.value, ConversationStatus.answered.value),
            else_=c.c.status,
        ),
        "resolved_at": case((any_waiting, None), else_=c.c.resolved_at),
    }


def sync_waiting(session: Session, conversation_ids: Iterable[int]) -> None:
    """Recompute `waiting_count`, `waiting_since`, `needs_reply` and status of these conversations."""
    c = cast(Table, Conversation.__table__)
    ids = sorted(set(conversation_ids))
    for part in chunks(ids):
        session.execute(update(c).where(c.c.id.in_(part)).values(**waiting_figures()))
    for conv in (o for o in session.identity_map.values() if isinstance(o, Conversation)):
        if conv.id in ids:
            session.expire(conv)


def oldest_waiting(session: Session, *, conversation_id: int) -> Message | None:
    """The message a reply answers by default: the one that has waited longest."""
    return session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.reply_state == NEEDS)
        .order_by(Message.created_at, Message.id)
        .limit(1)
    )


def answer_for_reply(
    session: Session, *, reply: Message, parent: Message | None, conversation: Conversation
) -> None:
    """Record what a reply sent from the desk answers: the chosen message and that person's earlier
    waiting messages (everything waiting before it in that person's item)."""
    session.flush()
    whole_item = conversation.kind != ConversationKind.post
    if parent is not None and parent.direction != Direction.inbound.value:
        parent = None
    touched = apply_answers(
        session,
        [
            Answer(
                reply_id=reply.id,
                conversation_id=conversation.id,
                created_at=reply.created_at,
                parent_id=parent.id if parent else None,
                parent_author_id=parent.author_id if parent else None,
                whole_item=whole_item,
            )
        ],
    )
    if parent is not None and parent.reply_state == NEEDS:
        # The person chose this message: it is answered even if its time is after the reply's own.
        session.execute(
            update(Message)
            .where(Message.id == parent.id, Message.reply_state == NEEDS)
            .values(reply_state=ReplyState.answered.value, answered_by_id=reply.id)
        )
    session.expire_all()
    sync_waiting(session, touched | {conversation.id})


def _inbound_of(session: Session, *, workspace_id: int, message_ids: list[int]) -> list[Message]:
    rows = list(
        session.scalars(
            select(Message).where(Message.id.in_(message_ids), Message.workspace_id == workspace_id)
        )
    )
    if len(rows) != len(set(message_ids)):
        raise MessageNotFound("message: not found in this workspace")
    if any(m.direction != Direction.inbound.value for m in rows):
        raise ReplyStateRefused("message: only a person's message has a reply state")
    return rows


def person_item(session: Session, *, workspace_id: int, message_id: int) -> list[int]:
    """The work item a message belongs to: its author's waiting messages in its conversation (the message
    itself when nothing waits)."""
    (msg,) = _inbound_of(session, workspace_id=workspace_id, message_ids=[message_id])
    same_person = Message.author_id == msg.author_id if msg.author_id is not None else Message.id == msg.id
    ids = list(
        session.scalars(
            select(Message.id).where(
                Message.conversation_id == msg.conversation_id, Message.reply_state == NEEDS, same_person
            )
        )
    )
    return ids or [msg.id]


def mark_no_reply_needed(
    session: Session, *, workspace_id: int, message_ids: list[int], actor_id: int, reason: str = ""
) -> list[Message]:
    """A person decides that these messages need no answer ("Nice photo!"); who and when are kept on the
    message and in the audit log. Answered or hidden messages keep their state."""
    now = utcnow()
    changed = []
    for msg in _inbound_of(session, workspace_id=workspace_id, message_ids=message_ids):
        if msg.reply_state == NEEDS:
            _decide(session, msg, ReplyState.no_reply_needed, actor_id, now, reason=reason.strip())
            changed.append(msg)
    session.flush()
    sync_waiting(session, {m.conversation_id for m in changed})
    return changed


def reopen(session: Session, *, workspace_id: int, message_id: int, actor_id: int) -> Message:
    """Undo "no reply needed": the message waits again (audited)."""
    (msg,) = _inbound_of(session, workspace_id=workspace_id, message_ids=[message_id])
    if msg.reply_state != ReplyState.no_reply_needed.value:
        raise ReplyStateRefused("message: only a message marked 'no reply needed' can be reopened")
    _decide(session, msg, ReplyState.needs_reply, actor_id, utcnow())
    session.flush()
    sync_waiting(session, [msg.conversation_id])
    return msg


def _decide(
    session: Session, msg: Message, state: ReplyState, actor_id: int, at: datetime, **detail: str
) -> None:
    """A person sets a message's state: who and when stay on the message and in the audit log."""
    msg.reply_state, msg.reply_state_by_id, msg.reply_state_at = state.value, actor_id, at
    detail_ = {"conversation_id": msg.conversation_id, **detail}
    record(session, workspace_id=msg.workspace_id, actor_id=actor_id, action=f"message.{state.value}",
           target_type="message", target_id=msg.id, detail=detail_)  # fmt: skip


def state_after_moderation(
    session: Session, *, message: Message, hidden: bool, at: datetime | None = None
) -> None:
    """Hiding takes a message off the queue; unhiding puts it back where its answers leave it."""
    if message.direction != Direction.inbound.value:
        return
    if hidden:
        message.reply_state = ReplyState.hidden.value
    elif message.answered_by_id is not None:
        message.reply_state = ReplyState.answered.value
    else:
        message.reply_state = NEEDS
    message.reply_state_at = at or utcnow()
    session.flush()
    sync_waiting(session, [message.conversation_id])
