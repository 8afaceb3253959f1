"""Messages and the conversations (threads) they belong to."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class MessageKind(enum.StrEnum):
    post = "post"
    comment = "comment"
    reply = "reply"
    mention = "mention"
    direct = "direct"


class Direction(enum.StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class ReplyState(enum.StrEnum):
    """Where one inbound message stands: the desk's unit of work is a person's message, not a thread."""

    needs_reply = "needs_reply"
    answered = "answered"  # a brand reply answers it (`Message.answered_by_id`)
    no_reply_needed = "no_reply_needed"  # a person decided so (`reply_state_by_id`, audited)
    hidden = "hidden"  # spam or abuse, hidden by moderation


class UrgencyBand(enum.IntEnum):
    """Urgency in the bands the queue sorts by (lowest first): a food-safety question before "Nice photo!".
    A message not triaged yet sits in the middle band, so a new arrival is never buried."""

    high = 0
    medium = 1
    low = 2


# Triage urgency (0..1) at or above which a message is in the high / medium band.
URGENCY_HIGH = 0.4
URGENCY_MEDIUM = 0.15


def urgency_band(urgency: float | None) -> UrgencyBand:
    if urgency is None:
        return UrgencyBand.medium
    if urgency >= URGENCY_HIGH:
        return UrgencyBand.high
    return UrgencyBand.medium if urgency >= URGENCY_MEDIUM else UrgencyBand.low


class ConversationKind(enum.StrEnum):
    """A person's item under a post, a direct-message thread, or a post's own thread (see `inbox.threads`)."""

    comment = "comment"
    direct = "direct"
    post = "post"


class NetworkReview(enum.StrEnum):
    """Why a network withholds a message from the public, pending the owner's decision."""

    held_for_review = "held_for_review"
    likely_spam = "likely_spam"
    rejected = "rejected"  # the brand rejected it: it stays off the network


class ConversationStatus(enum.StrEnum):
    open = "open"
    waiting = "waiting"
    answered = "answered"
    closed = "closed"


class Priority(enum.StrEnum):
    """How a conversation is handled; `sensitive` makes agency replies wait for a brand member's approval."""

    low = "low"
    normal = "normal"
    high = "high"
    sensitive = "sensitive"


