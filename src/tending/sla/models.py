"""Response-time targets, the alerts they raised, and where alerts are sent."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey
from tending.sla.business_hours import parse_schedule


class SlaLevel(enum.StrEnum):
    ok = "ok"
    warning = "warning"
    breached = "breached"


class SlaMetric(enum.StrEnum):
    first_response = "first_response"
    resolution = "resolution"


class DestinationKind(enum.StrEnum):
    webhook = "webhook"  # POST of the alert as JSON
    chat = "chat"  # Slack/Mattermost incoming webhook: {"text": ...}
    email = "email"  # SMTP, to the address in `target`


class SlaPolicy(Base):
    """Targets counted in business hours of `business_hours` in `timezone` (empty hours: 24/7)."""

    __tablename__ = "sla_policy"

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Conversation priority the policy covers; null covers every priority without a policy of its own.
    priority: Mapped[str | None] = mapped_column(String(20))
    first_response_hours: Mapped[float] = mapped_column(Float)
    resolution_hours: Mapped[float | None] = mapped_column(Float)
    business_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    warn_fraction: Mapped[float] = mapped_column(Float, default=0.75)
    escalation_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaAlert(Base):
    """One alert raised for one conversation, metric and level; the unique key keeps it from repeating."""

    __tablename__ = "sla_alert"
    __table_args__ = (
        UniqueConstraint("conversation_id", "metric", "level"),
        Index("ix_sla_alert_ws_raised", "workspace_id", "raised_at"),
    )

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id", ondelete="SET NULL"))
    metric: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    elapsed_business_hours: Mapped[float] = mapped_column(Float)
    target_hours: Mapped[float] = mapped_column(Float)
    due_at: Mapped[datetime]
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # One entry per destination: {"destination_id", "kind", "ok", "error"}; failures are kept, not lost.
    deliveries: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class AlertDestination(Base):
    __tablename__ = "alert_destination"

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaPolicyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    priority: str | None = None
    first_response_hours: float = Field(gt=0)
    resolution_hours: float | None = Field(default=None, gt=0)
    business_hours: dict[str, list[list[str]]] = Field(default_factory=dict)
    timezone: str = "UTC"
    warn_fraction: float = Field(default=0.75, gt=0, lt=1)
    escalation_member_id: int | None = None

    @field_validator("business_hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
        parse_schedule(value, "UTC", field="business_hours")
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        parse_schedule({}, value)
        return value


# One address, as SMTP takes it: a dot-atom local part and a domain with a dot (no display name, no
# list, no spaces or line breaks, which could add headers to the alert mail).
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]",
    re.ASCII,
)


def is_email_address(value: str) -> bool:
    local = value.rsplit("@", 1)[0]
    return len(value) <= 254 and len(local) <= 64 and _EMAIL.fullmatch(value) is not None


class AlertDestinationCreate(BaseModel):
    kind: DestinationKind
    target: str = Field(min_length=3, max_length=1000)

    @model_validator(mode="after")
    def _target_fits_kind(self) -> AlertDestinationCreate:
        if self.kind is DestinationKind.email:
            if not is_email_address(self.target.strip()):
                raise ValueError("target: an e-mail destination needs an address like team@example.com")
        elif not self.target.startswith(("http://", "https://")):
            raise ValueError(f"target: a {self.kind.value} destination needs an http(s) URL")
        return self


class SlaPolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    workspace_id: int
    name: str
    priority: str | None
    first_response_hours: float
    resolution_hours: float | None
    business_hours: dict[str, Any]
    timezone: str
    warn_fraction: float
    escalation_member_id: int | None
    active: bool


class SlaPolicyUpdate(BaseModel):
    """A partial change: only the fields sent are changed; the result is checked as a whole policy."""

    name: str | None = None
    priority: str | None = None
    first_response_hours: float | None = None
    resolution_hours: float | None = None
    business_hours: dict[str, list[list[str]]] | None = None
    timezone: str | None = None
    warn_fraction: float | None = None
    escalation_member_id: int | None = None
    active: bool | None = None


class AlertDestinationUpdate(BaseModel):
    kind: DestinationKind | None = None
    # Write-only: leave out to keep the stored one.
    target: str | None = None
    active: bool | None = None


class AlertDestinationRead(BaseModel):
    """The target is never echoed for URL kinds: a webhook URL carries its own secret token."""

    id: int
    workspace_id: int
    kind: str
    target_hint: str
    active: bool
    created_at: datetime
