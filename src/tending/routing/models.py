"""Routing rules and the per-member state that keeps round-robin fair across processes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class RoutingRule(Base):
    """Matches on triage fields; an empty match list means "any". Target: one member, or a team
    (everyone whose expertise includes `target_expertise`)."""

    __tablename__ = "routing_rule"
    __table_args__ = (Index("ix_routing_rule_ws_order", "workspace_id", "active", "position"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=100)  # lower runs first
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    match_topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    match_intents: Mapped[list[str]] = mapped_column(JSON, default=list)
    match_channel_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    match_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    match_sentiments: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_member_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    target_expertise: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberRoutingState(Base):
    """When each member last received a routed conversation; the longest-waiting goes next (round-robin)."""

    __tablename__ = "member_routing_state"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    last_assigned_at: Mapped[datetime | None]
    # Increasing number of the member's last turn in the workspace; a counter, unlike a time, never ties
    # when many conversations are routed in one run.
    last_turn: Mapped[int] = mapped_column(Integer, default=0)
    assigned_count: Mapped[int] = mapped_column(Integer, default=0)


class RoutingRuleCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    position: int = 100
    active: bool = True
    match_topics: list[str] = Field(default_factory=list)
    match_intents: list[str] = Field(default_factory=list)
    match_channel_ids: list[int] = Field(default_factory=list)
    match_languages: list[str] = Field(default_factory=list)
    match_sentiments: list[str] = Field(default_factory=list)
    target_member_id: int | None = None
    target_expertise: str | None = Field(default=None, min_length=1, max_length=80)

    @model_validator(mode="after")
    def _one_target(self) -> RoutingRuleCreate:
        if (self.target_member_id is None) == (self.target_expertise is None):
            raise ValueError("target: set exactly one of target_member_id or target_expertise")
        return self


class RoutingRuleRead(RoutingRuleCreate):
    model_config = ConfigDict(from_attributes=True)
    id: int
    workspace_id: int


class RoutingRuleUpdate(BaseModel):
    """A partial change: only the fields sent are changed; the result is checked as a whole rule."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    position: int | None = None
    active: bool | None = None
    match_topics: list[str] | None = None
    match_intents: list[str] | None = None
    match_channel_ids: list[int] | None = None
    match_languages: list[str] | None = None
    match_sentiments: list[str] | None = None
    target_member_id: int | None = None
    target_expertise: str | None = Field(default=None, max_length=80)


class FallbackOwner(BaseModel):
    """Who gets a conversation nothing else claims; null lets the first admin (then member) take it."""

    user_id: int | None
