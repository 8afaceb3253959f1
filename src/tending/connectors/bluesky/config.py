"""Settings of a Bluesky channel; the handle and app password live in credentials."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tending.connectors.bases import ConnectorConfig, OutboundUrl


class BlueskyConfig(ConnectorConfig):
    """`service_url` is the account's PDS entry (bsky.social for most accounts).

    `start`: the first poll reads only the newest page (`latest`) or walks the whole notification
    history (`beginning`).
    """

    service_url: OutboundUrl = "https://bsky.social"
    reasons: list[str] = Field(default_factory=lambda: ["mention", "reply", "quote"])
    page_size: int = Field(default=50, ge=1, le=100)
    start: Literal["latest", "beginning"] = "latest"
    post_language: str | None = None
    # Chat needs an app password allowed to reach direct messages.
    listen_messages: bool = False
