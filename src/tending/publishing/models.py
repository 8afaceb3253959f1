"""Posts the brand plans, gets approved and publishes; each is published at most once."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey
from tending.moments import Moment


class PostStatus(enum.StrEnum):
    draft = "draft"
    pending_approval = "pending_approval"
    changes_requested = "changes_requested"
    scheduled = "scheduled"
    publishing = "publishing"
    published = "published"
    failed = "failed"
    # The network call may have gone through before a crash and the network cannot be asked to
    # deduplicate: a person checks the channel before anything is retried.
    needs_check = "needs_check"
    # Called off by a person before it went out; kept for the record.
    cancelled = "cancelled"


class Post(Base):
    __tablename__ = "post"
    __table_args__ = (
        Index("ix_post_ws_scheduled", "workspace_id", "scheduled_at"),
        Index("ix_post_status_due", "status", "scheduled_at"),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    media_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=PostStatus.draft.value)
    scheduled_at: Mapped[datetime | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), default=lambda: uuid.uuid4().hex, unique=True)
    external_id: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PostCreate(BaseModel):
    channel_id: int
    text: str = Field(min_length=1, max_length=10000)
    media_urls: list[str] = Field(default_factory=list)
    scheduled_at: Moment | None = None
    campaign_id: int | None = None


class PostUpdate(BaseModel):
    text: str | None = Field(default=None, min_length=1, max_length=10000)
    scheduled_at: Moment | None = None


class ReviewRequest(BaseModel):
    comment: str = Field(default="", max_length=2000)


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    workspace_id: int
    channel_id: int
    campaign_id: int | None
    text: str
    media_urls: list[str]
    status: PostStatus
    scheduled_at: datetime | None
    author_id: int | None
    approver_id: int | None
    review_comment: str | None
    external_id: str | None
    url: str | None
    published_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
