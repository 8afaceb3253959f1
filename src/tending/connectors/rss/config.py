"""Settings of a blog channel: where its feeds are; nothing here is secret."""

from __future__ import annotations

from pydantic import Field, HttpUrl

from tending.connectors.bases import ConnectorConfig


class RssConfig(ConnectorConfig):
    """`feed_url` is the blog's posts feed; comment feeds are the site-wide one and/or per-post ones.

    WordPress serves them at `/feed/`, `/comments/feed/` and `/<post>/feed/`.
    """

    feed_url: HttpUrl
    comments_feed_url: HttpUrl | None = None
    post_comment_feeds: list[HttpUrl] = Field(default_factory=list)
    timeout_s: float = 20.0
    user_agent: str = "tending-feed-reader/0.1 (+self-hosted)"
    remember_ids: int = Field(default=1000, ge=50, le=20000)
