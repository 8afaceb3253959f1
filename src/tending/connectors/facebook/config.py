"""Settings of a Facebook Page channel; the Page access token lives in credentials."""

from __future__ import annotations

from pydantic import Field

from tending.connectors.graph.config import GraphConfig


class FacebookConfig(GraphConfig):
    """`listen_messages` reads Messenger conversations too (needs the `pages_messaging` permission);
    `insights_metrics` are Page insights read with `period=day`."""

    page_id: str = Field(pattern=r"^\d+$")
    listen_comments: bool = True
    listen_messages: bool = False
    # Posts that tag or @mention the Page (`/{page-id}/tagged`), read as mentions.
    listen_mentions: bool = False
    messages_page_size: int = Field(default=25, ge=1, le=100)
    # Past Messenger's 24-hour window, answer with the HUMAN_AGENT tag for 7 days (the app needs the
    # Human Agent feature approved by Meta).
    human_agent_tag: bool = True
    insights_metrics: list[str] = Field(
        default_factory=lambda: ["page_follows", "page_views_total", "page_post_engagements"]
    )
