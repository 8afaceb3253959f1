"""Settings of a YouTube channel; the OAuth tokens live in credentials."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tending.connectors.bases import ConnectorConfig


class YouTubeConfig(ConnectorConfig):
    """`enrich_authors` reads commenters' channels (subscribers, videos, creation date, description) in
    batches of 50 — one quota unit per batch."""

    channel_id: str = Field(pattern=r"^UC[\w-]{22}$")
    page_size: int = Field(default=100, ge=1, le=100)
    start: Literal["latest", "beginning"] = "latest"
    enrich_authors: bool = True
    # Comments YouTube holds for review or keeps as likely spam (the owner's OAuth token can list them).
    listen_held: bool = False
    held_max_pages: int = Field(default=3, ge=1, le=20)
    request_timeout_s: float = Field(default=30.0, gt=0)
