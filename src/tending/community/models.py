"""The last vitality reading of each channel: computing it scans three months of messages, so pages read
this snapshot and a background task refreshes it every hour."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base
from tending.models import PrimaryKey


class VitalitySnapshot(Base):
    __tablename__ = "vitality_snapshot"

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(10))
    computed_at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
