"""Incidents: the alerts of one kind, on one channel or campaign, close together in time, as one thing a
person acknowledges and resolves.

Each detector keeps its own alert rows (they carry what only it knows and keep it from repeating); the
incident is what people read. A burst of 70 scenario matches in four hours is one incident with its
evidence, not 70 lines.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class IncidentKind(enum.StrEnum):
    spike = "spike"  # volume rose out of its band
    negative_spike = "negative_spike"  # the negative share rose out of its band
    scenario_match = "scenario_match"  # messages fit a prepared worst case
    sla_warning = "sla_warning"
    sla_breach = "sla_breach"
    cadence = "cadence"  # a channel posts too little, is silent, or leaves replies overdue
    audience_jump = "audience_jump"  # followers or visits jumped with nobody talking
    reconnect_needed = "reconnect_needed"  # the network refused the channel's credentials

    @property
    def label(self) -> str:
        return INCIDENT_LABELS[self]


INCIDENT_LABELS = {
    IncidentKind.spike: "Volume spike",
    IncidentKind.negative_spike: "Negative-share spike",
    IncidentKind.scenario_match: "Worst case recognised",
    IncidentKind.sla_warning: "Replies due soon",
    IncidentKind.sla_breach: "Replies late",
    IncidentKind.cadence: "Channel going stale",
    IncidentKind.audience_jump: "Suspicious audience jump",
    IncidentKind.reconnect_needed: "Channel needs reconnecting",
}


class IncidentState(enum.StrEnum):
    open = "open"
    acknowledged = "acknowledged"  # someone is on it
    resolved = "resolved"


class IncidentAction(enum.StrEnum):
    acknowledge = "acknowledge"
    resolve = "resolve"


class AlertIncident(Base):
    __tablename__ = "alert_incident"
    __table_args__ = (
        Index("ix_alert_incident_ws_state_last", "workspace_id", "state", "last_at"),
        # Covers the counts by state (and the listing quorum) without reading rows and their evidence.
        Index("ix_alert_incident_ws_state_kind_count", "workspace_id", "state", "kind", "alert_count"),
        Index("ix_alert_incident_ws_scope_last", "workspace_id", "kind", "scope_key", "last_at"),
        Index("ix_alert_incident_ws_opened", "workspace_id", "opened_at"),
        Index("ix_alert_incident_ws_last", "workspace_id", "last_at"),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    # "channel:<id>", "campaign:<id>" or "workspace": alerts group only within one scope.
    scope_key: Mapped[str] = mapped_column(String(60))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    # When what the alerts describe happened (a spike's bucket, a message's time), not when it was found.
    opened_at: Mapped[datetime]
    last_at: Mapped[datetime]
    alert_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default=IncidentState.open.value)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    # The first alerts in full (capped), then counts: enough to judge without opening every message.
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    conversation_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelSpike(Base):
    """A channel's hourly bucket that rose out of its band, kept once per channel, series and bucket so
    that the scan repeated every few minutes over two weeks raises it once."""

    __tablename__ = "channel_spike"
    __table_args__ = (UniqueConstraint("channel_id", "metric", "at"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: IncidentKind
    scope_key: str
    channel_id: int | None
    campaign_id: int | None
    title: str
    opened_at: datetime
    last_at: datetime
    alert_count: int
    state: IncidentState
    acknowledged_by_id: int | None
    acknowledged_at: datetime | None
    resolved_by_id: int | None
    resolved_at: datetime | None
    evidence: list[dict[str, Any]]
    message_ids: list[int]
    conversation_ids: list[int]


class IncidentPage(BaseModel):
    items: list[IncidentRead]
    total: int
    open: int
