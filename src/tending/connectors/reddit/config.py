"""Settings of a Reddit channel: the brand's subreddit and account; app keys and tokens are credentials."""

from __future__ import annotations

from pydantic import Field

from tending.connectors.bases import ConnectorConfig


class RedditConfig(ConnectorConfig):
    """`subreddit` without the r/ prefix; `username` is the brand's account (its own items are outbound).

    Inbox streams (mentions and replies anywhere on Reddit) need a user token; a read-only script app
    reads the subreddit only.
    """

    subreddit: str = Field(pattern=r"^[A-Za-z0-9_]{2,21}$")
    username: str | None = None
    listen_subreddit: bool = True
    listen_inbox: bool = True
    page_size: int = Field(default=100, ge=1, le=100)
    # Unset: `server:tending:v<version> (by /u/<username>)`, the form Reddit's API rules require.
    user_agent: str | None = None
    # Private messages (`privatemessages` scope) as direct conversations, one per person.
    listen_messages: bool = False
