"""Who follows a conversation without owning it (an escalation adds its person here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.auth.models import User
from tending.inbox.models import ConversationWatcher


def watchers_of(session: Session, *, conversation_id: int) -> list[tuple[User, str]]:
    """Each watcher with why they watch, first come first."""
    rows = session.execute(
        select(User, ConversationWatcher.reason)
        .join(ConversationWatcher, ConversationWatcher.user_id == User.id)
        .where(ConversationWatcher.conversation_id == conversation_id)
        .order_by(ConversationWatcher.created_at, User.id)
    )
    return [(user, reason) for user, reason in rows]
