"""The Graph client as the Facebook connector builds it: a Page access token, optional app secret proof."""

from __future__ import annotations

import httpx

from tending.connectors.facebook.config import FacebookConfig
from tending.connectors.graph.client import GraphClient

NETWORK = "facebook"


def make_client(
    *, config: FacebookConfig, credentials: dict[str, str], http: httpx.Client | None
) -> GraphClient:
    """`page_access_token` (a long-lived Page token) is preferred; `access_token` is accepted as its alias."""
    return GraphClient(
        network=NETWORK,
        access_token=credentials.get("page_access_token") or credentials.get("access_token") or "",
        api_version=config.api_version,
        base_url=config.base_url,
        app_secret=credentials.get("app_secret") or None,
        timeout_s=config.request_timeout_s,
        http=http,
    )
