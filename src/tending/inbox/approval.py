"""Replies on sensitive conversations: an agency drafts, a brand member sends (or sends back)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.audit.service import record
from tending.auth.models import Role, User
from tending.config import Settings
from tending.inbox.models import Conversation, Message, PendingReply
from tending.inbox.service import InboxError, reply

SENSITIVE = "sensitive"


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
            .where(PendingReply.conversation_id == conversation_id, PendingReply.status == "pending")
            .order_by(PendingReply.id)
        )
    )


def approve_reply(session: Session, *, settings: Settings, pending: PendingReply, approver: User) -> Message:
    if approver.role == Role.agency.value:
        raise InboxError("a brand member approves replies on sensitive conversations")
    if pending.status != "pending":
        raise InboxError(f"this reply is already {pending.status}")
    conversation = session.get(Conversation, pending.conversation_id)
    assert conversation is not None
    msg = reply(
        session,
        settings=settings,
        conversation=conversation,
        text=pending.text,
        actor_id=pending.author_id or approver.id,
    )
    pending.status = "sent"
    pending.reviewer_id = approver.id
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
    pending.status = "sent_back"
    pending.reviewer_id = approver.id
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
