"""Settings of a LinkedIn organisation page channel; the member access token lives in credentials."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tending.connectors.bases import ConnectorConfig, OutboundUrl


class LinkedInConfig(ConnectorConfig):
    """`api_version` pins this channel's monthly `LinkedIn-Version` (YYYYMM); unset, the install's
    `linkedin_api_version` setting applies.
    `recent_posts` bounds how many of the newest posts are watched for comments; `resolve_people`
    completes commenters' names, vanity names and headlines when the app may read them."""

    organization_id: str = Field(pattern=r"^\d+$")
    api_version: str | None = Field(default=None, pattern=r"^\d{6}$")
    base_url: OutboundUrl = "https://api.linkedin.com/rest"
    recent_posts: int = Field(default=20, ge=1, le=100)
    comments_page_size: int = Field(default=50, ge=1, le=100)
    max_comment_pages: int = Field(default=20, ge=1, le=200)
    start: Literal["latest", "beginning"] = "latest"
    resolve_people: bool = True
    request_timeout_s: float = Field(default=30.0, gt=0)

    @property
    def organization_urn(self) -> str:
        return f"urn:li:organization:{self.organization_id}"
