"""Campaigns as plans: a goal with measurable KPIs, the traffic that belongs to them, the worst cases
prepared in advance, and the alerts raised while they run."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tending.campaign.states import CampaignStatus
from tending.channel.models import Channel
from tending.database.core import Base, utcnow
from tending.models import PrimaryKey
from tending.moments import Moment


class MetricKind(enum.StrEnum):
    """What a KPI counts. The first three are computed from stored messages; the rest are imported."""

    mentions = "mentions"
    positive_share = "positive_share"
    replies = "replies"
    followers = "followers"
    sales = "sales"
    signups = "signups"
    custom = "custom"


COMPUTED_METRICS = frozenset({MetricKind.mentions, MetricKind.positive_share, MetricKind.replies})


class KpiDirection(enum.StrEnum):
    up = "up"
    down = "down"


class AlertKind(enum.StrEnum):
    scenario_match = "scenario_match"
    spike = "spike"


campaign_channel = Table(
    "campaign_channel",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("channel_id", ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(Base):
    __tablename__ = "campaign"
    __table_args__ = (Index("ix_campaign_ws_status", "workspace_id", "status"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.draft.value)
    # Marked by the team when the subject can divide the audience; launching then needs worst cases.
    disputable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Planned start; the period of a launched campaign starts at the earlier of this and launched_at.
    starts_at: Mapped[datetime | None]
    launched_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    channels: Mapped[list[Channel]] = relationship(secondary=campaign_channel, lazy="selectin")

    @property
    def identifiers(self) -> list[str]:
        """Every term that marks a message as campaign traffic."""
        return [t for t in [*self.hashtags, *self.links, *self.keywords] if t and t.strip()]


class Kpi(Base):
    __tablename__ = "campaign_kpi"

    id: Mapped[PrimaryKey]
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(30))
    target: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(4), default=KpiDirection.up.value)
    # Days after launch by which the target should be reached: weeks for mentions, months for sales.
    horizon_days: Mapped[int | None] = mapped_column(Integer)
    # Level at launch for imported metrics (followers, weekly sales...); counts start from zero.
    baseline: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KpiMeasurement(Base):
    __tablename__ = "campaign_kpi_measurement"
    __table_args__ = (UniqueConstraint("kpi_id", "at"),)

    id: Mapped[PrimaryKey]
    kpi_id: Mapped[int] = mapped_column(ForeignKey("campaign_kpi.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class KpiControlValue(Base):
    """A control series imported next to a sales/sign-ups KPI (a market index, another region's sales):
    what the outcome would have followed without the campaign, for the lift model."""

    __tablename__ = "campaign_kpi_control"
    __table_args__ = (UniqueConstraint("kpi_id", "name", "at"),)

    id: Mapped[PrimaryKey]
    kpi_id: Mapped[int] = mapped_column(ForeignKey("campaign_kpi.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)


class Scenario(Base):
    """A worst case written before launch: what would happen, how to spot it, who answers and how."""

    __tablename__ = "campaign_scenario"

    id: Mapped[PrimaryKey]
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    what_happens: Mapped[str] = mapped_column(Text, default="")
    trigger_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    example_messages: Mapped[list[str]] = mapped_column(JSON, default=list)
    responder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reaction: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def missing(self) -> list[str]:
        """Names of the parts a scenario needs before it counts as prepared."""
        gaps = []
        if not self.what_happens.strip():
            gaps.append("what happens")
        if not any(k.strip() for k in self.trigger_keywords) and not any(
            m.strip() for m in self.example_messages
        ):
            gaps.append("triggers (keywords or example messages)")
        if self.responder_id is None:
            gaps.append("responder")
        if not self.reaction.strip():
            gaps.append("prepared reaction")
        return gaps


class CampaignAlert(Base):
    """Something the campaign team should look at now: a message that fits a worst case, or a spike."""

    __tablename__ = "campaign_alert"
    __table_args__ = (
        UniqueConstraint("message_id", "scenario_id"),
        Index("ix_campaign_alert_campaign_created", "campaign_id", "created_at"),
        Index("ix_campaign_alert_campaign_kind_at", "campaign_id", "kind", "at"),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_scenario.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # For spikes: which series rose ("volume", "negative_volume", "negative_share") and the bucket start.
    metric: Mapped[str | None] = mapped_column(String(30))
    at: Mapped[datetime | None]
    score: Mapped[float] = mapped_column(Float, default=0.0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftPost(Base):
    """A post planned for the campaign, with its backlash risk cached from the last estimate."""

    __tablename__ = "campaign_draft_post"

    id: Mapped[PrimaryKey]
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    risk_score: Mapped[float | None] = mapped_column(Float)
    risk_level: Mapped[str | None] = mapped_column(String(10))
    risk_examples: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    risk_computed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- edges (API / CLI) -------------------------------------------------------------------------------


class CampaignCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    objective: str = ""
    owner_id: int | None = None
    disputable: bool = False
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    channel_ids: list[int] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


class CampaignUpdate(BaseModel):
    """A draft's plan, changed: only the fields sent change (a list sent replaces the old one)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    objective: str | None = None
    owner_id: int | None = None
    disputable: bool | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    channel_ids: list[int] | None = None
    hashtags: list[str] | None = None
    links: list[str] | None = None
    keywords: list[str] | None = None


class KpiCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    metric: MetricKind
    target: float | None = None
    direction: KpiDirection = KpiDirection.up
    horizon_days: int | None = Field(default=None, ge=1, le=730)
    baseline: float | None = None


class ScenarioCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    what_happens: str = ""
    trigger_keywords: list[str] = Field(default_factory=list)
    example_messages: list[str] = Field(default_factory=list)
    responder_id: int | None = None
    reaction: str = ""


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    workspace_id: int
    name: str
    objective: str
    owner_id: int | None
    status: CampaignStatus
    disputable: bool
    starts_at: datetime | None
    launched_at: datetime | None
    ends_at: datetime | None
    hashtags: list[str]
    links: list[str]
    keywords: list[str]


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    campaign_id: int
    scenario_id: int | None
    message_id: int | None
    kind: AlertKind
    metric: str | None
    at: datetime | None
    score: float
    detail: dict[str, Any]
    created_at: datetime
