"""The inbox: listing conversations, reading a thread, replying through the connector, assigning, closing."""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.author.models import Author
from tending.channel.models import Channel
from tending.channel.service import build_connector
from tending.config import Settings
from tending.connectors.bases import Connector, ConnectorError, InboundItem, ReplyCapability
from tending.database.core import utcnow
from tending.database.dialect import chunks
from tending.errors import Conflict, DomainError, Refused
from tending.inbox.bookkeeping import refresh_conversations
from tending.inbox.models import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    Direction,
    Message,
    MessageKind,
    MessageRead,
    Priority,
)
from tending.inbox.reply_state import answer_for_reply, oldest_waiting
from tending.inbox.search import matching_message_ids
from tending.ingest.service import ingest_items
from tending.workspace.scope import Scoped, require_own


class InboxError(Conflict):
    """A reply or review the conversation does not allow as it stands now."""


class InvalidCursor(Refused):
    """A page cursor this desk did not hand out."""


class ReplyNotSent(DomainError):
    """The network refused the reply; nothing was sent and nothing is stored."""

    status_code = 502


def encode_cursor(conv: Conversation) -> str:
    stamp = conv.last_message_at.isoformat() if conv.last_message_at else ""
    return base64.urlsafe_b64encode(f"{stamp}|{conv.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, cid = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(stamp), int(cid)
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("invalid cursor") from None


def list_conversations(
    session: Session,
    *,
    workspace_id: int,
    status: str | None = None,
    channel_id: int | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    needs_reply: bool | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Conversation], str | None]:
    """Newest activity first, keyset-paged so that the millionth row costs what the first does. A post's
    own thread (the brand speaking to everyone) is no one's work item: it is seen on the post view."""
    stmt = select(Conversation).where(
        Conversation.workspace_id == workspace_id, Conversation.kind != ConversationKind.post.value
    )
    if status:
        stmt = stmt.where(Conversation.status == status)
    if channel_id is not None:
        stmt = stmt.where(Conversation.channel_id == channel_id)
    if assignee_id is not None:
        stmt = stmt.where(Conversation.assignee_id == assignee_id)
    if unassigned:
        stmt = stmt.where(Conversation.assignee_id.is_(None))
    if needs_reply is not None:
        stmt = stmt.where(Conversation.needs_reply == (true() if needs_reply else false()))
    if q and q.strip():
        ids = matching_message_ids(session, workspace_id=workspace_id, q=q)
        if ids is not None:
            conv_ids: set[int] = set()
            for part in chunks(ids):
                conv_ids.update(session.scalars(select(Message.conversation_id).where(Message.id.in_(part))))
            stmt = stmt.where(Conversation.id.in_(sorted(conv_ids)))
    if cursor:
        at, cid = decode_cursor(cursor)
        stmt = stmt.where(
            or_(
                Conversation.last_message_at < at,
                and_(Conversation.last_message_at == at, Conversation.id < cid),
            )
        )
    rows = list(
        session.scalars(
            stmt.order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(limit + 1)
        )
    )
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def get_conversation(session: Session, *, workspace_id: int, conversation_id: int) -> Conversation | None:
    conv = session.get(Conversation, conversation_id)
    if conv is None or conv.workspace_id != workspace_id:
        return None
    return conv


def thread_messages(
    session: Session, *, conversation: Conversation, include_raw: bool = False
) -> list[MessageRead]:
    rows = session.execute(
        select(Message, Author.handle, Author.name)
        .outerjoin(Author, Author.id == Message.author_id)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.created_at, Message.id)
    )
    out = []
    for msg, handle, name in rows:
        read = MessageRead.model_validate(msg)
        read.author_handle = handle
        read.author_name = name
        out.append(read)
    return out


