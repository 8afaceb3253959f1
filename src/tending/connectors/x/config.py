"""Settings of an X account channel; keys and tokens live in credentials."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tending.connectors.bases import ConnectorConfig


class XConfig(ConnectorConfig):
    """`user_id` is the account's numeric id (not its @handle), as the mentions timeline needs it."""

    user_id: str = Field(pattern=r"^\d+$")
    page_size: int = Field(default=100, ge=5, le=100)
    start: Literal["latest", "beginning"] = "latest"
    request_timeout_s: float = Field(default=30.0, gt=0)
    # Direct messages need the `dm.read dm.write` scopes (OAuth 2.0) or a DM-enabled OAuth 1.0a app.
    listen_messages: bool = False
