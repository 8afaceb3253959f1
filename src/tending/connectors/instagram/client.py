"""The Graph client as the Instagram connector builds it (Instagram API with Facebook Login)."""

from __future__ import annotations

import httpx

from tending.connectors.graph.client import GraphClient
from tending.connectors.instagram.config import InstagramConfig

NETWORK = "instagram"


def make_client(
    *, config: InstagramConfig, credentials: dict[str, str], http: httpx.Client | None
) -> GraphClient:
    """The token is the linked Page's access token (or a user token with the Instagram permissions)."""
    return GraphClient(
        network=NETWORK,
        access_token=credentials.get("access_token") or credentials.get("page_access_token") or "",
        api_version=config.api_version,
        base_url=config.base_url,
        app_secret=credentials.get("app_secret") or None,
        timeout_s=config.request_timeout_s,
        http=http,
    )
