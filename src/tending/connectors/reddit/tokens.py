"""Reddit refresh tokens: praw renews the 24-hour access token from the refresh token by itself; when
Reddit answers a renewal with a new refresh token (it may rotate them), the new one is handed to the
channel's credentials at once, since the old one stops working. A refused refresh token is prawcore's
`OAuthException` (`invalid_grant`), which `tending.connectors.reddit.client.call` raises as AuthExpired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import praw


def watch_refresh(reddit: praw.Reddit, on_refresh_token: Callable[[str], None]) -> None:
    """Report each refresh token prawcore's authorizer receives (praw 8 has no token manager; the
    authorizer's post-refresh callback is prawcore's own hook, set here after praw built it)."""
    core = getattr(reddit, "_authorized_core", None)
    authorizer = getattr(core, "_authorizer", None)
    if authorizer is None or not hasattr(authorizer, "_post_refresh_callback"):
        return  # read-only app access: no refresh token

    def after_refresh(current: Any) -> None:
        token = getattr(current, "refresh_token", None)
        if token:
            on_refresh_token(str(token))

    authorizer._post_refresh_callback = after_refresh
