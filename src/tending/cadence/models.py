"""Cadence targets per channel and the staleness alerts they raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class CadenceTarget(Base):
    __tablename__ = "cadence_target"

    id: Mapped[PrimaryKey]
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"), unique=True)
    posts_per_week: Mapped[float] = mapped_column(Float, default=3.0)
    max_days_silent: Mapped[int] = mapped_column(Integer, default=7)
    reply_within_hours: Mapped[float] = mapped_column(Float, default=24.0)


class ChannelAlert(Base):
    """One alert per channel, kind and period (ISO week), so a stale channel is not reported every hour."""

    __tablename__ = "channel_alert"
    __table_args__ = (UniqueConstraint("channel_id", "kind", "period_key"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # cadence | silent | unanswered
    period_key: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CadenceTargetSet(BaseModel):
    posts_per_week: float = Field(3.0, ge=0, le=200)
    max_days_silent: int = Field(7, ge=1, le=365)
    reply_within_hours: float = Field(24.0, gt=0, le=24 * 30)


class ChannelAlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    channel_id: int
    kind: str
    period_key: str
    message: str
    detail: dict[str, Any]
    created_at: datetime
