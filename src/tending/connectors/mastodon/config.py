"""Settings of a Mastodon channel: the instance and what to listen to; the token lives in credentials."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, HttpUrl

from tending.connectors.bases import ConnectorConfig
from tending.connectors.http import check_outbound_url


class MastodonConfig(ConnectorConfig):
    """`start` says where the first poll begins: the newest page only, or the whole retained history."""

    api_base_url: Annotated[HttpUrl, AfterValidator(check_outbound_url)]
    listen_mentions: bool = True
    listen_direct: bool = True
    page_size: int = Field(default=40, ge=1, le=80)
    start: Literal["latest", "beginning"] = "latest"
    request_timeout_s: float = 30.0
