"""How the Instagram connector authenticates (Instagram API with Facebook Login)."""

from __future__ import annotations

NETWORK = "instagram"
# The linked Page's access token, or a user token with the Instagram permissions.
TOKEN_KEYS = ("access_token", "page_access_token")
