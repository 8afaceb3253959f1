"""The workspace's helpdesk and the cases its conversations became.

One helpdesk per workspace: Zendesk (its Tickets API) or any HTTP endpoint that takes signed JSON. Its
secrets (Zendesk's API token, the endpoint's signing key, the key the helpdesk signs status reports
with) are encrypted like channel credentials. A case names the conversation it came from, the
helpdesk's id and link, and the last status the helpdesk reported.
"""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.connectors.bases import OutboundUrl
from tending.database.core import Base, utcnow
from tending.models import PrimaryKey


class HelpdeskKind(enum.StrEnum):
    zendesk = "zendesk"
    webhook = "webhook"  # any helpdesk: signed JSON to an HTTP endpoint


class HelpdeskConnection(Base):
    __tablename__ = "helpdesk_connection"
    __table_args__ = (UniqueConstraint("workspace_id"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # Zendesk: https://{subdomain}.zendesk.com; webhook: the endpoint that creates a case.
    base_url: Mapped[str] = mapped_column(String(500))
    # Zendesk: the agent's e-mail, used with the API token.
    account: Mapped[str] = mapped_column(String(200), default="")
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpdeskCase(Base):
    __tablename__ = "helpdesk_case"
    __table_args__ = (UniqueConstraint("conversation_id"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(40), default="new")
    status_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpdeskIn(BaseModel):
    """How to reach the helpdesk. Secrets: `api_token` (Zendesk), `signing_secret` (what tending signs
    outgoing cases with, for the endpoint), `webhook_secret` (what the helpdesk signs status reports with)."""

    kind: HelpdeskKind
    base_url: OutboundUrl = Field(max_length=500)
    account: str = Field(default="", max_length=200)
    api_token: str = Field(default="", max_length=500)
    signing_secret: str = Field(default="", max_length=500)
    webhook_secret: str = Field(default="", max_length=500)


class HelpdeskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: HelpdeskKind
    base_url: str
    account: str


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    conversation_id: int
    kind: HelpdeskKind
    external_id: str
    url: str | None
    status: str
    status_at: datetime | None
    created_at: datetime
