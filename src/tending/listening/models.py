"""Listening: the workspace's queries, the public posts they found, and what each network's search spent.

Results live in their own table, apart from the desk's messages: they are talk about the brand, not
work owed to anyone, so the needs-reply queue, the SLAs and the reply figures never see them. One
result is unique per (query, network, network id), so running a query twice stores each post once.
"Answer this" moves a result into the desk through ingestion and remembers the conversation it became.
"""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class ResultState(enum.StrEnum):
    new = "new"
    moved = "moved"  # answered from the desk: `conversation_id` names the work item
    dismissed = "dismissed"  # read, nothing to do


class QueryAction(enum.StrEnum):
    run = "run"
    pause = "pause"
    resume = "resume"


class ListeningQuery(Base):
    __tablename__ = "listening_query"

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclusions: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    networks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A query made from a campaign's identifiers: its spikes are the campaign's alerts.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Per network: the search cursor stored with the last page of results.
    cursors: Mapped[dict[str, dict[str, object]]] = mapped_column(JSON, default=dict)
    last_run_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListeningResult(Base):
    __tablename__ = "listening_result"
    __table_args__ = (
        UniqueConstraint("query_id", "network", "external_id"),
        Index("ix_listening_result_query_time", "query_id", "created_at"),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    query_id: Mapped[int] = mapped_column(ForeignKey("listening_query.id", ondelete="CASCADE"))
    # The channel whose credentials ran the search; "answer this" files the post under it.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id", ondelete="SET NULL"))
    network: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="post")
    parent_external_id: Mapped[str | None] = mapped_column(String(300))
    author_external_id: Mapped[str | None] = mapped_column(String(300))
    author_handle: Mapped[str] = mapped_column(String(200), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1000))
    language: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[str | None] = mapped_column(Text)
    sentiment: Mapped[str | None] = mapped_column(String(10))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(20))
    urgency: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(12), default=ResultState.new.value)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id", ondelete="SET NULL"))
    state_by_id: Mapped[int | None] = mapped_column(Integer)
    state_at: Mapped[datetime | None]


class SearchSpend(Base):
    """Calls (or units) a workspace's searches spent on a network in the current quota window."""

    __tablename__ = "listening_spend"
    __table_args__ = (UniqueConstraint("workspace_id", "network"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(40))
    window_start: Mapped[datetime]
    spent: Mapped[int] = mapped_column(Integer, default=0)


class ListeningSpike(Base):
    """A query's hourly bucket that rose out of its band, kept once so repeated scans raise it once."""

    __tablename__ = "listening_spike"
    __table_args__ = (UniqueConstraint("query_id", "metric", "at"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    query_id: Mapped[int] = mapped_column(ForeignKey("listening_query.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _words(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v.strip()]


class QueryIn(BaseModel):
    """A listening query as a person writes it; every list holds short words or phrases."""

    name: str = Field(min_length=1, max_length=120)
    terms: list[str] = Field(default_factory=list, max_length=40)
    phrases: list[str] = Field(default_factory=list, max_length=20)
    exclusions: list[str] = Field(default_factory=list, max_length=40)
    languages: list[str] = Field(default_factory=list, max_length=10)
    networks: list[str] = Field(default_factory=list, max_length=12)
    campaign_id: int | None = None

    @field_validator("terms", "phrases", "exclusions", "networks")
    @classmethod
    def _clean(cls, values: list[str]) -> list[str]:
        out = _words(values)
        if any(len(v) > 100 for v in out):
            raise ValueError("each entry is at most 100 characters")
        return out

    @field_validator("languages")
    @classmethod
    def _languages(cls, values: list[str]) -> list[str]:
        out = [v.lower() for v in _words(values)]
        if any(not v.isalpha() or len(v) > 3 for v in out):
            raise ValueError("languages are ISO 639-1 codes such as en, fr")
        return out


class QueryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    terms: list[str]
    phrases: list[str]
    exclusions: list[str]
    languages: list[str]
    networks: list[str]
    campaign_id: int | None
    active: bool
    last_run_at: datetime | None
    last_error: str | None


class ResultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    query_id: int
    network: str
    external_id: str
    author_handle: str
    text: str
    url: str | None
    language: str | None
    created_at: datetime
    sentiment: str | None
    intent: str | None
    state: ResultState
    conversation_id: int | None


class ResultPage(BaseModel):
    items: list[ResultRead]
    total: int
