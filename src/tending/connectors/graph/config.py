"""Settings common to the Graph API connectors; tokens live in credentials, never here."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tending.connectors.bases import ConnectorConfig, OutboundUrl
from tending.connectors.graph.client import DEFAULT_BASE_URL


class GraphConfig(ConnectorConfig):
    """`recent_posts` bounds how many of the newest posts are watched for comments (older posts' new
    comments are not read); `start` says whether the first poll takes only each post's newest comments
    page (`latest`) or all of them (`beginning`)."""

    # None: the install's `graph_api_version` setting; set only to pin one channel to another version.
    api_version: str | None = Field(default=None, pattern=r"^v\d+\.\d+$")
    base_url: OutboundUrl = DEFAULT_BASE_URL
    page_size: int = Field(default=25, ge=1, le=100)
    comments_page_size: int = Field(default=50, ge=1, le=100)
    recent_posts: int = Field(default=50, ge=1, le=1000)
    max_comment_pages: int = Field(default=10, ge=1, le=100)
    start: Literal["latest", "beginning"] = "latest"
    request_timeout_s: float = Field(default=30.0, gt=0)
