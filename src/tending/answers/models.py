"""Prepared answers: a starting point for a reply, never something to paste unchanged forever."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class PreparedAnswer(Base):
    __tablename__ = "prepared_answer"

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Customer messages this answer was written for: they show an expert's intent to whoever picks it.
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"name": "Returns form.pdf", "url": "https://..."}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    # Sends whose text was the body unchanged (near-identical): a sign the answer has gone stale.
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    last_used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attachment(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl


class PreparedAnswerCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10000)
    topics: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list, max_length=50)
    links: list[HttpUrl] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)


class PreparedAnswerUpdate(BaseModel):
    """A partial change: only the fields sent are changed; the result is checked as a whole answer."""

    title: str | None = None
    body: str | None = None
    topics: list[str] | None = None
    examples: list[str] | None = None
    links: list[str] | None = None
    attachments: list[dict[str, Any]] | None = None


class PreparedAnswerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    workspace_id: int
    title: str
    body: str
    topics: list[str]
    examples: list[str]
    links: list[str]
    attachments: list[dict[str, Any]]
    author_id: int | None
    use_count: int
    unchanged_count: int
    last_used_at: datetime | None
