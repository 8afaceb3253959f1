"""Replies on sensitive conversations: an agency drafts, a brand member sends (or sends back)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import Role, User
from tending.config import Settings
from tending.inbox.models import Conversation, Message, PendingReply, PendingStatus, Priority
from tending.inbox.service import InboxError, reply

SENSITIVE = Priority.sensitive.value


def needs_approval(conversation: Conversation, user: User) -> bool:
    return conversation.priority == SENSITIVE and user.role == Role.agency.value


def draft_reply(session: Session, *, conversation: Conversation, author: User, text: str) -> PendingReply:
    pending = PendingReply(
        workspace_id=conversation.workspace_id,
        conversation_id=conversation.id,
        author_id=author.id,
        text=text,
    )
    session.add(pending)
    session.flush()
    record(
        session,
        workspace_id=conversation.workspace_id,
        actor_id=author.id,
        action="reply.draft",
        target_type="conversation",
        target_id=conversation.id,
        detail={"pending_reply_id": pending.id},
    )
    return pending


def pending_for(session: Session, *, conversation_id: int) -> list[PendingReply]:
    return list(
        session.scalars(
            select(PendingReply)
            .where(
                PendingReply.conversation_id == conversation_id,
                PendingReply.status == PendingStatus.pending.value,
            )
            .order_by(PendingReply.id)
        )
    )


def _claim(session: Session, *, pending: PendingReply, status: PendingStatus, reviewer: User) -> None:
    """Move the reply out of `pending` with one conditional UPDATE (compare-and-set): of several
    reviewers acting at once, exactly one claims it; the others wait for its transaction (a row lock on
    PostgreSQL, the write lock on SQLite), then find it taken and get InboxError. The claim is undone with
    the transaction when sending fails."""
    claimed = session.execute(
        update(PendingReply)
        .where(PendingReply.id == pending.id, PendingReply.status == PendingStatus.pending.value)
        .values(status=status.value, reviewer_id=reviewer.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(pending)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InboxError(f"this reply is already {pending.status}")


def approve_reply(session: Session, *, settings: Settings, pending: PendingReply, approver: User) -> Message:
    """Send the drafted reply once, however many reviewers approve it at the same moment."""
    if approver.role == Role.agency.value:
        raise InboxError("a brand member approves replies on sensitive conversations")
    _claim(session, pending=pending, status=PendingStatus.sent, reviewer=approver)
    conversation = session.get(Conversation, pending.conversation_id)
    assert conversation is not None
    msg = reply(
        session,
        settings=settings,
        conversation=conversation,
        text=pending.text,
        actor_id=pending.author_id or approver.id,
    )
    record(
        session,
        workspace_id=conversation.workspace_id,
        actor_id=approver.id,
        action="reply.approve",
        target_type="conversation",
        target_id=conversation.id,
        detail={"pending_reply_id": pending.id},
    )
    return msg


def send_back_reply(session: Session, *, pending: PendingReply, approver: User, comment: str) -> None:
    if approver.role == Role.agency.value:
        raise InboxError("a brand member reviews replies on sensitive conversations")
    if not comment.strip():
        raise InboxError("say what should change")
    _claim(session, pending=pending, status=PendingStatus.sent_back, reviewer=approver)
    pending.review_comment = comment
    record(
        session,
        workspace_id=pending.workspace_id,
        actor_id=approver.id,
        action="reply.send_back",
        target_type="conversation",
        target_id=pending.conversation_id,
        detail={"comment": comment},
    )
