"""Settings of an Instagram professional account channel; the access token lives in credentials."""

from __future__ import annotations

from pydantic import Field, model_validator

from tending.connectors.graph.config import GraphConfig


class InstagramConfig(GraphConfig):
    """`ig_user_id` is the Instagram professional account's id (linked to a Facebook Page);
    `username` lets the account's own comments be recognised as outbound even without `from`."""

    ig_user_id: str = Field(pattern=r"^\d+$")
    username: str | None = None
    # Media in which the account is tagged (`/{ig-user-id}/tags`), read as mentions.
    listen_tags: bool = False
    insights_metrics: list[str] = Field(default_factory=lambda: ["reach", "follower_count"])
    # Instagram Messaging lives on the linked Facebook Page: its id carries conversations and the Send API.
    page_id: str | None = Field(default=None, pattern=r"^\d+$")
    listen_messages: bool = False
    messages_page_size: int = Field(default=25, ge=1, le=100)
    human_agent_tag: bool = True

    @model_validator(mode="after")
    def _messages_need_the_page(self) -> InstagramConfig:
        if self.listen_messages and not self.page_id:
            raise ValueError("listen_messages needs page_id, the Facebook Page linked to the account")
        return self