def reply(
    session: Session,
    *,
    settings: Settings,
    conversation: Conversation,
    text: str,
    actor_id: int,
    in_reply_to: int | None = None,
    connector: Connector | None = None,
    seen_up_to: int | None = None,
) -> Message:
    """Send a reply through the channel's connector and store it as the brand's outbound message.

    `seen_up_to`: the newest message id the writer was shown; a brand reply newer than it refuses the
    send (`ReplyCollision`) so that nobody answers twice unknowingly."""
    from tending.presence.service import check_no_collision, leave

    channel = session.get(Channel, conversation.channel_id)
    if channel is None:
        raise InboxError("the conversation's channel no longer exists")
    check_no_collision(session, conversation=conversation, seen_up_to=seen_up_to)
    if in_reply_to is not None:
        parent = session.get(Message, in_reply_to)
        if parent is None or parent.conversation_id != conversation.id:
            raise InboxError("the message answered is not in this conversation")
    else:
        # Default: the person who has waited longest; when nobody waits, the last message of a person.
        parent = oldest_waiting(session, conversation_id=conversation.id) or session.scalar(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.direction == Direction.inbound.value)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(1)
        )
        if parent is None:
            raise InboxError("nothing to reply to in this conversation")
    if parent.direction != Direction.inbound.value:
        raise InboxError("the message answered must be a person's message")
    connector = connector or build_connector(channel, settings=settings)
    if not isinstance(connector, ReplyCapability):
        raise InboxError(f"the {channel.network} connector cannot reply; answer on the network itself")
    try:
        sent = connector.reply(parent_external_id=parent.external_id, text=text)
    except ConnectorError as exc:
        raise ReplyNotSent(f"the network refused the reply: {exc}") from exc
    item = InboundItem(
        external_id=sent.external_id,
        # An answer to a direct message is itself a direct message, in the same private thread.
        kind=MessageKind.direct.value if parent.kind == MessageKind.direct.value else MessageKind.reply.value,
        text=text,
        created_at=sent.created_at,
        direction=Direction.outbound.value,
        parent_external_id=parent.external_id,
        thread_external_id=conversation.post_key or conversation.thread_key,
        url=sent.url,
    )
    ingest_items(session, channel=channel, items=[item])
    msg = session.scalar(
        select(Message).where(Message.channel_id == channel.id, Message.external_id == sent.external_id)
    )
    assert msg is not None
    msg.sent_by_id = actor_id
    answer_for_reply(session, reply=msg, parent=parent, conversation=conversation)
    record(
        session,
        workspace_id=conversation.workspace_id,
        actor_id=actor_id,
        action="conversation.reply",
        target_type="conversation",
        target_id=conversation.id,
        detail={"message_id": msg.id, "in_reply_to": parent.id},
    )
    leave(session, conversation_id=conversation.id, user_id=actor_id)
    session.refresh(conversation)
    return msg


def assign(
    session: Session, *, conversation: Conversation, assignee_id: int | None, actor_id: int | None
) -> None:
    """Give the conversation to someone who works its workspace (ForeignId otherwise), or to nobody."""
    require_own(
        session,
        workspace_id=conversation.workspace_id,
        kind=Scoped.member,
        field="assignee_id",
        ids=assignee_id,
    )
    previous = conversation.assignee_id
    conversation.assignee_id = assignee_id
    record(
        session,
        workspace_id=conversation.workspace_id,
        actor_id=actor_id,
        action="conversation.assign",
        target_type="conversation",
        target_id=conversation.id,
        detail={"from": previous, "to": assignee_id},
    )


def set_status(
    session: Session, *, conversation: Conversation, status: ConversationStatus, actor_id: int
) -> None:
    previous = conversation.status
    conversation.status = status.value
    if status is ConversationStatus.closed:
        conversation.resolved_at = utcnow()
    elif previous == ConversationStatus.closed.value:
        conversation.resolved_at = None
    record(
        session,
        workspace_id=conversation.workspace_id,
        actor_id=actor_id,
        action=f"conversation.{status.value}",
        target_type="conversation",
        target_id=conversation.id,
        detail={"from": previous, "to": status.value},
    )


__all__ = [
    "InboxError",
    "assign",
    "get_conversation",
    "list_conversations",
    "refresh_conversations",
    "reply",
    "set_status",
    "thread_messages",
]


def set_priority(session: Session, *, conversation: Conversation, priority: Priority, actor_id: int) -> None:
    """Change how the conversation is handled (who may is the route's dependency); audited."""
    conversation.priority = priority.value
    record(
        session,
        workspace_id=conversation.workspace_id,
        actor_id=actor_id,
        action="conversation.priority",
        target_type="conversation",
        target_id=conversation.id,
        detail={"priority": priority.value},
    )
