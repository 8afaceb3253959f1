"""Settings of a blog channel: where its feeds are; nothing here is secret."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, HttpUrl

from tending.connectors.bases import ConnectorConfig
from tending.connectors.http import check_outbound_url

FeedUrl = Annotated[HttpUrl, AfterValidator(check_outbound_url)]


class RssConfig(ConnectorConfig):
    """`feed_url` is the blog's posts feed; comment feeds are the site-wide one and/or per-post ones.

    WordPress serves them at `/feed/`, `/comments/feed/` and `/<post>/feed/`.
    """

    feed_url: FeedUrl
    comments_feed_url: FeedUrl | None = None
    post_comment_feeds: list[FeedUrl] = Field(default_factory=list, max_length=200)
    # News sites and blogs that listening queries read (not the brand's own).
    news_feeds: list[FeedUrl] = Field(default_factory=list, max_length=200)
    timeout_s: float = 20.0
    user_agent: str = "tending-feed-reader/0.1 (+self-hosted)"
    remember_ids: int = Field(default=1000, ge=50, le=20000)
