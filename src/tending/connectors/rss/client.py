"""HTTP for feeds: conditional GETs and the mapping of HTTP failures to connector errors.

Bytes are fetched here rather than by feedparser so that a 401, a 429 or a 503 becomes the right
connector error instead of a silently empty feed.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tending.connectors import http, httpkit
from tending.connectors.bases import ConnectorError, UpstreamError

NETWORK = "rss"


@dataclass(slots=True)
class FeedResponse:
    url: str
    status: int
    content: bytes
    content_type: str
    etag: str | None
    last_modified: str | None


class FeedClient:
    """One guarded httpx client per connector (feeds are addresses members type: see `connectors.http`);
    basic-auth credentials are optional (private feeds)."""

    def __init__(
        self,
        *,
        timeout_s: float,
        user_agent: str,
        policy: http.OutboundPolicy,
        username: str = "",
        password: str = "",
    ) -> None:
        auth = httpx.BasicAuth(username, password) if username else None
        self._http = http.client(
            policy,
            timeout=timeout_s,
            follow_redirects=True,
            headers={
                "User-Agent": user_agent,
                "Accept": "application/rss+xml, application/atom+xml, */*;q=0.5",
            },
            auth=auth,
        )

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FeedResponse:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            resp = self._http.get(url, headers=headers)
        except httpx.HTTPError:
            # One message for refused, closed, silent and garbled alike: it must not map a network.
            raise httpkit.unreachable(network=NETWORK, what=url) from None
        status = resp.status_code
        if status in (401, 403, 429) or status >= 500:
            raise httpkit.error_for_status(
                status,
                network=NETWORK,
                detail=f"{url} answered {status}",
                headers=resp.headers,
                auth_hint="check the feed's user name and password",
                permission_hint="the feed is not public",
            )
        if status in (404, 410):
            raise ConnectorError(
                f"{url} is gone ({status}); check the feed address", network=NETWORK, status=status
            )
        if status != 304 and not 200 <= status < 300:
            raise UpstreamError(f"{url} answered {status}", network=NETWORK, status=status)
        return FeedResponse(
            url=url,
            status=status,
            content=resp.content if status != 304 else b"",
            content_type=resp.headers.get("Content-Type", ""),
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
        )
