"""Who has a work item open right now: one row per person and conversation, kept fresh by the thread
page's heartbeat and stale (so gone) once the heartbeat stops. Nobody has to release it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base
from tending.models import PrimaryKey


class ConversationPresence(Base):
    __tablename__ = "conversation_presence"
    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id"),
        Index("ix_conversation_presence_conv_seen", "conversation_id", "seen_at"),
    )

    id: Mapped[PrimaryKey]
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime]
    seen_at: Mapped[datetime]
    # The person's composer holds text: they are about to answer, not just reading.
    writing: Mapped[bool] = mapped_column(Boolean, default=False)
