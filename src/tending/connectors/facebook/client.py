"""How the Facebook connector authenticates: a Page access token, optional app secret proof."""

from __future__ import annotations

NETWORK = "facebook"
# `page_access_token` (a long-lived Page token) is preferred; `access_token` is accepted as its alias.
TOKEN_KEYS = ("page_access_token", "access_token")
