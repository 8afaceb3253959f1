"""Audience figures over time (followers, visits, page views, likes) per channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base
from tending.models import PrimaryKey


class MetricPoint(Base):
    __tablename__ = "metric_point"
    __table_args__ = (
        UniqueConstraint("channel_id", "name", "at"),
        Index("ix_metric_point_ws_at", "workspace_id", "at"),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)
