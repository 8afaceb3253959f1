"""Settings of an Instagram professional account channel; the access token lives in credentials."""

from __future__ import annotations

from pydantic import Field

from tending.connectors.graph.config import GraphConfig


class InstagramConfig(GraphConfig):
    """`ig_user_id` is the Instagram professional account's id (linked to a Facebook Page);
    `username` lets the account's own comments be recognised as outbound even without `from`."""

    ig_user_id: str = Field(pattern=r"^\d+$")
    username: str | None = None
    # Media in which the account is tagged (`/{ig-user-id}/tags`), read as mentions.
    listen_tags: bool = False
    insights_metrics: list[str] = Field(default_factory=lambda: ["reach", "follower_count"])
