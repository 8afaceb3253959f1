"""Collision safety: who else has a work item open, and the check that keeps two people from answering
the same thing without knowing it.

Presence is a heartbeat, not a lock anyone must release: the thread page calls `touch` every few
seconds while it is open, and a row not touched for `PRESENCE_TTL` no longer counts, so a closed laptop
frees the item by itself. Sending is guarded separately: the composer remembers the newest message it
showed, and a reply is refused (`ReplyCollision`) when the brand has answered in the conversation since,
unless the person confirms having seen that answer.

Services flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tending.auth.models import User
from tending.errors import Conflict
from tending.inbox.models import Conversation, Direction, Message
from tending.presence.models import ConversationPresence

HEARTBEAT_SECONDS = 3  # how often an open thread page reports itself (and hears of others)
PRESENCE_TTL = timedelta(seconds=20)  # a page silent this long is closed


@dataclass(frozen=True)
class Present:
    user_id: int
    name: str
    since: datetime
    writing: bool


@dataclass(frozen=True)
class OtherReply:
    message_id: int
    text: str
    at: datetime
    sent_by: str


class ReplyCollision(Conflict):
    """The conversation received a brand reply after the writer's composer opened."""

    def __init__(self, replies: list[OtherReply]) -> None:
        self.replies = replies
        who = replies[-1].sent_by
        super().__init__(f"{who} replied here since you opened it; send yours as well only if it still fits")

    def detail(self) -> dict[str, object]:
        return {
            "message": str(self),
            "replies": [
                {"message_id": r.message_id, "text": r.text, "at": r.at.isoformat(), "sent_by": r.sent_by}
                for r in self.replies
            ],
        }


def touch(session: Session, *, conversation: Conversation, user: User, now: datetime, writing: bool) -> None:
    """This person has the item open (and is writing, when their composer holds text)."""
    row = session.scalar(
        select(ConversationPresence).where(
            ConversationPresence.conversation_id == conversation.id, ConversationPresence.user_id == user.id
        )
    )
    if row is None or row.seen_at < now - PRESENCE_TTL:
        if row is None:
            row = ConversationPresence(conversation_id=conversation.id, user_id=user.id)
            session.add(row)
        row.opened_at = now
    row.seen_at = now
    row.writing = writing
    # Rows of pages closed long ago are of no use to anyone.
    session.execute(
        delete(ConversationPresence).where(
            ConversationPresence.conversation_id == conversation.id,
            ConversationPresence.seen_at < now - 10 * PRESENCE_TTL,
        )
    )
    session.flush()


def leave(session: Session, *, conversation_id: int, user_id: int) -> None:
    """The person is done with the item (their reply went out): others stop seeing them on it."""
    session.execute(
        delete(ConversationPresence).where(
            ConversationPresence.conversation_id == conversation_id, ConversationPresence.user_id == user_id
        )
    )
    session.flush()


def others_on(session: Session, *, conversation_id: int, user_id: int, now: datetime) -> list[Present]:
    """Everyone else whose page of this item is open now, writers first."""
    rows = session.execute(
        select(ConversationPresence, User.name)
        .join(User, User.id == ConversationPresence.user_id)
        .where(
            ConversationPresence.conversation_id == conversation_id,
            ConversationPresence.user_id != user_id,
            ConversationPresence.seen_at >= now - PRESENCE_TTL,
        )
        .order_by(ConversationPresence.writing.desc(), ConversationPresence.opened_at)
    )
    return [Present(p.user_id, name, p.opened_at, p.writing) for p, name in rows]


def newest_message_id(session: Session, *, conversation_id: int) -> int:
    """What the composer remembers when it opens: the newest message the person has been shown."""
    return int(
        session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation_id)) or 0
    )


def replies_since(session: Session, *, conversation_id: int, after_id: int) -> list[OtherReply]:
    """The brand's replies in the conversation newer than `after_id`, oldest first, with who sent them."""
    rows = session.execute(
        select(Message, User.name)
        .outerjoin(User, User.id == Message.sent_by_id)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.outbound.value,
            Message.id > after_id,
        )
        .order_by(Message.id)
    )
    return [OtherReply(m.id, m.text, m.created_at, name or "Someone on the network") for m, name in rows]


def check_no_collision(session: Session, *, conversation: Conversation, seen_up_to: int | None) -> None:
    """Refuse a reply written without knowing of a newer brand reply; `seen_up_to` None skips the check
    (the writer confirmed, or a client that does not say what it saw)."""
    if seen_up_to is None:
        return
    newer = replies_since(session, conversation_id=conversation.id, after_id=seen_up_to)
    if newer:
        raise ReplyCollision(newer)
