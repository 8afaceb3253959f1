"""A channel is one account of the brand on one network, with its encrypted credentials and cursor."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tending.database.core import Base, utcnow
from tending.models import PrimaryKey

# How people name each network; a demo or test channel (network `fake`) is shown as the one it plays.
NETWORK_LABELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "reddit": "Reddit",
    "rss": "Blog",
    "graph": "Facebook",
    "fake": "Test channel",
}


class ChannelStatus(enum.StrEnum):
    active = "active"  # polled on schedule
    error = "error"  # stopped until a person fixes what the message says (configuration, permissions)
    paused = "paused"
    # The network refused the credentials (expired or revoked token): polling waits until they are updated.
    reconnect_needed = "reconnect_needed"


class Channel(Base):
    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "external_id"),)

    id: Mapped[PrimaryKey]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200), default="")
    external_id: Mapped[str] = mapped_column(String(200))
    # Connector settings that are not secret (page id, feed URL, instance URL...).
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Fernet token of the JSON credentials; never returned by the API, never logged.
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=ChannelStatus.active.value)  # a ChannelStatus
    last_error: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def network_label(self) -> str:
        """The network's name as people say it ("Facebook", "Blog"), never the internal `fake`."""
        plays = (self.config or {}).get("simulates") if self.network == "fake" else None
        key = str(plays or self.network)
        return NETWORK_LABELS.get(key, key.title())


class ChannelCreate(BaseModel):
    network: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    handle: str = ""
    external_id: str = Field(min_length=1, max_length=200)
    config: dict[str, Any] = Field(default_factory=dict)
    credentials: dict[str, str] | None = None


class ChannelCredentials(BaseModel):
    """New credentials of a channel (write-only, like at creation): a token that expired or was revoked."""

    credentials: dict[str, str] = Field(min_length=1)


class ChannelRead(BaseModel):
    """What the API shows of a channel: never the credentials, only whether they are set."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    workspace_id: int
    network: str
    name: str
    handle: str
    external_id: str
    config: dict[str, Any]
    status: str
    last_error: str | None
    last_polled_at: datetime | None
    has_credentials: bool = False