class PendingStatus(enum.StrEnum):
    """A drafted reply on a sensitive conversation: waiting for review, sent, or sent back."""

    pending = "pending"
    sent = "sent"
    sent_back = "sent_back"


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (
        UniqueConstraint("channel_id", "thread_key"),
        Index("ix_conversation_ws_last", "workspace_id", "last_message_at"),
        Index("ix_conversation_ws_status_last", "workspace_id", "status", "last_message_at"),
        Index("ix_conversation_ws_assignee_last", "workspace_id", "assignee_id", "last_message_at"),
        Index("ix_conversation_ws_channel_last", "workspace_id", "channel_id", "last_message_at"),
        Index("ix_conversation_ws_waiting", "workspace_id", "needs_reply", "last_inbound_at", "status"),
        Index("ix_conversation_ws_opened", "workspace_id", "first_inbound_at", "first_response_at"),
        Index("ix_conversation_channel_waiting", "channel_id", "needs_reply", "last_inbound_at"),
        Index("ix_conversation_channel_post", "channel_id", "post_key"),
        # What is left to answer per person, counted from the index alone.
        Index(
            "ix_conversation_ws_waiting_assignee",
            "workspace_id",
            "needs_reply",
            "assignee_id",
            "waiting_count",
        ),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    thread_key: Mapped[str] = mapped_column(String(300))
    # The post a person's item is under (its own thread key for the post's thread; null for direct messages).
    post_key: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default=ConversationKind.comment.value)
    status: Mapped[str] = mapped_column(String(20), default=ConversationStatus.open.value)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    priority: Mapped[str] = mapped_column(String(20), default=Priority.normal.value)
    preview: Mapped[str] = mapped_column(String(280), default="")
    last_author: Mapped[str] = mapped_column(String(200), default="")
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    needs_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    # Inbound messages still waiting for a reply, and the oldest: kept by ingestion and every state change.
    waiting_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waiting_since: Mapped[datetime | None]
    first_inbound_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    last_outbound_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id"),
        Index("ix_message_conversation_created", "conversation_id", "created_at"),
        Index("ix_message_ws_created", "workspace_id", "created_at"),
        Index("ix_message_conversation_author", "conversation_id", "author_id"),
        # The needs-reply queue in its order: only waiting messages, so the index is as small as the backlog.
        Index(
            "ix_message_ws_waiting",
            "workspace_id",
            "urgency_band",
            "created_at",
            sqlite_where=text("reply_state = 'needs_reply'"),
            postgresql_where=text("reply_state = 'needs_reply'"),
        ),
        # The queue's one-click intent filters (questions, complaints) in queue order: without it a filter
        # walks every waiting message of the bands above before it finds its first question.
        Index(
            "ix_message_ws_waiting_intent",
            "workspace_id",
            "intent",
            "urgency_band",
            "created_at",
            sqlite_where=text("reply_state = 'needs_reply'"),
            postgresql_where=text("reply_state = 'needs_reply'"),
        ),
        # The brand's recent replies (prepared-answer suggestions read the last 2,000 on every thread).
        Index(
            "ix_message_ws_outbound",
            "workspace_id",
            "created_at",
            sqlite_where=text("direction = 'outbound'"),
            postgresql_where=text("direction = 'outbound'"),
        ),
        # Only the brand's own posts: cadence checks read them; a full index would tax every insert.
        Index(
            "ix_message_channel_posts",
            "channel_id",
            "created_at",
            sqlite_where=text("kind = 'post' AND direction = 'outbound'"),
            postgresql_where=text("kind = 'post' AND direction = 'outbound'"),
        ),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    external_id: Mapped[str] = mapped_column(String(300))
    parent_external_id: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(12))
    url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[str | None] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Triage, filled by the triage step; null until triaged.
    sentiment: Mapped[str | None] = mapped_column(String(10))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(20))
    # Each learned intent's probability ({"question": 0.91, "complaint": 0.77, ...}); `intent` is the
    # main one.
    intents: Mapped[dict[str, float] | None] = mapped_column(JSON)
    urgency: Mapped[float | None] = mapped_column(Float)
    urgency_band: Mapped[int] = mapped_column(SmallInteger, default=UrgencyBand.medium, server_default="1")
    topics: Mapped[list[str] | None] = mapped_column(JSON)
    # Moderation: hidden only for spam/abuse, always with a reason.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    # Reply state of an inbound message (null on the brand's own messages), see `ReplyState`.
    reply_state: Mapped[str | None] = mapped_column(String(20))
    # Plain ids, not foreign keys: SQLite can add a column in place only without a named constraint, and
    # rebuilding the message table would run the cascades of the tables that point at it. A reply lives in
    # the same conversation as what it answers, so they are deleted together.
    answered_by_id: Mapped[int | None] = mapped_column(Integer)
    reply_state_by_id: Mapped[int | None] = mapped_column(Integer)  # the person who set the state
    reply_state_at: Mapped[datetime | None]
    # The network's own review of the message when it withholds it (`NetworkReview`): held for the
    # owner's review or kept as likely spam; null when the network shows it.
    network_review: Mapped[str | None] = mapped_column(String(20))


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    conversation_id: int
    channel_id: int
    author_id: int | None
    kind: str
    direction: str
    external_id: str
    parent_external_id: str | None
    text: str
    language: str | None
    url: str | None
    created_at: datetime
    received_at: datetime
    sentiment: str | None
    sentiment_score: float | None
    intent: str | None
    intents: dict[str, float] | None = None
    urgency: float | None
    urgency_band: UrgencyBand = UrgencyBand.medium
    topics: list[str] | None
    hidden: bool
    hidden_reason: str | None
    reply_state: ReplyState | None = None
    answered_by_id: int | None = None
    network_review: NetworkReview | None = None
    author_handle: str | None = None
    author_name: str | None = None


class ConversationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    workspace_id: int
    channel_id: int
    kind: str
    post_key: str | None = None
    status: ConversationStatus
    assignee_id: int | None
    priority: str
    preview: str
    last_author: str
    message_count: int
    needs_reply: bool
    waiting_count: int = 0
    waiting_since: datetime | None = None
    first_inbound_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    last_message_at: datetime | None


class ConversationPage(BaseModel):
    items: list[ConversationRead]
    next_cursor: str | None = None


class ThreadRead(BaseModel):
    conversation: ConversationRead
    messages: list[MessageRead]


class ReplyCreate(BaseModel):
    text: str = Field(min_length=1, max_length=10000)
    in_reply_to: int | None = Field(
        default=None, description="Message id answered; default: the oldest one still needing a reply."
    )
    expected_last_message_id: int | None = Field(
        default=None,
        description="Newest message id the writer saw; if the brand replied after it, 409 with that reply.",
    )


class AssignRequest(BaseModel):
    assignee_id: int | None


class StatusChange(BaseModel):
    status: ConversationStatus


class PendingReply(Base):
    """A reply drafted on a sensitive conversation by someone who may not send it alone (an agency)."""

    __tablename__ = "pending_reply"

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | sent_back
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedView(Base):
    """A named inbox filter that one person keeps for themself ("my open Instagram questions")."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "name"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(Text, default="")  # url-encoded inbox filters
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchReason(enum.StrEnum):
    escalation = "escalation"  # an SLA breach told this person; the owner keeps the work


class ConversationWatcher(Base):
    """Someone who follows a conversation without owning it: told of what happens, free to step in."""

    __tablename__ = "conversation_watcher"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(20), default=WatchReason.escalation.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
